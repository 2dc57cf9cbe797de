/** Starts a backend for a test: a fresh data directory, an ephemeral port, quiet logs, test engines by default. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig, startServer, type Engines, type RunningServer } from '../../src/index.js';

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-backend-test-'));
}

export async function startTestServer(env: Record<string, string> = {}, engines?: Engines): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ORFEAS_DATA_DIR: tempDataDir(),
    ORFEAS_GPU: 'off',
    LOG_LEVEL: 'silent',
    ORFEAS_SHUTDOWN_GRACE_MS: '2000',
    ...env,
  });
  return startServer(config, engines ? { engines } : {});
}

export function socketClient(url: string): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Resolves with the payload of the next `event` that satisfies `match`. */
export function nextEvent<T = any>(socket: Socket, event: string, match: (payload: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (payload: T) => {
      if (!match(payload)) return;
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Polls GET /api/v1/jobs/:id until the job is in one of `states`. */
export async function waitForState(url: string, jobId: string, states: string[], timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${url}/api/v1/jobs/${jobId}`, { headers })).json()) as any;
    if (states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function submitImage(url: string, image: Uint8Array, fields: Record<string, string> = {}, type = 'image/png') {
  const form = new FormData();
  form.set('image', new Blob([image], { type }), 'input');
  for (const [key, value] of Object.entries({ format: 'obj', quality: 'low', ...fields })) form.set(key, value);
  return fetch(`${url}/api/v1/generations`, { method: 'POST', body: form });
}
