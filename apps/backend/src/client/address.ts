/**
 * Who a request comes from, behind proxies (ORFEAS_TRUST_PROXY): the socket's address, or the
 * address a trusted proxy put in X-Forwarded-For. A hop count trusts that many proxies in front
 * of the service; a CIDR list trusts the proxies whose addresses it holds, so an address that a
 * client wrote into the header itself is never taken on trust.
 */
import { BlockList, isIP } from 'node:net';

export type TrustProxy = { hops: number } | { cidrs: string[] } | undefined;

/** Parses ORFEAS_TRUST_PROXY: a whole number of hops, or a comma-separated list of addresses and CIDRs. */
export function parseTrustProxy(text: string): TrustProxy | string {
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 32 ? { hops } : 'a hop count must be 1 to 32';
  }
  const cidrs = text.split(',').map((part) => part.trim()).filter(Boolean);
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    if (family === 0 || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= max))) {
      return `${JSON.stringify(cidr)} is not an address or a CIDR (like 10.0.0.0/8 or fd00::/8)`;
    }
  }
  return cidrs.length ? { cidrs } : 'give a hop count or a list of addresses and CIDRs';
}

/** An IPv4 address as Node may report it on a dual-stack socket (::ffff:10.0.0.1). */
const plain = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

export function clientAddressResolver(trust: TrustProxy): (socketAddress: string, forwardedFor: string | undefined) => string {
  if (!trust) return (socketAddress) => plain(socketAddress);
  if ('hops' in trust) {
    return (socketAddress, forwardedFor) => {
      // Nearest first: the socket, then the header from right to left.
      const chain = [plain(socketAddress), ...forwarded(forwardedFor).reverse()];
      return chain[Math.min(trust.hops, chain.length - 1)]!;
    };
  }
  const trusted = new BlockList();
  for (const cidr of trust.cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (socketAddress, forwardedFor) => {
    const chain = [plain(socketAddress), ...forwarded(forwardedFor).reverse()];
    // Walk out from the socket while each hop is a trusted proxy: the first one that is not is the client.
    let i = 0;
    while (i < chain.length - 1 && isTrusted(chain[i]!)) i++;
    return chain[i]!;
  };
}

function forwarded(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => plain(part.trim()))
    .filter((part) => isIP(part) !== 0);
}
