import { describe, expect, it } from 'vitest';
import { clientAddressResolver, parseTrustProxy } from './address.js';

describe('client address behind proxies', () => {
  it('is the socket address when no proxy is trusted, whatever the header says', () => {
    expect(clientAddressResolver(undefined)('::ffff:10.1.2.3', '6.6.6.6')).toBe('10.1.2.3');
  });

  it('takes the address a trusted proxy forwarded, never one the client wrote itself', () => {
    const resolve = clientAddressResolver(parseTrustProxy('10.0.0.0/8, 192.168.1.1') as never);
    // The proxy 10.0.0.5 saw the client 203.0.113.7, which claimed to be 6.6.6.6.
    expect(resolve('10.0.0.5', '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    // Two trusted proxies in a row.
    expect(resolve('10.0.0.5', '203.0.113.7, 192.168.1.1')).toBe('203.0.113.7');
    // A direct client that is not a proxy: its header is ignored.
    expect(resolve('203.0.113.9', '6.6.6.6')).toBe('203.0.113.9');
  });

  it('counts hops from the service', () => {
    const one = clientAddressResolver({ hops: 1 });
    expect(one('10.0.0.5', '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressResolver({ hops: 2 })('10.0.0.5', '6.6.6.6, 203.0.113.7')).toBe('6.6.6.6');
    expect(one('10.0.0.5', undefined)).toBe('10.0.0.5');
  });

  it('names what is wrong with a bad setting', () => {
    expect(parseTrustProxy('0')).toBe('a hop count must be 1 to 32');
    expect(parseTrustProxy('10.0.0.0/40')).toMatch(/"10.0.0.0\/40" is not an address or a CIDR/);
    expect(parseTrustProxy('proxy.local')).toMatch(/is not an address/);
  });
});
