/**
 * @orfeas/gpu-sampler: NVML sampled on a Rust thread (napi-rs), read from memory by JS, and
 * exported as the catalog's GPU metrics.
 */
export { createGpuSampler } from './sampler/create.js';
export { registerGpuMetrics, type GpuMetrics } from './metrics/register.js';
export { nvmlSimLibraryPath, defaultSimScenarioPath } from './sim/paths.js';
export { BUILD_COMMAND } from './native/binding.js';
export type * from './sampler/types.js';
