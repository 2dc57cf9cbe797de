/**
 * Starts Prometheus and Alertmanager from Debian's binaries on loopback, each with its own
 * temporary data directory, and waits until they answer. Each returned handle stops its
 * process (and only it) and keeps the last lines of its output for error messages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = 'prometheus';
export const ALERTMANAGER_BIN = 'prometheus-alertmanager';

/** Whether an executable is on PATH. */
export function onPath(command) {
  return spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0;
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} Running a started process
 * @property {string} name
 * @property {number | undefined} pid
 * @property {string | null} exited how it ended, null while it runs
 * @property {Promise<void>} done settles when it exits
 * @property {() => string} output its last lines of output
 * @property {() => Promise<void>} stop
 * @property {string} [url] where it answers, for servers
 */

/**
 * Polls `url` until it answers 2xx, or fails naming the process and its last output.
 * @param {string} url
 * @param {{ timeoutMs?: number, process?: Running }} [options]
 */
export async function waitForHttp(url, { timeoutMs = 30_000, process: child } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child?.exited) throw new Error(`${child.name} exited (${child.exited}) before ${url} answered:\n${child.output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})${child ? `:\n${child.output()}` : ''}`);
}

/**
 * Spawns a long-running process; `done` settles when it exits, `stop()` ends it (SIGTERM, then SIGKILL).
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, cwd?: string, keepLines?: number }} [options]
 * @returns {Running}
 */
export function startProcess(name, command, args, { env, cwd, keepLines = 60 } = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (chunk) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > keepLines) lines.splice(0, lines.length - keepLines);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  /** @type {Running} */
  const handle = {
    name,
    pid: child.pid,
    exited: null,
    done: Promise.resolve(),
    output: () => lines.join('\n'),
    stop: () =>
      new Promise((resolve) => {
        if (handle.exited) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  handle.done = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      handle.exited = signal ?? `code ${code}`;
      resolve();
    });
  });
  child.on('error', (error) => {
    handle.exited = error.message;
  });
  return handle;
}

/**
 * A temporary directory removed by the returned function.
 * @param {string} prefix
 */
export function tempDir(prefix) {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A Prometheus-family server on 127.0.0.1:port; resolves once /-/ready answers.
 * @param {string} bin
 * @param {number} port
 * @param {string[]} args besides the listen address and external URL
 * @returns {Promise<Running & { url: string }>}
 */
async function startServer(bin, port, args) {
  const url = `http://127.0.0.1:${port}`;
  const server = startProcess(bin, bin, [...args, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${url}/`]);
  try {
    await waitForHttp(`${url}/-/ready`, { process: server });
  } catch (error) {
    await server.stop();
    throw error;
  }
  server.url = url;
  return /** @type {Running & { url: string }} */ (server);
}

/**
 * Prometheus on 127.0.0.1:port with `configPath`, data in `dataDir`.
 * @param {{ configPath: string, port: number, dataDir: string }} options
 */
export const startPrometheus = ({ configPath, port, dataDir }) =>
  startServer(PROMETHEUS_BIN, port, [`--config.file=${configPath}`, `--storage.tsdb.path=${dataDir}`, '--web.enable-lifecycle']);

/**
 * Alertmanager on 127.0.0.1:port, clustering off.
 * @param {{ configPath: string, port: number, dataDir: string }} options
 */
export const startAlertmanager = ({ configPath, port, dataDir }) =>
  startServer(ALERTMANAGER_BIN, port, [`--config.file=${configPath}`, `--storage.path=${dataDir}`, '--cluster.listen-address=']);
