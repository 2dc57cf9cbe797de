/** Reads series back from a registry the way a scrape would see them, for tests. */
import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** The samples of one metric (histograms: of `name_bucket`, `name_sum`, `name_count` too). */
export async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  return (await metric.get()).values as unknown as Sample[];
}

/** The value of the one sample of `series` whose labels include `labels`, or undefined. */
export async function value(registry: Registry, name: string, labels: Labels = {}, series = name): Promise<number | undefined> {
  const found = (await samples(registry, name)).filter(
    (s) => (s.metricName ?? name) === series && Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${series} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** The observation count of a histogram series. */
export const histogramCount = (registry: Registry, name: string, labels: Labels = {}) =>
  value(registry, name, labels, `${name}_count`);

/** Distinct label sets of a metric (histograms: by their _count series). */
export async function seriesCount(registry: Registry, name: string): Promise<number> {
  const all = await samples(registry, name);
  return all.filter((s) => s.metricName === undefined || s.metricName === `${name}_count`).length;
}
