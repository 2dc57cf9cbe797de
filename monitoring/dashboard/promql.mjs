/**
 * Builds the dashboard's PromQL from catalog definitions, so a panel names a metric through
 * @orfeas/metrics and never retypes it. Every selector carries the dashboard's job and instance
 * variables (and gpu for GPU metrics); every range is $__rate_interval.
 */
import { catalog, RUNTIME_METRIC_NAMES, seriesNames } from '@orfeas/metrics/catalog';
import { countedOnce, FLEET_WIDE_METRICS } from '../promql/fleet-wide.mjs';

export const RATE_INTERVAL = '$__rate_interval';

/** A selector body with the dashboard variables and extra matchers, e.g. `{job=~"$job", ...}`. */
export function selector(def, matchers = {}) {
  const name = typeof def === 'string' ? def : def.name;
  const parts = ['job=~"$job"', 'instance=~"$instance"'];
  const labels = typeof def === 'string' ? [] : def.labels;
  if (labels.includes('gpu')) parts.push('gpu=~"$gpu"');
  for (const [label, value] of Object.entries(matchers)) parts.push(`${label}${value}`);
  return `${name}{${parts.join(', ')}}`;
}

/** The value of a per-replica gauge (or a runtime metric) as selected on the dashboard. */
export function gauge(def, matchers) {
  const name = typeof def === 'string' ? def : def.name;
  if (FLEET_WIDE_METRICS.includes(name)) throw new Error(`${name} is fleet-wide: use fleetGauge() so it is counted once`);
  return selector(def, matchers);
}

/**
 * A fleet-wide gauge (the same on every replica of a fleet, see promql/fleet-wide.mjs) counted
 * once per fleet: `max without (instance, pod)`, ready to be summed over its own labels.
 */
export function fleetGauge(def, matchers) {
  if (!FLEET_WIDE_METRICS.includes(def.name)) throw new Error(`${def.name} is per replica: use gauge()`);
  return countedOnce(selector(def, matchers));
}

/**
 * `up` of the backend's replicas: targets of the jobs that export the catalog, not Prometheus's
 * own or node exporter's (the job variable's "All" matches every job).
 */
export const backendUp = () => `${selector('up')} and on (job) ${selector(catalog.system.appUptimeSeconds)}`;

/** Per-second rate of a counter over $__rate_interval. */
export const rate = (def, matchers) => `rate(${selector(def, matchers)}[${RATE_INTERVAL}])`;

/** Per-second rate of a counter summed by the given labels. */
export const sumRate = (def, by, matchers) => `sum by (${by.join(', ')}) (${rate(def, matchers)})`;

/** A series of a histogram: `_bucket`, `_sum` or `_count`. */
function histogramSeries(def, suffix) {
  const series = seriesNames(def).find((name) => name.endsWith(suffix));
  if (!series) throw new Error(`${def.name} is a ${def.type}, not a histogram`);
  return series;
}

/** The q-quantile of a histogram over $__rate_interval, keeping the `by` labels. */
export function quantile(q, def, by = [], matchers = {}) {
  const buckets = selector(histogramSeries(def, '_bucket'), matchers);
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (rate(${buckets}[${RATE_INTERVAL}])))`;
}

/** The mean observation of a histogram over $__rate_interval, guarded against no observations. */
export function mean(def, by = [], matchers = {}) {
  const sum = selector(histogramSeries(def, '_sum'), matchers);
  const count = selector(histogramSeries(def, '_count'), matchers);
  const group = `sum by (${by.join(', ')})`;
  return `${group} (rate(${sum}[${RATE_INTERVAL}])) / (${group} (rate(${count}[${RATE_INTERVAL}])) > 0)`;
}

/** Observations per second of a histogram (its _count), summed by the given labels. */
export const observationRate = (def, by, matchers = {}) =>
  `sum by (${by.join(', ')}) (rate(${selector(histogramSeries(def, '_count'), matchers)}[${RATE_INTERVAL}]))`;

/** A prom-client runtime metric, checked against the catalog's list of them. */
export function runtime(name) {
  if (!RUNTIME_METRIC_NAMES.includes(name)) {
    throw new Error(`${name} is not one of @orfeas/metrics' RUNTIME_METRIC_NAMES`);
  }
  return name;
}
