/**
 * Who may call. With ORFEAS_API_KEYS_FILE (hashes, never keys) every /api route and the
 * socket.io handshake need a key, a key sees only its own jobs, and the rate limit is per key.
 * METRICS_TOKEN_FILE guards the scrape; behind ORFEAS_TRUST_PROXY the rate limit and the logs
 * use X-Forwarded-For, from trusted proxies only.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey } from '../src/auth/api-keys.js';
import { loadConfig, startServer, type RunningServer } from '../src/index.js';
import { startTestServer, tempDataDir, waitForState } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

const alice = newApiKey('alice');
const bob = newApiKey('bob');
const secrets = tempDataDir();
const keysFile = path.join(secrets, 'api-keys');
fs.writeFileSync(keysFile, `# ORFEAS API keys\n${alice.line}\n\n${bob.line}\n`, { mode: 0o600 });

const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
// A new seed each time, so no request is answered from the cache.
let seed = 0;
const textJob = (url: string, key?: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(key), ...headers },
    body: JSON.stringify({ prompt: 'a locked door', style: 'sketch', width: 64, height: 64, seed: ++seed }),
  });

describe('API keys', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ ORFEAS_API_KEYS_FILE: keysFile, ORFEAS_RATE_LIMIT: '3' }, createTestEngines());
  });
  afterAll(() => server?.close());

  it('answers 401 with a JSON body without a key or with a wrong one, and leaves the probes open', async () => {
    for (const [method, route] of [['POST', '/api/v1/text-to-image'], ['GET', '/api/v1/gpu'], ['GET', '/api/v1/jobs/3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59']]) {
      for (const key of [undefined, 'orfeas_not-a-key', alice.key.slice(0, -1)]) {
        const res = await fetch(`${server.url}${route}`, { method, headers: auth(key) });
        expect(res.status, `${method} ${route} with ${key ?? 'no key'}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
        expect(((await res.json()) as any).error.code).toBe('unauthorized');
      }
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
  });

  it('shows a key only its own jobs, over HTTP and in socket rooms', async () => {
    const submitted = await textJob(server.url, alice.key);
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as any;
    const job = (url: string, key: string) => fetch(`${server.url}/api/v1/jobs/${jobId}${url}`, { headers: auth(key) });
    await waitForState(server.url, jobId, ['completed'], 30_000, auth(alice.key));
    expect((await job('', alice.key)).status).toBe(200);
    for (const suffix of ['', '/result']) {
      const res = await job(suffix, bob.key);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('job_not_found');
    }
    expect((await fetch(`${server.url}/api/v1/jobs/${jobId}`, { method: 'DELETE', headers: auth(bob.key) })).status).toBe(404);
    expect((await job('/result', alice.key)).status).toBe(200);

    const refused = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const error = await new Promise<Error & { data?: unknown }>((resolve) => refused.once('connect_error', resolve));
    expect(error.message).toMatch(/needs a key/);
    expect(error.data).toEqual({ code: 'unauthorized' });
    refused.close();

    const socketOf = (key: string) =>
      new Promise<ReturnType<typeof connect>>((resolve, reject) => {
        const socket = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: key } });
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    const bobs = await socketOf(bob.key);
    expect(await bobs.emitWithAck('subscribe', { jobId })).toMatchObject({ ok: false, error: { code: 'job_not_found' } });
    bobs.close();
    const alices = await socketOf(alice.key);
    expect(await alices.emitWithAck('subscribe', { jobId })).toMatchObject({ ok: true, job: { id: jobId } });
    alices.close();
  });

  it('limits each key on its own', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await textJob(server.url, bob.key)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // Bob's limit is not Alice's, though both come from the same address.
    expect((await textJob(server.url, alice.key)).status).toBe(202);
  });
});

describe('METRICS_TOKEN_FILE and ORFEAS_TRUST_PROXY', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const start = async (env: Record<string, string>) => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: tempDataDir(), ORFEAS_GPU: 'off', ...env });
    const server = await startServer(config, { engines: createTestEngines(), logger });
    servers.push(server);
    return { server, lines };
  };

  it('reads the scrape token from a file', async () => {
    const tokenFile = path.join(secrets, 'metrics-token');
    fs.writeFileSync(tokenFile, 'scrape-me\n', { mode: 0o600 });
    const { server } = await start({ METRICS_TOKEN_FILE: tokenFile });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: auth('scrape-me') })).status).toBe(200);
    expect(() => loadConfig({ METRICS_TOKEN_FILE: path.join(secrets, 'missing') })).toThrow(/METRICS_TOKEN_FILE=".*missing": ENOENT/);
  });

  it('keys the rate limit and the logs on X-Forwarded-For from a trusted proxy only', async () => {
    const { server: behind, lines } = await start({ ORFEAS_TRUST_PROXY: '127.0.0.0/8', ORFEAS_RATE_LIMIT: '1' });
    const from = (client: string) => ({ 'x-forwarded-for': client });
    expect((await textJob(behind.url, undefined, from('203.0.113.1'))).status).toBe(202);
    expect((await textJob(behind.url, undefined, from('203.0.113.1'))).status).toBe(429);
    // Another client behind the same proxy has its own limit.
    expect((await textJob(behind.url, undefined, from('203.0.113.2'))).status).toBe(202);
    expect(lines.filter((l) => l.msg === 'request').map((l) => l.client)).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.2']);

    // Here loopback is no trusted proxy: the header is the client's own claim and is ignored.
    const { server: direct } = await start({ ORFEAS_TRUST_PROXY: '10.0.0.0/8', ORFEAS_RATE_LIMIT: '1' });
    expect((await textJob(direct.url, undefined, from('203.0.113.1'))).status).toBe(202);
    expect((await textJob(direct.url, undefined, from('203.0.113.9'))).status).toBe(429);
  });
});
