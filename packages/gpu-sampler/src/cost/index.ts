/** The GPU cost of jobs and stages: busy seconds and joules from the sampler's integrals. */
export { createGpuCostMeter, type CostSampler, type GpuCostMeter, type GpuCostMeterOptions, type GpuCostWindow, type GpuJobCost } from './meter.js';
export type { GpuCost, GpuCostAttribution, GpuDeviceCost } from './cost.js';
