/**
 * The GPU sampler, when there is one: @orfeas/gpu-sampler loaded at run time, so the backend
 * starts without it. ORFEAS_GPU=off runs without; sim uses nvml-sim's default scenario; auto
 * tries the NVIDIA driver and falls back to the simulator, saying which it took.
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
  stats(): unknown;
  stop(): void;
}

interface SamplerModule {
  createGpuSampler(options: { libraryPath?: string; intervalMs?: number }): GpuSampler;
  registerGpuMetrics(registry: Registry, sampler: GpuSampler): unknown;
  nvmlSimLibraryPath(): string;
  defaultSimScenarioPath: string;
}

export type GpuSource = 'nvml' | 'sim' | 'off' | 'unavailable';

export interface Gpu {
  source: GpuSource;
  sampler?: GpuSampler;
  reason?: string;
  /** What GET /api/v1/gpu and the `gpu` room send. */
  snapshot(): Record<string, unknown>;
  stop(): void;
}

// A variable specifier keeps TypeScript from needing the package's types at build time.
const SAMPLER_PACKAGE: string = '@orfeas/gpu-sampler';

export async function startGpu(config: Config, registry: Registry, log: Logger): Promise<Gpu> {
  if (config.gpu.mode === 'off') return noGpu('off', 'ORFEAS_GPU=off');
  let mod: SamplerModule;
  try {
    mod = (await import(SAMPLER_PACKAGE)) as SamplerModule;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'GPU sampler package not loadable (is it built?); running without GPU metrics');
    return noGpu('unavailable', `@orfeas/gpu-sampler cannot be loaded: ${(err as Error).message}`);
  }

  let sampler: GpuSampler | undefined;
  let source: GpuSource = 'nvml';
  try {
    if (config.gpu.mode === 'auto') sampler = tryDriver(mod, config, log);
    if (!sampler) {
      source = 'sim';
      process.env.NVML_SIM_SCENARIO ??= mod.defaultSimScenarioPath;
      sampler = mod.createGpuSampler({ libraryPath: mod.nvmlSimLibraryPath(), intervalMs: config.gpu.intervalMs });
    }
    mod.registerGpuMetrics(registry, sampler);
  } catch (err) {
    log.warn({ err }, 'GPU sampler failed to start; running without GPU metrics');
    sampler?.stop();
    return noGpu('unavailable', `the GPU sampler failed to start: ${(err as Error).message}`);
  }
  log.info({ source, available: sampler.available, reason: sampler.reason }, `GPU telemetry from ${source === 'sim' ? 'the simulated GPU' : 'the NVIDIA driver'}`);
  const s = sampler;
  return {
    source,
    sampler: s,
    ...(s.reason ? { reason: s.reason } : {}),
    snapshot: () => ({
      available: s.available,
      source,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.available ? { devices: s.devices(), latest: s.latest(), stats: s.stats() } : {}),
      timestamp: new Date().toISOString(),
    }),
    stop: () => s.stop(),
  };
}

/** The NVIDIA driver's sampler, or undefined (logged) when there is no driver to sample. */
function tryDriver(mod: SamplerModule, config: Config, log: Logger): GpuSampler | undefined {
  let reason: string | undefined;
  try {
    const real = mod.createGpuSampler({ intervalMs: config.gpu.intervalMs, ...(config.gpu.libraryPath ? { libraryPath: config.gpu.libraryPath } : {}) });
    if (real.available) return real;
    reason = real.reason;
    real.stop();
  } catch (err) {
    reason = (err as Error).message;
  }
  log.info({ reason }, 'no NVIDIA driver answered; using the simulated GPU (nvml-sim)');
  return undefined;
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
