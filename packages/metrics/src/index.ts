/**
 * @orfeas/metrics: the ORFEAS metric catalog on a registry of its own, and what services call
 * to record and serve it. The catalog itself is `@orfeas/metrics/catalog` (no prom-client);
 * instrumentations are `./hono`, `./http` (node:http), `./socketio` and `./system`.
 */
export {
  createMetrics,
  type CreateMetricsOptions,
  type FamilyMetrics,
  type Metrics,
  type MetricsWith,
  type RecordedFamily,
} from './registry/create-metrics.js';
export { defineMetric, type BuildOptions, type MetricFor } from './registry/build-metric.js';
export { scrape, type Scrape, type ScrapeFormat } from './handler/scrape.js';
export { trackStage, startStageTimer, type StageTimer, type TrackStageOptions } from './stage/index.js';
export { errorType } from './error-type/index.js';
export type { NativeHistogramOptions } from './native-histogram/index.js';
