/**
 * A job's GPU cost as the backend keeps and shows it, and the cost family of the catalog
 * (generation_gpu_busy_seconds, generation_gpu_energy_joules, pipeline_stage_gpu_seconds).
 * The meter's end() waits for the sampler to cover the window, bounded by its settleMs; a
 * job stopped at shutdown does not wait even that.
 */
import type { GpuCost } from '@orfeas/gpu-sampler';
import type { Metrics } from '@orfeas/metrics';
import type { Stage } from '@orfeas/metrics/catalog';
import type { JobGpuCost, JobType } from '../store/index.js';

export function jobGpuCost(cost: GpuCost): JobGpuCost {
  return {
    devices: cost.devices.map(({ gpu, busySeconds, energyJoules }) => ({ gpu, busySeconds, energyJoules })),
    busySeconds: cost.busySeconds,
    energyJoules: cost.energyJoules,
    attribution: cost.attribution,
  };
}

/** A job that ran, whatever its end: the GPU time was spent. */
export function recordJobGpuCost(metrics: Metrics, type: JobType, cost: GpuCost): void {
  metrics.cost.generationGpuBusySeconds.observe({ type }, cost.busySeconds);
  metrics.cost.generationGpuEnergyJoules.observe({ type }, cost.energyJoules);
}

export function recordStageGpuCost(metrics: Metrics, stage: Stage, cost: GpuCost): void {
  metrics.cost.pipelineStageGpuSeconds.observe({ stage }, cost.busySeconds);
}

/**
 * The cost once measured; undefined at once when the job is stopped for a shutdown whose
 * grace is spent (its signal aborted, not by a cancel): a cancelled job's cost is still measured.
 */
export function costBeforeShutdown(cost: Promise<GpuCost | undefined>, control: { readonly signal: AbortSignal; readonly stop: string | null }): Promise<GpuCost | undefined> {
  const shuttingDown = () => control.signal.aborted && control.stop !== 'cancelled';
  if (shuttingDown()) return Promise.resolve(undefined);
  let onAbort: (() => void) | undefined;
  const cut = new Promise<undefined>((resolve) => {
    onAbort = () => {
      if (shuttingDown()) resolve(undefined);
    };
    control.signal.addEventListener('abort', onAbort);
  });
  return Promise.race([cost, cut]).finally(() => control.signal.removeEventListener('abort', onAbort!));
}
