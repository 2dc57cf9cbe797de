/**
 * @orfeas/gpu-sampler: NVML sampled on a Rust thread (napi-rs), read from memory by JS, and
 * exported as the catalog's GPU metrics. The shapes are the addon's own, generated from
 * crates/gpu-sampler/src/napi.rs into addon.d.ts.
 */
export { createGpuSampler, type GpuSampler, type GpuSamplerOptions } from './sampler/create.js';
export { GPU_SAMPLER_ERROR_CODES, GpuSamplerError, type GpuSamplerErrorCode } from './sampler/error.js';
export { registerGpuMetrics, type GpuMetrics } from './metrics/register.js';
export {
  createGpuCostMeter,
  type CostSampler,
  type GpuCost,
  type GpuCostAttribution,
  type GpuCostMeter,
  type GpuCostMeterOptions,
  type GpuCostWindow,
  type GpuDeviceCost,
  type GpuJobCost,
} from './cost/index.js';
export { nvmlSimLibraryPath, defaultSimScenarioPath } from './sim/paths.js';
export { BUILD_COMMAND } from './native/binding.js';
export type {
  GpuAttribution,
  GpuClocksHz,
  GpuDevice,
  GpuDeviceIntegrals,
  GpuDeviceStats,
  GpuDriverSample,
  GpuDriverSampleKind,
  GpuEnergySource,
  GpuErrorCount,
  GpuErrorKind,
  GpuField,
  GpuFieldSupport,
  GpuIntegrals,
  GpuMemoryBytes,
  GpuMinMaxMean,
  GpuProcess,
  GpuProcessBusy,
  GpuReading,
  GpuSamplerStats,
  GpuSamples,
  GpuSnapshot,
  GpuSource,
  GpuThrottleReason,
  GpuThrottleSeconds,
  GpuWindow,
} from '../addon.js';
