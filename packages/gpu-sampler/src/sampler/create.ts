/**
 * createGpuSampler: starts the native sampling thread, or returns a sampler that is not
 * available and says why (no addon, no NVML, NVML failing to start). It throws only for bad
 * options, or with `required: true`.
 */
import { loadBinding, type NativeSampler } from '../native/binding.js';
import type { GpuSampler, GpuSamplerOptions, GpuSamplerStats } from './types.js';

const DEFAULT_INTERVAL_MS = 100;
const DEFAULT_RING_SIZE = 1000;

/** Samplers still running, stopped at process exit so no thread samples during teardown. */
const running = new Set<NativeSampler>();
let exitHook = false;

function checkOptions(options: GpuSamplerOptions): void {
  const { intervalMs, ringSize, libraryPath } = options;
  if (intervalMs !== undefined && !(Number.isFinite(intervalMs) && intervalMs >= 1 && intervalMs <= 3_600_000)) {
    throw new RangeError(`createGpuSampler: intervalMs must be a number from 1 to 3600000 (an hour), got ${intervalMs}`);
  }
  if (ringSize !== undefined && !(Number.isInteger(ringSize) && ringSize >= 1 && ringSize <= 10_000_000)) {
    throw new RangeError(`createGpuSampler: ringSize must be an integer 1..10000000, got ${ringSize}`);
  }
  if (libraryPath !== undefined && (typeof libraryPath !== 'string' || libraryPath === '')) {
    throw new TypeError(`createGpuSampler: libraryPath must be a non-empty string, got ${String(libraryPath)}`);
  }
}

export function createGpuSampler(options: GpuSamplerOptions = {}): GpuSampler {
  checkOptions(options);
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const ringSize = options.ringSize ?? DEFAULT_RING_SIZE;
  const loaded = loadBinding();
  if ('reason' in loaded) return unavailable(loaded.reason, options, intervalMs, ringSize);
  let native: NativeSampler;
  try {
    native = loaded.binding.startSampler({
      ...(options.libraryPath !== undefined ? { libraryPath: options.libraryPath } : {}),
      intervalMs,
      ringSize,
    });
  } catch (error) {
    return unavailable((error as Error).message, options, intervalMs, ringSize);
  }
  running.add(native);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => running.forEach((s) => s.stop()));
  }
  return {
    available: true,
    devices: () => native.devices(),
    latest: () => native.latest(),
    window: (ms) => {
      if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`window(ms): ms must be a number > 0, got ${ms}`);
      return native.window(ms);
    },
    samples: (sinceCursor = 0) => native.samples(sinceCursor),
    stats: () => native.stats(),
    snapshot: () => native.snapshot(),
    stop: () => {
      native.stop();
      running.delete(native);
    },
  };
}

function unavailable(reason: string, options: GpuSamplerOptions, intervalMs: number, ringSize: number): GpuSampler {
  if (options.required) throw new Error(`GPU sampler unavailable: ${reason}`);
  const stats = (): GpuSamplerStats => ({ running: false, intervalMs, ringSize, driverVersion: '', ticks: 0, panics: 0, devices: [] });
  return {
    available: false,
    reason,
    devices: () => [],
    latest: () => [],
    window: () => [],
    samples: (sinceCursor = 0) => ({ cursor: sinceCursor, missed: false, readings: [], driver: [] }),
    stats,
    snapshot: () => ({ devices: [], latest: [], stats: stats() }),
    stop: () => {},
  };
}
