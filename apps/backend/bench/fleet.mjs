/**
 * The fleet benchmark (run after build): image-to-3D jobs per minute with 1, 2 and 3 worker
 * replicas (ORFEAS_API=off, ORFEAS_WORKERS=1 each) behind one API-only replica
 * (ORFEAS_WORKERS=0), all on one redis-server started here on loopback, as the fleet tests do
 * (test/support/{redis,fleet,process}.ts; this is their .mjs equivalent). Each run is a fresh
 * fleet: a new ORFEAS_REDIS_PREFIX and a new shared data directory, so nothing is cached from an
 * earlier run. Per run: a warm-up of 2 jobs per worker, then a batch of BATCH jobs submitted at
 * once (throughput, and submit-to-start while the batch waits), then PACED jobs one at a time
 * with every worker idle (the queue's own pickup latency). Rounds alternate the order of the
 * replica counts (1,2,3 then 3,2,1), and a round's ratio is against its own 1-worker run.
 * Writes bench/results/fleet.json. Run alone: `node bench/run.mjs fleet` (or `node bench/fleet.mjs`).
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const RESULTS = new URL('../../../bench/results/', import.meta.url);
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BATCH = Number(process.env.BENCH_FLEET_JOBS ?? 80);
const PACED = Number(process.env.BENCH_FLEET_PACED ?? 8);
const ROUNDS = Number(process.env.BENCH_FLEET_ROUNDS ?? 3);
const REPLICAS = [1, 2, 3];
const SIZE = 256;
const FIELDS = { format: 'glb', quality: 'medium' };
const SUBMIT_CONCURRENCY = 4;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (v, digits = 3) => Number(v.toPrecision(digits));
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Nearest-rank percentile. */
const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** What is missing to run this bench here, or undefined. */
function missing() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server is not installed (apt-get install redis-server)';
  if (!existsSync(MAIN)) return `${MAIN} is missing: run \`npm run build -w @orfeas/backend\` first`;
  return undefined;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Debian's redis-server on a free loopback port, AOF on, in a directory of its own. */
async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The built backend as a child process (node dist/main.js); resolves once it listens. */
async function spawnBackend(env) {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORFEAS_GPU: 'off', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    let found = false;
    const onData = (chunk) => {
      tail = (tail + chunk).slice(-16_384);
      const match = !found && /listening on (http:\/\/\S+?)"/.exec(tail);
      if (match) {
        found = true;
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`backend exited (${code ?? signal}) before listening:\n${tail}`)));
  });
  return {
    url,
    pid: child.pid,
    tail: () => tail,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A light disc on a dark background (as test/support/images.ts makes them), a hue and offset per job so no two share a cache key. */
async function subjectPng(i) {
  const r = SIZE / 3;
  const dx = (i % 7) - 3;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}">
    <rect width="100%" height="100%" fill="rgb(20,20,30)"/>
    <circle cx="${SIZE / 2 + dx}" cy="${SIZE / 2}" r="${r}" fill="hsl(${(i * 37) % 360},70%,60%)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function submit(url, png) {
  const form = new FormData();
  form.set('image', new Blob([png], { type: 'image/png' }), 'input.png');
  for (const [k, v] of Object.entries(FIELDS)) form.set(k, v);
  const res = await fetch(`${url}/api/v1/generations`, { method: 'POST', body: form });
  const body = await res.json();
  if (res.status !== 202) throw new Error(`POST /api/v1/generations answered ${res.status}: ${JSON.stringify(body)}`);
  return body.jobId;
}

async function view(url, id) {
  const res = await fetch(`${url}/api/v1/jobs/${id}`);
  if (res.status !== 200) throw new Error(`GET /api/v1/jobs/${id} answered ${res.status}`);
  return res.json();
}

