/** Puts one series in every catalog metric of a registry (GPU families included), for exposition tests. */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { SAMPLED_FAMILIES, catalog, type LabelBound, type MetricDef } from '../src/catalog.js';
import { buildMetric } from '../src/registry/build-metric.js';
import type { Metrics } from '../src/registry/create-metrics.js';

export function populateCatalog(metrics: Metrics): void {
  const sampled: readonly string[] = SAMPLED_FAMILIES;
  const gpu = SAMPLED_FAMILIES.flatMap((family) => Object.values(catalog[family]) as MetricDef[]).map(
    (def) => [def, buildMetric(def, { registry: metrics.registry })] as const,
  );
  const recorded = Object.entries(catalog)
    .filter(([family]) => !sampled.includes(family))
    .flatMap(([family, defs]) =>
      Object.entries(defs).map(([handle, def]) => [def, (metrics as unknown as Record<string, Record<string, unknown>>)[family]![handle]] as const),
    );
  for (const [def, metric] of [...gpu, ...recorded]) record(def as MetricDef, metric as Counter | Gauge | Histogram);
}

function record(def: MetricDef, metric: Counter | Gauge | Histogram): void {
  const labels = Object.fromEntries(def.labels.map((label) => [label, sampleValue(def.bounds?.[label])]));
  if (def.type === 'histogram') (metric as Histogram).observe(labels, 0.5);
  else if (def.type === 'counter') (metric as Counter).inc(labels);
  else (metric as Gauge).set(labels, 1);
}

function sampleValue(bound: LabelBound | undefined): string {
  return bound && 'values' in bound ? bound.values[0]! : 'sample';
}
