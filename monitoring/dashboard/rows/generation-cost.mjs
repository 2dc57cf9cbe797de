/**
 * Generation cost row: the GPU busy seconds and energy each generation and each pipeline stage
 * cost (its own processes' share where the driver reports per-process use, else a time share).
 */
import { catalog } from '@orfeas/metrics/catalog';
import { mean, quantile } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { cost } = catalog;

/** p50, p95 and mean of a cost histogram, by the given label. */
const spread = (def, label) => [
  query(quantile(0.5, def, [label]), `p50 {{${label}}}`),
  query(quantile(0.95, def, [label]), `p95 {{${label}}}`),
  query(mean(def, [label]), `mean {{${label}}}`),
];

export const generationCostRow = {
  title: 'Generation cost',
  panels: [
    timeseries({
      title: 'GPU time per generation',
      description: 'GPU busy seconds one generation cost, summed over GPUs.',
      unit: 's',
      min: 0,
      targets: spread(cost.generationGpuBusySeconds, 'type'),
    }),
    timeseries({
      title: 'GPU energy per generation',
      description: 'Joules one generation cost, summed over GPUs, attributed as its busy seconds are.',
      unit: 'joule',
      min: 0,
      targets: spread(cost.generationGpuEnergyJoules, 'type'),
    }),
    timeseries({
      title: 'GPU time per stage',
      unit: 's',
      min: 0,
      targets: spread(cost.pipelineStageGpuSeconds, 'stage'),
    }),
  ],
};
