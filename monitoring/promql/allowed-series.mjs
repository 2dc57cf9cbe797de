/**
 * The one list of series names that alert rules and dashboard queries may name: the catalog of
 * @orfeas/metrics (histograms as their _bucket/_sum/_count series), prom-client's runtime
 * metrics, and the series Prometheus makes itself. Node exporter's node_* series are scraped
 * but deliberately not here: the catalog's system_* family covers the host, so the dashboard
 * and alerts work wherever the backend runs, with or without node exporter.
 */
import { catalogMetrics, seriesNames, RUNTIME_METRIC_NAMES } from '@orfeas/metrics/catalog';

/** Series Prometheus writes on its own: per-target scrape health and the state of alerts. */
export const PROMETHEUS_SYNTHETIC_SERIES = Object.freeze([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

/** Every series name a rule or a panel may select. */
export const allowedSeries = new Set([
  ...catalogMetrics.flatMap((metric) => seriesNames(metric)),
  ...RUNTIME_METRIC_NAMES,
  ...PROMETHEUS_SYNTHETIC_SERIES,
]);

/** The names in `names` that are not allowed, sorted, for an error message. */
export function disallowedSeries(names) {
  return [...new Set(names)].filter((name) => !allowedSeries.has(name)).sort();
}
