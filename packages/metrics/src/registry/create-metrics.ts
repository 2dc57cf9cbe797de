/**
 * createMetrics: the catalog's metrics on a registry of their own, as typed handles grouped
 * by family. The GPU family is left to @orfeas/gpu-sampler, which reads it from the sampler.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { catalog, type Catalog, type Family } from '../catalog.js';
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

  const collectors: Record<string, () => void> = systemCollectors(options.system);
  const families = Object.fromEntries(
    Object.entries(catalog)
      .filter(([family]) => family !== 'gpu')
      .map(([family, defs]) => [
        family,
        Object.fromEntries(
          Object.entries(defs).map(([handle, def]) => {
            const collect = family === 'system' ? collectors[handle] : undefined;
            return [handle, buildMetric(def, { registry, ...(collect ? { collect } : {}) })];
          }),
        ),
      ]),
  );
  return { ...families, registry } as unknown as Metrics;
}
