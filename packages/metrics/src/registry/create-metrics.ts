/**
 * createMetrics: the catalog's metrics on a registry of their own, as typed handles grouped
 * by family. The GPU families are left to @orfeas/gpu-sampler, which reads them from the sampler.
 */
import { Registry, collectDefaultMetrics, type Counter, type Gauge, type Histogram } from 'prom-client';
import { SAMPLED_FAMILIES, catalog, type Catalog, type Family, type MetricDef, type SampledFamily } from '../catalog.js';
import { systemCollectors, type SystemOptions } from '../system/collector.js';
import type { NativeHistogramOptions } from '../native-histogram/index.js';
import { buildMetric, type MetricFor } from './build-metric.js';
import { internalsOf, warnOnce } from './internals.js';

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export type RecordedFamily = Exclude<Family, SampledFamily>;

/** The handles of one family of the catalog. */
export type FamilyMetrics<F extends RecordedFamily> = { readonly [K in keyof Catalog[F]]: MetricFor<Catalog[F][K]> };

/**
 * The metrics of the chosen families (every recorded family by default), plus `meta` (the
 * label-overflow counter and the fast-path signal), which every registry has.
 */
export type Metrics<F extends RecordedFamily = RecordedFamily> = {
  readonly [K in F | 'meta']: FamilyMetrics<K>;
} & { readonly registry: Registry };

/** What an instrumentation needs of a Metrics: the families it records into. */
export type MetricsWith<F extends RecordedFamily> = Pick<Metrics, F | 'registry'>;

export interface CreateMetricsOptions<F extends RecordedFamily = RecordedFamily> {
  /**
   * The catalog families to register (default: all but the GPU families, which @orfeas/gpu-sampler reads),
   * for a service that needs only some, e.g. ['http', 'errors', 'websocket', 'system'].
   */
  families?: readonly F[];
  /** The registry to register on; a new one by default, so services in one process stay apart. */
  registry?: Registry;
  /** Labels added to every series (for example { service: 'backend' }). */
  defaultLabels?: Record<string, string>;
  /** prom-client's process_* and nodejs_* metrics (default on). */
  defaultMetrics?: boolean;
  /** Options of the system family's collector. */
  system?: SystemOptions;
  /**
   * Native histograms beside the classic buckets of every catalog histogram, served in the
   * protobuf exposition to scrapers that ask for it (default on); false for classic only.
   */
  nativeHistograms?: NativeHistogramOptions | boolean;
  /** Where the one warning goes if prom-client's internals have changed (default console.warn). */
  log?: (message: string) => void;
  /**
   * Scrape-time readers for metrics the service reads rather than records (for example
   * storage.freeBytes from statfs), by family and handle; `this` is the metric.
   */
  collect?: { readonly [F in RecordedFamily]?: { readonly [K in keyof Catalog[F]]?: (this: MetricFor<Catalog[F][K]>) => void } };
}

export function createMetrics<F extends RecordedFamily = RecordedFamily>(options: CreateMetricsOptions<F> = {}): Metrics<F> {
  const registry = options.registry ?? new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const internals = internalsOf(registry);
  warnOnce(registry, options.log ?? ((message) => console.warn(message)));
  const nativeHistograms = options.nativeHistograms ?? true;
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `*_total` (sums of nodejs_active_handles etc. over their
    // type label), which `promtool check metrics` rejects: only counters may end in _total.
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  }

  const given = (options.collect ?? {}) as Record<string, Record<string, () => void> | undefined>;
  const chosen = new Set<string>([...(options.families ?? recordedFamilies()), 'meta']);
  for (const family of chosen) {
    if (!(family in catalog) || isSampled(family)) throw new TypeError(`createMetrics: no recorded family "${family}"; the families are ${recordedFamilies().join(', ')}`);
  }
  const collectors: Record<string, Record<string, () => void> | undefined> = {
    ...given,
    ...(chosen.has('system') ? { system: { ...systemCollectors(options.system), ...given.system } } : {}),
  };
  const families = Object.fromEntries(
    Object.entries(catalog)
      .filter(([family]) => chosen.has(family))
      .map(([family, defs]) => [
        family,
        Object.fromEntries(
          Object.entries(defs as Record<string, MetricDef>).map(([handle, def]) => {
            const collect = collectors[family]?.[handle];
            const metric = buildMetric(def, { registry, nativeHistograms, ...(collect ? { collect } : {}) });
            if (!collect) zeroKnownSeries(metric, def);
            return [handle, metric];
          }),
        ),
      ]),
  );
  const metrics = { ...families, registry } as unknown as Metrics<F>;
  metrics.meta.fastPathEnabled.set(internals.ok ? 1 : 0);
  return metrics;
}

function recordedFamilies(): RecordedFamily[] {
  return (Object.keys(catalog) as Family[]).filter((family): family is RecordedFamily => !isSampled(family));
}

function isSampled(family: string): boolean {
  return (SAMPLED_FAMILIES as readonly string[]).includes(family);
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
