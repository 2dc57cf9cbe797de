/** Generation row: text-to-image and image-to-3D throughput, outcomes, durations and results. */
import { catalog } from '@orfeas/metrics/catalog';
import { quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { textToImage, model3d, business } = catalog;

export const generationRow = {
  title: 'Generation',
  panels: [
    timeseries({
      title: 'Generations finished',
      unit: 'ops',
      targets: [
        query(sumRate(textToImage.generationsTotal, ['style', 'status']), 'text-to-image {{style}} {{status}}'),
        query(sumRate(model3d.generationsTotal, ['format', 'quality', 'status']), '3D {{format}} {{quality}} {{status}}'),
      ],
    }),
    timeseries({
      title: 'Outcomes',
      unit: 'ops',
      targets: [
        query(sumRate(business.successfulGenerationsTotal, ['type']), 'success {{type}}'),
        query(sumRate(business.failedGenerationsTotal, ['type', 'reason']), 'failed {{type}}: {{reason}}'),
      ],
    }),
    timeseries({
      title: 'Image uploads',
      unit: 'ops',
      targets: [query(sumRate(model3d.imageUploadsTotal, ['format', 'status']), '{{format}} {{status}}')],
    }),
    timeseries({
      title: 'Generation time (p50, p95)',
      description: 'The GenerationSlow alert fires when p95 stays above 120 s.',
      unit: 's',
      width: 12,
      targets: [
        query(quantile(0.5, textToImage.durationSeconds, ['style']), 'p50 text-to-image {{style}}'),
        query(quantile(0.95, textToImage.durationSeconds, ['style']), 'p95 text-to-image {{style}}'),
        query(quantile(0.5, model3d.durationSeconds, ['format', 'quality']), 'p50 3D {{format}} {{quality}}'),
        query(quantile(0.95, model3d.durationSeconds, ['format', 'quality']), 'p95 3D {{format}} {{quality}}'),
      ],
    }),
    timeseries({
      title: 'Result file size (p50)',
      unit: 'bytes',
      width: 6,
      targets: [query(quantile(0.5, business.generatedFileSizeBytes, ['type', 'format']), '{{type}} {{format}}')],
    }),
    timeseries({
      title: 'Result quality score (p50)',
      unit: 'percentunit',
      width: 6,
      targets: [query(quantile(0.5, business.generationQualityScore, ['type']), '{{type}}')],
    }),
  ],
};
