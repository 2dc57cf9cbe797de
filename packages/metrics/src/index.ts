/** @orfeas/metrics: the ORFEAS metric catalog and the instrumentation built on it. */
export * from './catalog.js';
export { createMetrics, type Metrics, type CreateMetricsOptions, type RecordedFamily } from './registry/create-metrics.js';
export { buildMetric, overflowCounter, type MetricFor, type BuildOptions } from './registry/build-metric.js';
export { LabelGuard } from './registry/label-guard.js';
export { systemCollectors, type SystemOptions } from './system/collector.js';
export { errorType, sanitizeErrorType } from './error-type/index.js';
export { httpMetrics, DEFAULT_EXCLUDED_PATHS, UNMATCHED_ROUTE, type HttpMetricsOptions } from './hono/index.js';
export { metricsHandler, formatFor, type MetricsHandlerOptions } from './handler/index.js';
export { exposition, CONTENT_TYPES, type ExpositionFormat } from './handler/exposition.js';
export {
  instrumentSocketIO,
  handshakeClientType,
  SOCKETIO_ERROR_TYPES,
  type ClientType,
  type SocketIOErrorType,
  type InstrumentSocketIOOptions,
  type SocketOf,
} from './socketio/index.js';
export { trackStage, startStageTimer, type StageTimer, type TrackStageOptions } from './stage/index.js';