/** Waits until every job has finished, polling the oldest unfinished one (few requests, so the API replica stays quiet); returns the final views. */
async function waitAll(url, ids, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (const id of ids) {
    for (;;) {
      const job = await view(url, id);
      if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${id} ${job.state}: ${JSON.stringify(job.error)}`);
      if (job.state === 'completed') break;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
  const views = await Promise.all(ids.map((id) => view(url, id)));
  const cached = views.filter((v) => v.cached).length;
  if (cached) throw new Error(`${cached} jobs were answered from the result cache: the images must differ`);
  return views;
}

/** Submits all of `images` with a few concurrent uploads; job ids in submission order. */
async function submitBatch(url, images) {
  const ids = new Array(images.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
      while (next < images.length) {
        const i = next++;
        ids[i] = await submit(url, images[i]);
      }
    }),
  );
  return ids;
}

const t = (iso) => Date.parse(iso) / 1000;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Waits until the API replica sees `workers` workers connected to the queue (job_queue_workers, fleet-wide). */
async function waitForWorkers(url, workers, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /^job_queue_workers(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
    if (match && Number(match[1]) === workers) return;
    if (Date.now() > deadline) throw new Error(`job_queue_workers is ${match?.[1]} after ${timeoutMs} ms, expected ${workers}`);
    await sleep(200);
  }
}

/** One fresh fleet of one API-only replica and `workers` worker replicas: its batch throughput and queue latencies. */
async function runFleet(redis, workers, images) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-bench-fleet-'));
  const base = { ORFEAS_REDIS_URL: redis.url, ORFEAS_REDIS_PREFIX: `orfeas-bench-${crypto.randomBytes(4).toString('hex')}`, ORFEAS_DATA_DIR: dataDir, ORFEAS_RATE_LIMIT: '0', ORFEAS_GPU: 'off' };
  const replicas = [];
  try {
    const started = await Promise.all([
      spawnBackend({ ...base, ORFEAS_WORKERS: '0' }),
      ...Array.from({ length: workers }, () => spawnBackend({ ...base, ORFEAS_API: 'off', ORFEAS_WORKERS: '1' })),
    ]);
    replicas.push(...started);
    const api = started[0].url;
    await waitForWorkers(api, workers);

    // Warm-up: 2 jobs per worker, not counted (first jobs pay for JIT and the engine thread's start).
    await waitAll(api, await submitBatch(api, images.warmup.slice(0, 2 * workers)));

    const pids = [redis.pid, ...started.map((r) => r.pid)];
    const cpuBefore = pids.map(cpuSeconds);
    const views = await waitAll(api, await submitBatch(api, images.batch));
    const cpuPerJob = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpuBefore[i], 0) / views.length;
    const first = Math.min(...views.map((v) => t(v.createdAt)));
    const last = Math.max(...views.map((v) => t(v.finishedAt)));
    const jobsPerMinute = (views.length / (last - first)) * 60;
    const batchWaits = views.map((v) => t(v.startedAt) - t(v.createdAt));

    // The queue's own latency: one job at a time, every worker idle when it arrives.
    const idleWaits = [];
    for (const png of images.paced) {
      await sleep(100);
      const [job] = await waitAll(api, [await submit(api, png)]);
      idleWaits.push(t(job.startedAt) - t(job.createdAt));
    }
    return { jobsPerMinute, cpuPerJob, batchWaits, idleWaits };
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchFleet() {
  const why = missing();
  if (why) {
    console.error(`fleet bench: cannot run: ${why}`);
    process.exitCode = 1;
    return false;
  }
  const benchStarted = performance.now();
  const loadBefore = os.loadavg()[0];
  const images = {
    warmup: await Promise.all(Array.from({ length: 2 * Math.max(...REPLICAS) }, (_, i) => subjectPng(1000 + i))),
    batch: await Promise.all(Array.from({ length: BATCH }, (_, i) => subjectPng(i))),
    paced: await Promise.all(Array.from({ length: PACED }, (_, i) => subjectPng(2000 + i))),
  };
  const redis = await startRedis();
  const runs = Object.fromEntries(REPLICAS.map((k) => [k, []]));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? [...REPLICAS].reverse() : REPLICAS;
      for (const k of order) {
        const run = await runFleet(redis, k, images);
        runs[k].push(run);
        console.log(`  round ${r + 1}, ${k} worker replica(s): ${run.jobsPerMinute.toFixed(1)} jobs/min`);
      }
    }
  } finally {
    await redis.stop();
  }

  const loadAfter = os.loadavg()[0];
  const rows = [];
  const cores = os.cpus().length;
  for (const k of REPLICAS) {
    const rates = runs[k].map((run) => run.jobsPerMinute);
    const ratios = runs[k].map((run, r) => run.jobsPerMinute / runs[1][r].jobsPerMinute);
    const cpu = runs[k].map((run) => run.cpuPerJob);
    const cpuRatios = runs[k].map((run, r) => run.cpuPerJob / runs[1][r].cpuPerJob);
    const batch = runs[k].flatMap((run) => run.batchWaits);
    const idle = runs[k].flatMap((run) => run.idleWaits);
    const who = `${k} worker replica${k > 1 ? 's' : ''}`;
    rows.push(
      k === 1
        ? { case: `baseline: ${who}, image-to-3D jobs per minute (batch of ${BATCH}, median of ${ROUNDS} rounds)`, value: round(median(rates)), unit: 'jobs/min' }
        : { case: `${who}, image-to-3D jobs per minute (batch of ${BATCH}, median of ${ROUNDS} rounds; ratio: median of each round's against its 1-worker run)`, value: round(median(rates)), unit: 'jobs/min', ratio: round(median(ratios)) },
      k === 1
        ? { case: `baseline: ${who}: CPU per job, every replica and redis-server together (user + system, median of rounds)`, value: round(median(cpu)), unit: 'cpu-s' }
        : { case: `${who}: CPU per job, every replica and redis-server together (ratio: against the same round's 1-worker run)`, value: round(median(cpu)), unit: 'cpu-s', ratio: round(median(cpuRatios)) },
      { case: `${who}: queue latency with every worker idle (submit to start, one job at a time), p50`, value: round(percentile(idle, 50)), unit: 's' },
      { case: `${who}: queue latency with every worker idle, p95 (${idle.length} jobs)`, value: round(percentile(idle, 95)), unit: 's' },
      { case: `${who}: submit to start inside the batch (waiting behind it included), p50`, value: round(percentile(batch, 50)), unit: 's' },
      { case: `${who}: submit to start inside the batch, p95 (${batch.length} jobs)`, value: round(percentile(batch, 95)), unit: 's' },
    );
  }

  mkdirSync(RESULTS, { recursive: true });
  const result = {
    name: 'fleet',
    description: `Redis mode on loopback: one API-only replica (ORFEAS_WORKERS=0) and 1, 2 or 3 worker replicas (ORFEAS_API=off, ORFEAS_WORKERS=1, ORFEAS_GPU=off, CPU engine) on one redis-server (AOF on), a fresh ORFEAS_REDIS_PREFIX and shared data directory per run. ${SIZE}px PNGs to GLB (medium), all distinct. Jobs per minute = batch size over first createdAt to last finishedAt of the job views; CPU per job = user + system time of every replica and redis-server during the batch (/proc/<pid>/stat) over the batch size; queue latency = startedAt - createdAt of GET /api/v1/jobs/:id, idle (one job at a time, ${PACED} per run) and inside the batch. ${ROUNDS} rounds, replica counts in alternating order. Measured on ${cores} CPU cores, shared by every replica, Redis and the client: more worker replicas than cores cannot add throughput here.`,
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'cpu'} x${cores}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${spawnSync('redis-server', ['--version']).stdout.toString().trim().split(' ').slice(0, 3).join(' ')}`,
    cores,
    loadavg: { before: round(loadBefore), after: round(loadAfter) },
    note: `os.cpus().length = ${cores}: the replicas, redis-server and the bench client share these cores, so the ratio flattens once worker replicas reach the core count. 1-minute load average ${round(loadBefore)} before the bench, ${round(loadAfter)} after (other work on the machine moves the wall-clock rates; CPU per job does not depend on it).`,
    rows,
  };
  writeFileSync(new URL('fleet.json', RESULTS), `${JSON.stringify(result, null, 2)}\n`);
  for (const row of rows) console.log(`  ${row.case}: ${row.value} ${row.unit}${row.ratio === undefined ? '' : ` (x${row.ratio})`}`);
  console.log(`  (fleet: ${((performance.now() - benchStarted) / 1000).toFixed(1)} s)`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchFleet();
