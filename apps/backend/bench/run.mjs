/**
 * The backend benchmarks (run after build): what the service adds around the engines.
 * - job latency through the API (POST, queue, store, stage runner, events, result file, the
 *   `complete` event on socket.io) against calling the same engine directly;
 * - GET /api/v1/jobs/:id throughput with every middleware (request id, log, HTTP metrics)
 *   against a bare Hono route reading the same store;
 * - GET /health latency while image-to-3D jobs run, engines in threads against engines on the
 *   main thread (how long the event loop stalls);
 * - peak RSS while 16 uploads at the byte and pixel limits arrive at once: checking them from
 *   their header (now) against decoding each one fully to check it (before), and the service's.
 * Writes bench/results/backend.json. Then the fleet bench (./fleet.mjs: jobs per minute with 1, 2
 * and 3 worker replicas over Redis), which writes bench/results/fleet.json.
 * `node bench/run.mjs fleet` (or `backend`) runs only the one named.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { createCpuImageTo3dEngine, createProceduralTextToImageEngine, detachedContext } from '@orfeas/engines';
import { Hono } from 'hono';
import sharp from 'sharp';
import { io as connect } from 'socket.io-client';
import { loadConfig, startServer } from '../dist/index.js';
import { benchFleet } from './fleet.mjs';

const RESULTS = new URL('../../../bench/results/', import.meta.url);
const JOBS = 20;
const REQUESTS = 3000;
const CONCURRENCY = 8;

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (v, digits = 3) => Number(v.toPrecision(digits));

async function subjectPng(size, hue) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="rgb(20,20,30)"/><circle cx="${size / 2}" cy="${size / 2}" r="${size / 3}" fill="hsl(${hue},70%,60%)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function jobLatency(server, socket, submit) {
  const started = performance.now();
  const res = await submit();
  const { jobId } = await res.json();
  await new Promise((resolve, reject) => {
    const onDone = (p) => p.jobId === jobId && (cleanup(), resolve());
    const onError = (p) => p.jobId === jobId && (cleanup(), reject(new Error(JSON.stringify(p.error))));
    const cleanup = () => (socket.off('complete', onDone), socket.off('error', onError));
    socket.on('complete', onDone);
    socket.on('error', onError);
    socket.emit('subscribe', { jobId });
  });
  return (performance.now() - started) / 1000;
}

async function benchJobs(rows) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', LOG_LEVEL: 'silent', WORKER_CONCURRENCY: '1', ORFEAS_RATE_LIMIT: '0' });
  const server = await startServer(config);
  const socket = connect(server.url, { transports: ['websocket'] });
  await new Promise((r) => socket.once('connect', r));

  const text = createProceduralTextToImageEngine();
  const request = (seed) => ({ prompt: 'a lighthouse at dusk', style: 'watercolor', width: 256, height: 256, seed });
  const direct = [];
  const viaApi = [];
  for (let i = 0; i < JOBS + 3; i++) {
    let t = performance.now();
    await text.generate(request(1000 + i), detachedContext());
    if (i >= 3) direct.push((performance.now() - t) / 1000);
    const seconds = await jobLatency(server, socket, () =>
      fetch(`${server.url}/api/v1/text-to-image`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request(5000 + i)) }),
    );
    if (i >= 3) viaApi.push(seconds);
  }
  rows.push({ case: 'baseline: procedural text-to-image 256x256 called directly, p50', value: round(median(direct)), unit: 's' });
  rows.push({ case: 'text-to-image job through the API to the complete event, p50', value: round(median(viaApi)), unit: 's', ratio: round(median(viaApi) / median(direct)) });

  const engine = createCpuImageTo3dEngine();
  const direct3d = [];
  const api3d = [];
  for (let i = 0; i < JOBS + 3; i++) {
    const png = await subjectPng(256, i * 17);
    const ctx = detachedContext();
    let t = performance.now();
    const cutout = await engine.removeBackground(png, ctx);
    const mesh = await engine.generateShape(cutout, { quality: 'low' }, ctx);
    const textured = await engine.generateTexture(mesh, cutout, ctx);
    await engine.exportModel(textured, 'glb', ctx);
    if (i >= 3) direct3d.push((performance.now() - t) / 1000);
    const seconds = await jobLatency(server, socket, () => {
      const form = new FormData();
      form.set('image', new Blob([png], { type: 'image/png' }), 'in.png');
      form.set('format', 'glb');
      form.set('quality', 'low');
      return fetch(`${server.url}/api/v1/generations`, { method: 'POST', body: form });
    });
    if (i >= 3) api3d.push(seconds);
  }
  rows.push({ case: 'baseline: CPU image-to-3D, 256px PNG to GLB (low), four stages called directly, p50', value: round(median(direct3d)), unit: 's' });
  rows.push({ case: 'image-to-3D job through the API (upload checks included) to the complete event, p50', value: round(median(api3d)), unit: 's', ratio: round(median(api3d) / median(direct3d)) });
  socket.close();
  await server.close();
}

const execFileAsync = promisify(execFile);
const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Requests per second a separate client process gets from `url`. */
async function load(url, n, concurrency) {
  const { stdout } = await execFileAsync(process.execPath, [LOAD, url, String(n), String(concurrency)]);
  return Number(stdout.trim());
}

