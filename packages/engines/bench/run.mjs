/**
 * Benchmark of the CPU image-to-3D engine: a 512x512 image to GLB, per stage and in total
 * (p50/p95 over 20 runs), against decoding the same PNG alone as the baseline; then jobs per
 * minute with one and with two worker threads. Writes bench/results/engines.json at the root.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { benchImage } from './image.mjs';
import { runJob, STAGES } from './pipeline.mjs';

const RUNS = 20;
const THROUGHPUT_JOBS_PER_WORKER = 10;
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', '..', 'bench', 'results', 'engines.json');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function throughput(image, workers) {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, () => new Promise((resolve, reject) => {
      const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { image, jobs: THROUGHPUT_JOBS_PER_WORKER } });
      w.once('message', resolve);
      w.once('error', reject);
    })),
  );
  const minutes = (performance.now() - start) / 60000;
  return (workers * THROUGHPUT_JOBS_PER_WORKER) / minutes;
}

const image = await benchImage(512);
// Warm-up: the first job pays for loading libvips and JIT compilation.
for (let i = 0; i < 2; i++) await runJob(image);

const decode = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await sharp(image).raw().toBuffer();
  decode.push((performance.now() - t) / 1000);
}
const samples = Object.fromEntries([...STAGES, 'total'].map((k) => [k, []]));
let last;
for (let i = 0; i < RUNS; i++) {
  const { times, model } = await runJob(image);
  for (const k of Object.keys(samples)) samples[k].push(times[k]);
  last = model;
}

const decodeP50 = quantile(decode, 0.5);
const rows = [{ case: 'baseline: decode 512x512 PNG, p50', value: decodeP50, unit: 's' }];
for (const k of [...STAGES, 'total']) {
  for (const q of [0.5, 0.95]) {
    rows.push({ case: `${k === 'total' ? 'image to GLB total' : k}, p${q * 100}`, value: quantile(samples[k], q), unit: 's', ratio: quantile(samples[k], q) / decodeP50 });
  }
}
const one = await throughput(image, 1);
const two = await throughput(image, 2);
rows.push({ case: 'jobs per minute, 1 worker', value: one, unit: 'jobs/min' });
rows.push({ case: 'jobs per minute, 2 workers', value: two, unit: 'jobs/min', ratio: two / one });
rows.push({ case: 'GLB size', value: last.files[0].data.byteLength, unit: 'bytes' });
rows.push({ case: 'GLB triangles', value: last.triangleCount, unit: 'triangles' });
rows.push({ case: 'overall quality score', value: last.quality.scores.overall, unit: 'ratio' });

const result = {
  name: 'engines',
  description: `CPU image-to-3D engine: 512x512 PNG to GLB at medium quality, p50/p95 over ${RUNS} runs per stage (ratio: against decoding the PNG alone); throughput with 1 and 2 worker threads (ratio: 2 workers over 1)`,
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  rows,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
for (const r of rows) console.log(`${r.case.padEnd(42)} ${r.value.toFixed(r.unit === 's' ? 4 : r.unit === 'ratio' ? 3 : 1).padStart(12)} ${r.unit}${r.ratio !== undefined ? `  (x${r.ratio.toFixed(2)})` : ''}`);
console.log(`wrote ${out}`);
