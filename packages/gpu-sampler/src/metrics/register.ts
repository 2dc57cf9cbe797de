/**
 * registerGpuMetrics: the catalog's GPU family on a prom-client registry, read from the
 * sampler at scrape time through collect(). All metrics of one scrape share one snapshot.
 */
import { defineMetric, type MetricFor } from '@orfeas/metrics';
import { catalog, type Catalog } from '@orfeas/metrics/catalog';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { GpuSnapshot } from '../../addon.js';
import type { GpuSampler } from '../sampler/create.js';
import { fillGpuMetrics } from './fill.js';

export type GpuMetrics = { readonly [K in keyof Catalog['gpu']]: MetricFor<Catalog['gpu'][K]> };

export function registerGpuMetrics(registry: Registry, sampler: GpuSampler): GpuMetrics {
  let current: GpuSnapshot | undefined;
  // prom-client calls every metric's collect() in one synchronous pass per scrape: the first
  // takes the snapshot, a microtask drops it before the next scrape.
  const snapshot = (): GpuSnapshot => {
    if (!current) {
      current = sampler.snapshot();
      queueMicrotask(() => (current = undefined));
    }
    return current;
  };
  const metrics = {} as Record<keyof Catalog['gpu'], Gauge<string> | Counter<string>>;
  for (const key of Object.keys(catalog.gpu) as (keyof Catalog['gpu'])[]) {
    const metric: Gauge<string> | Counter<string> = defineMetric(registry, catalog.gpu[key], {
      collect: () => {
        metric.reset();
        fillGpuMetrics[key](metric as never, snapshot(), sampler.available);
      },
    });
    metrics[key] = metric;
  }
  return metrics as unknown as GpuMetrics;
}