async function benchStatus(rows) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', LOG_LEVEL: 'silent', ORFEAS_RATE_LIMIT: '0' });
  const server = await startServer(config);
  const res = await fetch(`${server.url}/api/v1/text-to-image`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x', style: 'sketch', width: 64, height: 64, seed: 1 }) });
  const { jobId } = await res.json();

  const store = server.store;
  const bare = new Hono().get('/api/v1/jobs/:id', (c) => c.json(store.get(c.req.param('id'))));
  const bareServer = await new Promise((resolve) => {
    const s = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const bareUrl = `http://127.0.0.1:${bareServer.address().port}/api/v1/jobs/${jobId}`;
  const fullUrl = `${server.url}/api/v1/jobs/${jobId}`;
  await load(bareUrl, 300, CONCURRENCY);
  await load(fullUrl, 300, CONCURRENCY);
  const bareRates = [];
  const fullRates = [];
  for (let round = 0; round < 3; round++) {
    bareRates.push(await load(bareUrl, REQUESTS, CONCURRENCY));
    fullRates.push(await load(fullUrl, REQUESTS, CONCURRENCY));
  }
  rows.push({ case: `baseline: bare Hono GET of the job row, ${CONCURRENCY} concurrent clients`, value: round(median(bareRates)), unit: 'req/s' });
  rows.push({ case: 'GET /api/v1/jobs/:id with request id, logs and HTTP metrics', value: round(median(fullRates)), unit: 'req/s', ratio: round(median(fullRates) / median(bareRates)), target: '>= 0.5', met: median(fullRates) / median(bareRates) >= 0.5 });
  bareServer.close();
  await server.close();
}

/** Starts the built server as a child process; resolves with its URL and the process. */
async function spawnServer(env) {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORFEAS_GPU: 'off', ORFEAS_RATE_LIMIT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+?)"/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, child };
}

/** Latency of GET /health while image-to-3D jobs run: how long the event loop stalls. */
async function benchResponsiveness(rows) {
  const png = await subjectPng(512, 40);
  const results = {};
  for (const threads of ['0', '2']) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-'));
    const { url, child } = await spawnServer({ ORFEAS_DATA_DIR: dataDir, WORKER_CONCURRENCY: '2', ORFEAS_ENGINE_THREADS: threads });
    // Probes run from the first upload to the last completion, side by side with the jobs.
    const latencies = [];
    let done = false;
    const probing = (async () => {
      while (!done) {
        const t = performance.now();
        await (await fetch(`${url}/health`)).arrayBuffer();
        latencies.push((performance.now() - t) / 1000);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const ids = [];
    for (let i = 0; i < 6; i++) {
      const form = new FormData();
      form.set('image', new Blob([png], { type: 'image/png' }), 'in.png');
      form.set('format', 'glb');
      form.set('quality', i % 2 ? 'medium' : 'high');
      ids.push((await (await fetch(`${url}/api/v1/generations`, { method: 'POST', body: form })).json()).jobId);
    }
    const unfinished = new Set(ids);
    while (unfinished.size > 0) {
      for (const id of [...unfinished]) {
        const { state } = await (await fetch(`${url}/api/v1/jobs/${id}`)).json();
        if (state !== 'queued' && state !== 'running') unfinished.delete(id);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    done = true;
    await probing;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const sorted = latencies.sort((a, b) => a - b);
    results[threads] = { p95: sorted[Math.floor(sorted.length * 0.95)], max: sorted.at(-1), n: sorted.length };
  }
  rows.push({ case: `baseline: GET /health p95 while six 512px image-to-3D jobs run, engines on the main thread (${results['0'].n} probes)`, value: round(results['0'].p95), unit: 's' });
  rows.push({ case: `GET /health p95 while the same jobs run, engines in 2 threads (${results['2'].n} probes)`, value: round(results['2'].p95), unit: 's', ratio: round(results['2'].p95 / results['0'].p95), target: '< 1', met: results['2'].p95 < results['0'].p95 });
  rows.push({ case: 'GET /health worst case, engines on the main thread', value: round(results['0'].max), unit: 's' });
  rows.push({ case: 'GET /health worst case, engines in 2 threads', value: round(results['2'].max), unit: 's', ratio: round(results['2'].max / results['0'].max) });
}

/** 16 distinct 4096x4096 JPEGs (the pixel limit) just under 10 MiB (the byte limit), written to a folder. */
async function uploadsAtTheLimits() {
  const side = 4096;
  const raw = Buffer.alloc(side * side * 3);
  let seed = 7;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const x = (i / 3) % side;
    const y = Math.floor(i / 3 / side);
    raw[i] = ((i % 3 === 0 ? x >> 4 : i % 3 === 1 ? y >> 4 : x ^ y) + ((seed >>> 16) & 127)) & 255;
  }
  const jpeg = await sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-uploads-'));
  return Array.from({ length: 16 }, (_, i) => {
    // A comment segment after SOI makes each file (and its cache key) its own; the pixels are the same.
    const note = Buffer.from(`upload ${i}`);
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, note.length + 2]), note]);
    const file = path.join(dir, `upload-${i}.jpg`);
    writeFileSync(file, Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]));
    return { file, bytes: jpeg.length + segment.length };
  });
}

