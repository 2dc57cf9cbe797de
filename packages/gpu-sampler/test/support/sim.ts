/**
 * What the tests share: whether the native half is built (missing -> skip with a message,
 * failure under CI=true), scenarios for nvml-sim, the sim's clock, and polling.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import koffi from 'koffi';
import { describe } from 'vitest';
import { loadBinding } from '../../src/native/binding.js';
import { nvmlSimLibraryPath } from '../../src/sim/paths.js';

const ci = process.env.CI === 'true';
const loaded = loadBinding();
export const nativeMissing: string | undefined =
  'reason' in loaded ? loaded.reason
  : !existsSync(nvmlSimLibraryPath()) ? `${nvmlSimLibraryPath()} is missing: run \`npm run build -w @orfeas/gpu-sampler\``
  : undefined;

if (nativeMissing && !ci) console.warn(`[gpu-sampler tests] skipped: ${nativeMissing}`);

/** describe() for suites that need the addon and nvml-sim; under CI a missing build fails. */
export function describeNative(name: string, suite: () => void): void {
  describe.skipIf(nativeMissing !== undefined && !ci)(name, suite);
}

/** The scenario nvml-sim reads at the next nvmlInit. */
export function useScenario(scenario: object): void {
  process.env.NVML_SIM_SCENARIO = JSON.stringify(scenario);
}

let originFn: (() => number | bigint) | undefined;

/** Unix µs of the running sim session's nvmlInit: the time origin of the schedules. */
export function simOriginUs(): number {
  // dlopen of the same file gives the instance the sampler loaded, with its session.
  originFn ??= koffi.load(nvmlSimLibraryPath()).func('uint64_t nvmlSimInitTimestampUs()') as () => number | bigint;
  return Number(originFn());
}

/**
 * Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`: the
 * sampling thread and the test may both be delayed on a loaded machine, so tests wait on what
 * they need with a generous deadline instead of sleeping a fixed time.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Consecutive driver sample timestamps (µs) of one GPU and kind, `periodUs` apart: none lost
 * (the integrals are exact only then), none twice.
 */
export function consecutive(driver: { gpu: number; kind: string; timestampUs: number }[], gpu: number, kind: string, periodUs: number): number[] {
  const ts = driver.filter((d) => d.gpu === gpu && d.kind === kind).map((d) => d.timestampUs);
  if (ts.length < 50) throw new Error(`GPU ${gpu} ${kind}: only ${ts.length} driver samples`);
  const steps = ts.slice(1).map((t, i) => t - ts[i]!);
  const bad = steps.findIndex((step) => step !== periodUs);
  if (bad >= 0) throw new Error(`GPU ${gpu} ${kind}: samples ${ts[bad]} and ${ts[bad + 1]} are not ${periodUs} µs apart (lost or repeated)`);
  return ts;
}

/**
 * Sampling threads of this process (named gpu-sampler). Counted by name: Node and vitest may
 * start threads of their own while a test awaits.
 */
export function samplerThreadCount(): number {
  return readdirSync('/proc/self/task').filter((task) => {
    try {
      return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'gpu-sampler';
    } catch {
      return false; // the thread exited while we listed
    }
  }).length;
}
