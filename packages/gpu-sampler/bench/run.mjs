/**
 * GPU sampler benchmark: 2 simulated GPUs (nvml-sim, default scenario) sampled at 1 kHz.
 * Measures the sampler thread's CPU time per GPU sample, Node's event-loop delay p99 with and
 * without the sampler, the cost of latest() / a scrape, and compares the per-sample cost with
 * the same NVML calls made (a) from the JS thread through koffi and (b) from Python through
 * pynvml. Then the fast loop's per-sample cost with the slow loop and the event thread running
 * (scenarios/health-events.json: processes, ECC, PCIe with its 20 ms call, NVLink, XIDs) against
 * the fast loop alone, in alternating rounds. Writes bench/results/gpu-sampler.json at the
 * repository root.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createGpuSampler, defaultSimScenarioPath, nvmlSimLibraryPath, registerGpuMetrics } from '../dist/index.js';
import { koffiSampler } from './koffi-baseline.mjs';
import { threadCpuNs, threadsNamed } from './thread-cpu.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HEALTH_SCENARIO = fileURLToPath(new URL('../../../crates/nvml-sim/scenarios/health-events.json', import.meta.url));
const ci = process.env.CI === 'true';
process.env.NVML_SIM_SCENARIO ??= defaultSimScenarioPath;
const library = nvmlSimLibraryPath();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Event-loop delay p99 (ms) over `seconds` while `during` runs every 10 ms (a busy service). */
async function loopDelayP99(seconds, during = () => {}) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const timer = setInterval(during, 10);
  await sleep(seconds * 1000);
  clearInterval(timer);
  h.disable();
  return h.percentile(99) / 1e6;
}

function perCallNs(n, call) {
  for (let i = 0; i < Math.min(n, 1000); i++) call();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) call();
  return Number(process.hrtime.bigint() - t0) / n;
}

async function measureSampler() {
  const baseline = await loopDelayP99(SECONDS);
  // The fast loop alone, as the comparisons with koffi and pynvml make the same calls.
  const sampler = createGpuSampler({ libraryPath: library, intervalMs: 1, ringSize: 4096, slowIntervalMs: 0, events: false, required: true });
  await sleep(500); // warm-up; the thread also names itself only once it runs
  const [tid] = threadsNamed('gpu-sampler');
  if (!tid) throw new Error('the gpu-sampler thread was not found in /proc/self/task');
  const gpuSamples = () => sampler.stats().devices.reduce((n, d) => n + d.samplesTotal, 0);
  const cpu0 = threadCpuNs(tid);
  const n0 = gpuSamples();
  const ticks0 = sampler.stats().ticks;
  const t0 = performance.now();
  const withSampler = await loopDelayP99(SECONDS, () => sampler.latest());
  const cpu = threadCpuNs(tid) - cpu0;
  const n = gpuSamples() - n0;
  const tickHz = ((sampler.stats().ticks - ticks0) / (performance.now() - t0)) * 1000;
  const registry = new Registry();
  registerGpuMetrics(registry, sampler);
  const latestNs = perCallNs(20_000, () => sampler.latest());
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) await registry.metrics();
  const scrapeNs = Number(process.hrtime.bigint() - t1) / 200;
  const errors = sampler.stats().devices.flatMap((d) => d.errors);
  sampler.stop();
  if (errors.length) throw new Error(`the sampler met NVML errors: ${JSON.stringify(errors)}`);
  return { baseline, withSampler, cpuPerSampleNs: cpu / n, tickHz, latestNs, scrapeNs, samples: n };
}

/**
 * The fast loop's CPU per GPU sample at 1 kHz with the slow loop (every 100 ms, ten times its
 * default rate) and the event thread running, against the fast loop alone, on a scenario that
 * gives the slow loop work; rounds alternate so drift of the machine hits both alike.
 */
async function measureLoops() {
  const scenario = process.env.NVML_SIM_SCENARIO;
  process.env.NVML_SIM_SCENARIO = HEALTH_SCENARIO;
  const run = async (all) => {
    const sampler = createGpuSampler({ libraryPath: library, intervalMs: 1, ringSize: 4096, slowIntervalMs: all ? 100 : 0, events: all, required: true });
    await sleep(500);
    const [fast] = threadsNamed('gpu-sampler');
    const [slow] = threadsNamed('gpu-slow-loop');
    if (!fast || (all && !slow)) throw new Error('the sampler threads were not found in /proc/self/task');
    const samples = () => sampler.stats().devices.reduce((n, d) => n + d.samplesTotal, 0);
    const [cpu0, slow0, n0, ticks0] = [threadCpuNs(fast), slow ? threadCpuNs(slow) : 0, samples(), sampler.stats().slowTicks];
    await sleep(SECONDS * 1000);
    const stats = sampler.stats();
    const out = {
      fastNs: (threadCpuNs(fast) - cpu0) / (samples() - n0),
      slowNsPerTick: slow ? (threadCpuNs(slow) - slow0) / Math.max(1, stats.slowTicks - ticks0) : undefined,
      slowTicks: stats.slowTicks - ticks0,
    };
    sampler.stop();
    return out;
  };
  const alone = [];
  const together = [];
  for (let i = 0; i < ROUNDS; i++) {
    alone.push(await run(false));
    together.push(await run(true));
  }
  if (scenario === undefined) delete process.env.NVML_SIM_SCENARIO;
  else process.env.NVML_SIM_SCENARIO = scenario;
  const median = (xs) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    aloneNs: median(alone.map((r) => r.fastNs)),
    togetherNs: median(together.map((r) => r.fastNs)),
    slowNsPerTick: median(together.map((r) => r.slowNsPerTick)),
    slowTicks: together.reduce((n, r) => n + r.slowTicks, 0),
  };
}

