/**
 * createGpuSampler: starts the native sampling thread, or returns a sampler that is not
 * available and says why (no addon, no NVML, NVML failing to start) with a reason and a code.
 * It throws a GpuSamplerError only for bad options, or with `required: true`.
 */
import type { GpuAttribution, NativeOptions, NativeSampler } from '../../addon.js';
import { loadBinding } from '../native/binding.js';
import { GpuSamplerError, type GpuSamplerErrorCode } from './error.js';

export interface GpuSamplerOptions extends NativeOptions {
  /** Throw a GpuSamplerError instead of returning `available: false` when NVML or the addon is missing. */
  required?: boolean;
}

/** The addon's reads as properties: a class's methods would be dropped from `{ ...sampler }`'s type. */
type NativeReads = { [K in keyof NativeSampler]: NativeSampler[K] };

/** A GPU sampler: the addon's reads, and whether it samples at all. */
export interface GpuSampler extends NativeReads {
  /** Whether NVML is loaded and sampling. */
  readonly available: boolean;
  /** Why not, when available is false. */
  readonly reason?: string;
  /** Why not, for a program to branch on: `addon` (not built or not installed), `load` (no NVIDIA driver), `init`, ... */
  readonly code?: GpuSamplerErrorCode;
}

const DEFAULT_INTERVAL_MS = 100;
const DEFAULT_RING_SIZE = 1000;
const DEFAULT_SLOW_INTERVAL_MS = 1000;

/** Samplers still running, stopped at process exit so no thread samples during teardown. */
const running = new Set<NativeSampler>();
let exitHook = false;

function checkOptions(options: GpuSamplerOptions): void {
  const { intervalMs, ringSize, libraryPath, slowIntervalMs, events } = options;
  const bad = (message: string) => new GpuSamplerError('options', `createGpuSampler: ${message}`);
  if (intervalMs !== undefined && !(Number.isFinite(intervalMs) && intervalMs >= 1 && intervalMs <= 3_600_000)) {
    throw bad(`intervalMs must be a number from 1 to 3600000 (an hour), got ${intervalMs}`);
  }
  if (ringSize !== undefined && !(Number.isInteger(ringSize) && ringSize >= 1 && ringSize <= 10_000_000)) {
    throw bad(`ringSize must be an integer from 1 to 10000000, got ${ringSize}`);
  }
  if (slowIntervalMs !== undefined && !(slowIntervalMs === 0 || (Number.isFinite(slowIntervalMs) && slowIntervalMs >= 10 && slowIntervalMs <= 3_600_000))) {
    throw bad(`slowIntervalMs must be 0 (no slow loop) or a number from 10 to 3600000, got ${slowIntervalMs}`);
  }
  if (events !== undefined && typeof events !== 'boolean') throw bad(`events must be true or false, got ${String(events)}`);
  if (libraryPath !== undefined && (typeof libraryPath !== 'string' || libraryPath === '')) {
    throw bad(`libraryPath must be a non-empty string, got ${String(libraryPath)}`);
  }
}

export function createGpuSampler(options: GpuSamplerOptions = {}): GpuSampler {
  checkOptions(options);
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const ringSize = options.ringSize ?? DEFAULT_RING_SIZE;
  const loaded = loadBinding();
  if ('reason' in loaded) return unavailable(new GpuSamplerError('addon', loaded.reason, { cause: loaded.cause }), options, intervalMs, ringSize);
  let native: NativeSampler;
  try {
    native = loaded.binding.startSampler({
      ...(options.libraryPath !== undefined ? { libraryPath: options.libraryPath } : {}),
      intervalMs,
      ringSize,
      ...(options.slowIntervalMs !== undefined ? { slowIntervalMs: options.slowIntervalMs } : {}),
      ...(options.events !== undefined ? { events: options.events } : {}),
    });
  } catch (error) {
    return unavailable(GpuSamplerError.fromStart(error), options, intervalMs, ringSize);
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
    setAttribution: (attribution) => native.setAttribution(checkAttribution(attribution)),
    integrals: (fromMs, toMs) => {
      if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs <= toMs)) {
        throw new RangeError(`integrals(fromMs, toMs): two Unix times in ms with fromMs <= toMs, got ${fromMs} and ${toMs}`);
      }
      return native.integrals(fromMs, toMs);
    },
    stop: () => {
      native.stop();
      running.delete(native);
    },
  };
}

function unavailable(error: GpuSamplerError, options: GpuSamplerOptions, intervalMs: number, ringSize: number): GpuSampler {
  if (options.required) throw new GpuSamplerError(error.code, `GPU sampler unavailable: ${error.message}`, { cause: error });
  const slowIntervalMs = options.slowIntervalMs ?? DEFAULT_SLOW_INTERVAL_MS;
  const stats = () => ({ running: false, intervalMs, slowIntervalMs, ringSize, driverVersion: '', ticks: 0, slowTicks: 0, panics: 0, devices: [] });
  return {
    available: false,
    reason: error.message,
    code: error.code,
    devices: () => [],
    latest: () => [],
    window: () => [],
    samples: (sinceCursor) => ({ cursor: sinceCursor ?? 0, missed: false, readings: [], driver: [] }),
    stats,
    snapshot: () => ({ devices: [], latest: [], stats: stats() }),
    setAttribution: (attribution) => void checkAttribution(attribution),
    integrals: () => ({ devices: [] }),
    stop: () => {},
  };
}

function checkAttribution(attribution: GpuAttribution): GpuAttribution {
  const { pids, names } = attribution ?? {};
  if (!Array.isArray(pids) || !pids.every((pid) => Number.isInteger(pid) && pid > 0 && pid <= 0xffff_ffff)) {
    throw new TypeError(`setAttribution: pids must be an array of process ids (whole numbers > 0), got ${JSON.stringify(pids)}`);
  }
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && name !== '')) {
    throw new TypeError(`setAttribution: names must be an array of executable names (non-empty strings), got ${JSON.stringify(names)}`);
  }
  return { pids, names };
}
