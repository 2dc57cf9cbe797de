/** Pipeline stages row: time per stage, failures and what is running now. */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, mean, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { pipeline } = catalog;

export const pipelineRow = {
  title: 'Pipeline stages',
  panels: [
    timeseries({
      title: 'Stage time (p95)',
      unit: 's',
      targets: [query(quantile(0.95, pipeline.stageDurationSeconds, ['stage']), '{{stage}}')],
    }),
    timeseries({
      title: 'Stage time (mean)',
      unit: 's',
      targets: [query(mean(pipeline.stageDurationSeconds, ['stage']), '{{stage}}')],
    }),
    timeseries({
      title: 'Stage failures',
      unit: 'ops',
      targets: [query(sumRate(pipeline.stageErrorsTotal, ['stage', 'error_type']), '{{stage}}: {{error_type}}')],
    }),
    timeseries({
      title: 'Stages in progress',
      stack: true,
      targets: [query(`sum by (stage) (${gauge(pipeline.stagesInProgress)})`, '{{stage}}')],
    }),
  ],
};