/** (a) the same calls from the JS thread through koffi, paced at 1 kHz (Atomics.wait sleeps). */
function measureKoffi() {
  const nvml = koffiSampler(library);
  const wait = new Int32Array(new SharedArrayBuffer(4));
  const tick = (deadline) => {
    for (let i = 0; i < nvml.devices; i++) nvml.sampleDevice(i);
    const left = deadline - performance.now();
    if (left > 0) Atomics.wait(wait, 0, 0, left);
  };
  let deadline = performance.now();
  for (let i = 0; i < 300; i++) tick((deadline += 1));
  const cpu0 = threadCpuNs(process.pid);
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    tick((deadline += 1));
    n += nvml.devices;
  }
  const cpu = threadCpuNs(process.pid) - cpu0;
  nvml.close();
  return cpu / n;
}

/** (b) NVIDIA's Python binding over ctypes, paced at 1 kHz. */
function measurePynvml() {
  const script = fileURLToPath(new URL('./pynvml-baseline.py', import.meta.url));
  const run = spawnSync(process.env.PYTHON ?? 'python3', [script, library, String(SECONDS)], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split('\n').at(-1);
    if (ci) throw new Error(`pynvml baseline failed: ${why}`);
    return { skipped: `python3 with pynvml (pip install nvidia-ml-py) is missing: ${why}` };
  }
  return JSON.parse(run.stdout);
}

const s = await measureSampler();
const loops = await measureLoops();
const koffiNs = measureKoffi();
const py = measurePynvml();
const us = (ns) => ns / 1000;
const rows = [
  { case: 'sampler thread CPU per GPU sample (1 kHz, 2 GPUs)', value: us(s.cpuPerSampleNs), unit: 'µs' },
  { case: '(a) koffi from the JS thread, CPU per GPU sample', value: us(koffiNs), unit: 'µs' },
  { case: 'sampler vs (a) koffi', value: us(s.cpuPerSampleNs), unit: 'µs', ratio: s.cpuPerSampleNs / koffiNs, target: '< 1', met: s.cpuPerSampleNs < koffiNs },
];
if ('cpuNsPerGpuSample' in py) {
  rows.push(
    { case: '(b) pynvml (ctypes), CPU per GPU sample', value: us(py.cpuNsPerGpuSample), unit: 'µs' },
    { case: 'sampler vs (b) pynvml', value: us(s.cpuPerSampleNs), unit: 'µs', ratio: s.cpuPerSampleNs / py.cpuNsPerGpuSample, target: '< 1', met: s.cpuPerSampleNs < py.cpuNsPerGpuSample },
  );
}
rows.push(
  { case: 'fast loop CPU per GPU sample, alone (health-events scenario, 1 kHz)', value: us(loops.aloneNs), unit: 'µs' },
  {
    case: 'fast loop CPU per GPU sample with the slow loop (100 ms) and the event thread running',
    value: us(loops.togetherNs),
    unit: 'µs',
    ratio: loops.togetherNs / loops.aloneNs,
    target: 'unchanged within noise',
  },
  { case: `slow loop CPU per tick (2 GPUs; ${loops.slowTicks} ticks measured)`, value: us(loops.slowNsPerTick), unit: 'µs' },
  { case: 'event-loop delay p99 without the sampler', value: s.baseline, unit: 'ms' },
  { case: 'event-loop delay p99 with the sampler at 1 kHz (latest() every 10 ms)', value: s.withSampler, unit: 'ms', ratio: s.withSampler / s.baseline, target: 'unchanged within noise' },
  { case: 'latest() call (2 GPUs)', value: us(s.latestNs), unit: 'µs' },
  { case: 'scrape of the GPU family (registry.metrics(), one snapshot)', value: us(s.scrapeNs), unit: 'µs' },
  { case: 'achieved tick rate', value: s.tickHz, unit: 'Hz', target: '1000' },
);
const result = {
  name: 'gpu-sampler',
  description:
    'NVML sampling of 2 simulated GPUs (nvml-sim, default scenario) at 1 kHz: per-sample CPU of the Rust sampling thread ' +
    'against the same NVML calls from the JS thread (koffi) and from Python (pynvml/ctypes), all on the same libnvml_sim.so ' +
    `and paced at 1 kHz; thread CPU time from clock_gettime on each thread's CPU clock; ${SECONDS} s per case.` +
    ('skipped' in py ? ` (b) skipped: ${py.skipped}.` : ''),
  date: new Date().toISOString(),
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`,
  rows,
};
const out = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}gpu-sampler.json`, `${JSON.stringify(result, null, 2)}\n`);
for (const r of rows) console.log(`${r.case}: ${r.value.toPrecision(4)} ${r.unit}${r.ratio !== undefined ? ` (ratio ${r.ratio.toFixed(3)})` : ''}`);
console.log(`bench: wrote ${out}gpu-sampler.json`);