const kB = (status, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)[1]) * 1024;

/** Peak RSS while 16 uploads at the limits arrive at once. */
async function benchUploadMemory(rows) {
  const uploads = await uploadsAtTheLimits();
  const inspect = async (mode) => {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL('./inspect-uploads.mjs', import.meta.url)), mode, ...uploads.map((u) => u.file)]);
      runs.push(JSON.parse(stdout).peakGrowthBytes);
    }
    return median(runs);
  };
  const decoded = await inspect('decode');
  const header = await inspect('header');
  const mib = (b) => round(b / 2 ** 20);
  rows.push({ case: 'baseline (before): peak RSS growth checking 16 uploads at the limits at once (4096x4096 JPEG, 9.2 MiB) by decoding each', value: mib(decoded), unit: 'MiB' });
  rows.push({ case: 'peak RSS growth checking the same 16 uploads from their structure and header (now)', value: mib(header), unit: 'MiB', ratio: round(header / decoded), target: '< 1', met: header < decoded });

  // The service itself: its peak RSS from before the 16 arrive until all are answered.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-'));
  const { url, child } = await spawnServer({ ORFEAS_DATA_DIR: dataDir, WORKER_CONCURRENCY: '1', ORFEAS_ENGINE_THREADS: '1' });
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  await (await fetch(`${url}/health`)).arrayBuffer();
  const before = kB(status(), 'VmRSS');
  const answers = await Promise.all(
    uploads.map(async ({ file }) => {
      const form = new FormData();
      form.set('image', new Blob([readFileSync(file)], { type: 'image/jpeg' }), 'upload.jpg');
      form.set('format', 'stl');
      form.set('quality', 'low');
      return (await fetch(`${url}/api/v1/generations`, { method: 'POST', body: form })).status;
    }),
  );
  const peak = kB(status(), 'VmHWM');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  if (answers.some((s) => s !== 202)) throw new Error(`uploads answered ${answers.join(', ')}`);
  rows.push({ case: 'the service: peak RSS growth while the 16 uploads arrive at once and are answered 202 (its first job starts meanwhile)', value: mib(peak - before), unit: 'MiB' });
}

const only = process.argv.slice(2);
const BENCHES = ['backend', 'fleet'];
const unknown = only.filter((name) => !BENCHES.includes(name));
if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}: choose from ${BENCHES.join(', ')}`);
const wanted = (name) => only.length === 0 || only.includes(name);

if (wanted('backend')) {
  const rows = [];
  const started = performance.now();
  await benchJobs(rows);
  await benchStatus(rows);
  await benchResponsiveness(rows);
  await benchUploadMemory(rows);
  mkdirSync(RESULTS, { recursive: true });
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const result = {
    name: 'backend',
    description: 'What the service adds around the engines: job latency through the API against the engine alone, job-status throughput with all middleware against bare Hono, /health latency during jobs with engines in threads against engines on the main thread, and the memory 16 uploads at the limits take to check (ratios against the baseline row above each)',
    date: new Date().toISOString(),
    machine,
    rows,
  };
  writeFileSync(new URL('backend.json', RESULTS), `${JSON.stringify(result, null, 2)}\n`);
  for (const row of rows) console.log(`  ${row.case}: ${row.value} ${row.unit}${row.ratio === undefined ? '' : ` (x${row.ratio})`}`);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
if (wanted('fleet')) await benchFleet();
