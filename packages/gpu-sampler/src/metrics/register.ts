/**
 * registerGpuMetrics: the catalog's sampled families (gpu, gpuHealth, gpuProcess) on a
 * prom-client registry, read from the sampler at scrape time through collect(). All metrics
 * of one scrape share one snapshot.
 */
import { defineMetric, type MetricFor } from '@orfeas/metrics';
import { SAMPLED_FAMILIES, catalog, type Catalog, type MetricDef, type SampledFamily } from '@orfeas/metrics/catalog';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { GpuSampler } from '../sampler/create.js';
import { fillGpu, type FamilyFill } from './fill.js';
import { fillGpuHealth } from './fill-health.js';
import { fillGpuProcess } from './fill-process.js';
import { ProcessLabels } from './process-labels.js';
import { readScrape, type Scrape } from './scrape.js';

/** The metrics registerGpuMetrics made, by family, as createMetrics groups its own. */
export type GpuMetrics = { readonly [F in SampledFamily]: { readonly [K in keyof Catalog[F]]: MetricFor<Catalog[F][K]> } };

type AnyFill = Record<string, (metric: never, scrape: Scrape) => void>;

export function registerGpuMetrics(registry: Registry, sampler: GpuSampler): GpuMetrics {
  let current: Scrape | undefined;
  // prom-client calls every metric's collect() in one synchronous pass per scrape: the first
  // takes the snapshot, a microtask drops it before the next scrape.
  const scrape = (): Scrape => {
    if (!current) {
      current = readScrape(sampler.snapshot(), sampler.available);
      queueMicrotask(() => (current = undefined));
    }
    return current;
  };
  const processLabels = new ProcessLabels(processCap(), defineMetric(registry, catalog.meta.labelOverflowTotal));
  const fills: { [F in SampledFamily]: FamilyFill<F> } = { gpu: fillGpu, gpuHealth: fillGpuHealth, gpuProcess: fillGpuProcess(processLabels) };
  const metrics = {} as Record<SampledFamily, Record<string, Gauge<string> | Counter<string>>>;
  for (const family of SAMPLED_FAMILIES) {
    const defs = catalog[family] as Record<string, MetricDef>;
    const fill = fills[family] as unknown as AnyFill;
    metrics[family] = {};
    for (const [key, def] of Object.entries(defs)) {
      const metric = defineMetric(registry, def, {
        collect: () => {
          metric.reset();
          fill[key]!(metric as never, scrape());
        },
      }) as Gauge<string> | Counter<string>;
      metrics[family][key] = metric;
    }
  }
  return metrics as unknown as GpuMetrics;
}

/** The catalog's cap on the `process` label (the same for both metrics of the family). */
function processCap(): number {
  const bound = catalog.gpuProcess.busySecondsTotal.bounds?.process;
  if (!bound || !('max' in bound)) throw new TypeError('the catalog gives gpu_process_busy_seconds_total\'s process label no cap');
  return bound.max;
}
