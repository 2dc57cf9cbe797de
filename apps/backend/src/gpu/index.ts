/**
 * The GPU sampler, when there is one. ORFEAS_GPU=auto samples the NVIDIA driver, and without
 * one (or without the native addon) runs with no GPU telemetry (gpu_sampler_up 0, no device
 * series): it never simulates. sim uses nvml-sim, labelled source="sim" wherever it shows; off
 * runs without the sampler. @orfeas/gpu-sampler loads its addon only when a sampler starts, so
 * the backend starts whether or not the addon is built, and says which it was (`code`).
 * With a sampler, a cost meter charges each job its GPU use: this process's, and that of the
 * model servers ORFEAS_GPU_PROCESSES names, where the driver reports per-process use.
 */
import {
  GpuSamplerError,
  createGpuCostMeter,
  createGpuSampler,
  defaultSimScenarioPath,
  nvmlSimLibraryPath,
  registerGpuMetrics,
  type GpuCostMeter,
  type GpuSampler,
  type GpuSamplerErrorCode,
  type GpuSource,
} from '@orfeas/gpu-sampler';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';

/** nvml: the NVIDIA driver; sim: nvml-sim; off: ORFEAS_GPU=off; unavailable: asked for, but none answered. */
export type GpuTelemetrySource = GpuSource | 'off' | 'unavailable';

export interface Gpu {
  source: GpuTelemetrySource;
  sampler?: GpuSampler;
  /** Measures each job's and stage's GPU cost; absent without a sampler. */
  meter?: GpuCostMeter;
  reason?: string;
  /** Why there is no telemetry when asked for: `addon` (not built), `load` (no driver), `init`, ... */
  code?: GpuSamplerErrorCode;
  /**
   * What GET /api/v1/gpu and the `gpu` room send. With `windowMs`, also the min / max / mean of
   * each device's readings over that window, so a chart point shows the spikes between points.
   */
  snapshot(windowMs?: number): Record<string, unknown>;
  stop(): void;
}

/** A promise, as the app's start sequence awaits it; nothing in it waits. */
export function startGpu(config: Config, registry: Registry, log: Logger): Promise<Gpu> {
  return Promise.resolve(start(config, registry, log));
}

function start(config: Config, registry: Registry, log: Logger): Gpu {
  const { mode, intervalMs } = config.gpu;
  if (mode === 'off') return noGpu('off', 'GPU telemetry is turned off (ORFEAS_GPU=off)');
  let sampler: GpuSampler;
  try {
    if (mode === 'sim') process.env.NVML_SIM_SCENARIO ??= defaultSimScenarioPath;
    const libraryPath = mode === 'sim' ? nvmlSimLibraryPath() : config.gpu.libraryPath;
    // Without the addon or a driver this is a sampler that is not available (and says why), not an error.
    sampler = createGpuSampler({ intervalMs, ...(libraryPath ? { libraryPath } : {}) });
    // Registered either way: gpu_sampler_up 0 is what GpuSamplerDown alerts on.
    registerGpuMetrics(registry, sampler);
  } catch (err) {
    log.warn({ err }, 'GPU sampler failed to start; running without GPU metrics');
    const reason = `the GPU sampler failed to start: ${(err as Error).message}`;
    return noGpu('unavailable', reason, err instanceof GpuSamplerError ? err.code : undefined);
  }
  if (!sampler.available) {
    const why =
      sampler.code === 'addon' ? 'the GPU sampler\'s native addon is missing'
      : mode === 'sim' ? 'the simulated GPU (nvml-sim) did not start'
      : 'no NVIDIA driver answered';
    const hint = mode === 'auto' && sampler.code !== 'addon' ? '; ORFEAS_GPU=sim runs simulated GPUs' : '';
    log.warn({ reason: sampler.reason, code: sampler.code }, `${why}: running without GPU telemetry (gpu_sampler_up 0)${hint}`);
    return noGpu('unavailable', sampler.reason ?? why, sampler.code);
  }
  const s = sampler;
  const source: GpuTelemetrySource = s.stats().source ?? 'nvml';
  log.info({ source }, source === 'sim' ? 'GPU telemetry from simulated GPUs (nvml-sim), labelled source="sim"' : 'GPU telemetry from the NVIDIA driver');
  let meter: GpuCostMeter | undefined;
  try {
    meter = createGpuCostMeter(s, { pids: [process.pid], names: config.gpu.processes });
  } catch (err) {
    log.warn({ err }, 'the GPU cost meter did not start: jobs run without a GPU cost');
  }
  return {
    source,
    sampler: s,
    ...(meter ? { meter } : {}),
    snapshot: (windowMs) => ({
      available: true,
      source,
      devices: s.devices(),
      latest: s.latest(),
      ...(windowMs ? { window: s.window(windowMs) } : {}),
      stats: s.stats(),
      timestamp: new Date().toISOString(),
    }),
    stop: () => s.stop(),
  };
}

function noGpu(source: GpuTelemetrySource, reason: string, code?: GpuSamplerErrorCode): Gpu {
  return {
    source,
    reason,
    ...(code ? { code } : {}),
    snapshot: () => ({ available: false, source, reason, ...(code ? { code } : {}), timestamp: new Date().toISOString() }),
    stop: () => {},
  };
}

/** JSON for sampler values, which may hold 64-bit counters as BigInt. */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as unknown;
}
