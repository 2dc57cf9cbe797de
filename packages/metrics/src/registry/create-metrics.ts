/**
 * createMetrics: the catalog's metrics on a registry of their own, as typed handles grouped
 * by family. The GPU family is left to @orfeas/gpu-sampler, which reads it from the sampler.
 */
import { Registry, collectDefaultMetrics, type Counter, type Gauge, type Histogram } from 'prom-client';
import { catalog, type Catalog, type Family, type MetricDef } from '../catalog.js';
import { systemCollectors, type SystemOptions } from '../system/collector.js';
import { buildMetric, type MetricFor } from './build-metric.js';

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export type RecordedFamily = Exclude<Family, 'gpu'>;

export type Metrics = {
  readonly [F in RecordedFamily]: { readonly [K in keyof Catalog[F]]: MetricFor<Catalog[F][K]> };
} & { readonly registry: Registry };

export interface CreateMetricsOptions {
  /** The registry to register on; a new one by default, so services in one process stay apart. */
  registry?: Registry;
  /** Labels added to every series (for example { service: 'backend' }). */
  defaultLabels?: Record<string, string>;
  /** prom-client's process_* and nodejs_* metrics (default on). */
  defaultMetrics?: boolean;
  /** Options of the system family's collector. */
  system?: SystemOptions;
  /**
   * Scrape-time readers for metrics the service reads rather than records (for example
   * storage.freeBytes from statfs), by family and handle; `this` is the metric.
   */
  collect?: { readonly [F in RecordedFamily]?: { readonly [K in keyof Catalog[F]]?: (this: MetricFor<Catalog[F][K]>) => void } };
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `*_total` (sums of nodejs_active_handles etc. over their
    // type label), which `promtool check metrics` rejects: only counters may end in _total.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }

  const given = (options.collect ?? {}) as Record<string, Record<string, () => void> | undefined>;
  const collectors: Record<string, Record<string, () => void> | undefined> = { ...given, system: { ...systemCollectors(options.system), ...given.system } };
  const families = Object.fromEntries(
    Object.entries(catalog)
      .filter(([family]) => family !== 'gpu')
      .map(([family, defs]) => [
        family,
        Object.fromEntries(
          Object.entries(defs as Record<string, MetricDef>).map(([handle, def]) => {
            const collect = collectors[family]?.[handle];
            const metric = buildMetric(def, { registry, ...(collect ? { collect } : {}) });
            if (!collect) zeroKnownSeries(metric, def);
            return [handle, metric];
          }),
        ),
      ]),
  );
  return { ...families, registry } as unknown as Metrics;
}

/**
 * Series whose every label value is known in advance (allowlists) exist at 0 from the start,
 * so a dashboard shows 0 rather than "No data" and rate() works from the first scrape.
 * Labels with open values (a cap) cannot be listed; their series appear when first recorded.
 */
function zeroKnownSeries(metric: Counter | Gauge | Histogram, def: MetricDef): void {
  // prom-client starts a metric without labels at 0 itself.
  if (def.labels.length === 0) return;
  const lists: (readonly string[])[] = [];
  for (const label of def.labels) {
    const bound = def.bounds?.[label];
    if (!bound || !('values' in bound)) return;
    lists.push(bound.values);
  }
  for (const combination of combinations(lists)) {
    const labels = Object.fromEntries(def.labels.map((label, i) => [label, combination[i]!]));
    if (def.type === 'histogram') (metric as Histogram).zero(labels);
    else (metric as Counter | Gauge).inc(labels, 0);
  }
}

function combinations(lists: (readonly string[])[]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}
