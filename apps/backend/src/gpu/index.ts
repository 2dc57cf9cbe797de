/**
 * The GPU sampler, when there is one: @orfeas/gpu-sampler loaded at run time, so the backend
 * starts without it. ORFEAS_GPU=auto samples the NVIDIA driver, and without one runs with no
 * GPU telemetry (gpu_sampler_up 0, no device series): it never simulates. sim uses nvml-sim,
 * labelled source="sim" wherever it shows; off runs without the sampler.
 */
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';

/** The part of @orfeas/gpu-sampler's sampler the backend uses. */
export interface GpuSampler {
  readonly available: boolean;
  readonly reason?: string;
  devices(): unknown;
  latest(): unknown;
  window(ms: number): unknown;
  stats(): { source?: 'nvml' | 'sim' };
  stop(): void;
}

interface SamplerModule {
  createGpuSampler(options: { libraryPath?: string; intervalMs?: number }): GpuSampler;
  registerGpuMetrics(registry: Registry, sampler: GpuSampler): unknown;
  nvmlSimLibraryPath(): string;
  defaultSimScenarioPath: string;
}

/** nvml: the NVIDIA driver; sim: nvml-sim; off: ORFEAS_GPU=off; unavailable: asked for, but none answered. */
export type GpuSource = 'nvml' | 'sim' | 'off' | 'unavailable';

export interface Gpu {
  source: GpuSource;
  sampler?: GpuSampler;
  reason?: string;
  /**
   * What GET /api/v1/gpu and the `gpu` room send. With `windowMs`, also the min / max / mean of
   * each device's readings over that window, so a chart point shows the spikes between points.
   */
  snapshot(windowMs?: number): Record<string, unknown>;
  stop(): void;
}

// A variable specifier keeps TypeScript from needing the package's types at build time.
const SAMPLER_PACKAGE: string = '@orfeas/gpu-sampler';

export async function startGpu(config: Config, registry: Registry, log: Logger): Promise<Gpu> {
  const { mode, intervalMs } = config.gpu;
  if (mode === 'off') return noGpu('off', 'GPU telemetry is turned off (ORFEAS_GPU=off)');
  let mod: SamplerModule;
  try {
    mod = (await import(SAMPLER_PACKAGE)) as SamplerModule;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'GPU sampler package not loadable (is it built?); running without GPU metrics');
    return noGpu('unavailable', `@orfeas/gpu-sampler cannot be loaded: ${(err as Error).message}`);
  }

  let sampler: GpuSampler;
  try {
    if (mode === 'sim') process.env.NVML_SIM_SCENARIO ??= mod.defaultSimScenarioPath;
    const libraryPath = mode === 'sim' ? mod.nvmlSimLibraryPath() : config.gpu.libraryPath;
    // Without a driver this is a sampler that is not available (and says why), not an error.
    sampler = mod.createGpuSampler({ intervalMs, ...(libraryPath ? { libraryPath } : {}) });
    // Registered either way: gpu_sampler_up 0 is what GpuSamplerDown alerts on.
    mod.registerGpuMetrics(registry, sampler);
  } catch (err) {
    log.warn({ err }, 'GPU sampler failed to start; running without GPU metrics');
    return noGpu('unavailable', `the GPU sampler failed to start: ${(err as Error).message}`);
  }
  if (!sampler.available) {
    const why = mode === 'sim' ? 'the simulated GPU (nvml-sim) did not start' : 'no NVIDIA driver answered';
    log.warn({ reason: sampler.reason }, `${why}: running without GPU telemetry (gpu_sampler_up 0)${mode === 'auto' ? '; ORFEAS_GPU=sim runs simulated GPUs' : ''}`);
    return noGpu('unavailable', sampler.reason ?? why);
  }
  const s = sampler;
  const source: GpuSource = s.stats().source ?? 'nvml';
  log.info({ source }, source === 'sim' ? 'GPU telemetry from simulated GPUs (nvml-sim), labelled source="sim"' : 'GPU telemetry from the NVIDIA driver');
  return {
    source,
    sampler: s,
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

function noGpu(source: GpuSource, reason: string): Gpu {
  return {
    source,
    reason,
    snapshot: () => ({ available: false, source, reason, timestamp: new Date().toISOString() }),
    stop: () => {},
  };
}

/** JSON for sampler values, which may hold 64-bit counters as BigInt. */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? Number(v) : v)));
}
