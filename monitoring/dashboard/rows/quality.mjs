/** Quality row: scores by stage, grades, automatic repairs and failed checks. */
import { catalog } from '@orfeas/metrics/catalog';
import { mean, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { quality } = catalog;

export const qualityRow = {
  title: 'Quality',
  panels: [
    timeseries({
      title: 'Quality score by stage',
      description: 'The QualityDrop alert fires when the mean overall score stays below 0.6.',
      unit: 'percentunit',
      width: 12,
      targets: [
        query(quantile(0.5, quality.score, ['stage']), 'p50 {{stage}}'),
        query(mean(quality.score, ['stage'], { stage: '="overall"' }), 'mean overall'),
      ],
    }),
    timeseries({
      title: 'Grades',
      unit: 'ops',
      stack: true,
      width: 12,
      targets: [query(sumRate(quality.gradeTotal, ['grade']), '{{grade}}')],
    }),
    timeseries({
      title: 'Automatic repairs',
      unit: 'ops',
      targets: [query(sumRate(quality.autoRepairsTotal, ['repair_type']), '{{repair_type}}')],
    }),
    timeseries({
      title: 'Validation failures',
      unit: 'ops',
      targets: [query(sumRate(quality.validationFailuresTotal, ['stage', 'issue_type']), '{{stage}}: {{issue_type}}')],
    }),
    timeseries({
      title: 'Mesh checks',
      unit: 'ops',
      targets: [query(sumRate(quality.checksTotal, ['check', 'result']), '{{check}} {{result}}')],
    }),
  ],
};
