/**
 * What the tests share: whether the native half is built (missing -> skip with a message,
 * failure under CI=true), scenarios for nvml-sim, the sim's clock, and polling.
 */
import { existsSync, readdirSync } from 'node:fs';
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

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Threads of this process. */
export function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}
