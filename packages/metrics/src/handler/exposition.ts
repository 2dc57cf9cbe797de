/**
 * The text exposition of a registry, Prometheus text or OpenMetrics chosen per scrape.
 *
 * Written here rather than taken from registry.metrics() for two reasons:
 * - prom-client's OpenMetrics path reads the registry's process-wide content type and renames
 *   counters in place (strips `_total` from `metric.name`), so a shared registry cannot be
 *   switched for one scrape while another is being served;
 * - its histogram export builds one object per bucket per series; a backend with 1,000
 *   duration series spent ~20 ms per scrape there. Histograms are read from prom-client's
 *   per-series state instead (checked against prom-client's own output by the tests).
 * Where the self-check (../registry/internals.ts) found that state changed, everything is read
 * through prom-client's public getMetricsAsJSON() instead.
 */
import { Registry, type RegistryContentType } from 'prom-client';
import { fastPathFor } from '../registry/internals.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

type Labels = Partial<Record<string, string | number>>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}
interface Metric {
  name: string;
  help: string;
  type: string;
  collect?: () => unknown;
  get(): Promise<{ name: string; values: Sample[] }>;
}
/** prom-client 15's histogram state: non-cumulative counts per upper bound, sum and count. */
interface HistogramState {
  upperBounds: number[];
  hashMap: Record<string, { labels: Labels; bucketValues: Record<string, number>; sum: number; count: number }>;
}

/** The registry's metrics in the given format; the registry itself is left as it was. */
export async function exposition(registry: Registry<RegistryContentType>, format: ExpositionFormat): Promise<string> {
  if (!fastPathFor(registry)) return publicExposition(registry, format);
  // Default labels have no public getter; prom-client keeps them here since v11.
  const defaults = Object.entries((registry as unknown as { _defaultLabels?: Labels })._defaultLabels ?? {});
  const metrics = registry.getMetricsAsArray() as unknown as Metric[];
  const families = await Promise.all(metrics.map((metric) => familyText(metric, format, defaults)));
  return families.join('') + (format === 'openmetrics' ? '# EOF\n' : '');
}

/** The same text from prom-client's public API alone, default labels included by it. */
async function publicExposition(registry: Registry<RegistryContentType>, format: ExpositionFormat): Promise<string> {
  const items = (await registry.getMetricsAsJSON()) as unknown as { name: string; help: string; type: string; values: Sample[] }[];
  let text = '';
  for (const item of items) text += header(item, format) + samplesText(item, item.values, []);
  return text + (format === 'openmetrics' ? '# EOF\n' : '');
}

function header(metric: { name: string; help: string; type: string }, format: ExpositionFormat): string {
  // A counter family is `x` in OpenMetrics and `x_total` in the Prometheus format; its samples
  // are `x_total` in both. The name may arrive either way: prom-client strips `_total` in place
  // once a registry has served OpenMetrics itself.
  const counter = metric.type === 'counter';
  const base = counter ? metric.name.replace(/_total$/, '') : metric.name;
  const family = counter && format === 'prometheus' ? `${base}_total` : base;
  // OpenMetrics escapes quotes in HELP too; the Prometheus text format knows only \\ and \n there.
  const help = format === 'openmetrics' ? escapeLabel(metric.help) : escapeHelp(metric.help);
  return `# HELP ${family} ${help}\n# TYPE ${family} ${metric.type}\n`;
}

function samplesText(metric: { name: string; type: string }, values: Sample[], defaults: [string, unknown][]): string {
  const counter = metric.type === 'counter';
  const base = counter ? metric.name.replace(/_total$/, '') : metric.name;
  let text = '';
  for (const sample of values) {
    const name = counter ? `${base}_total` : (sample.metricName ?? metric.name);
    const labels = labelText(sample.labels, defaults);
    text += `${name}${labels === '' ? '' : `{${labels}}`} ${valueText(sample.value)}\n`;
  }
  return text;
}

async function familyText(metric: Metric, format: ExpositionFormat, defaults: [string, unknown][]): Promise<string> {
  let text = header(metric, format);
  if (isHistogram(metric)) {
    if (metric.collect) await metric.collect();
    // Bucket counts are keyed by the bound's string form; converting once per scrape, not per line.
    const bounds = metric.upperBounds.map(String);
    for (const series of Object.values(metric.hashMap)) {
      text += histogramText(metric.name, bounds, series, labelText(series.labels, defaults));
    }
    return text;
  }
  const { values } = await metric.get();
  return text + samplesText(metric, values, defaults);
}

function histogramText(name: string, bounds: string[], series: HistogramState['hashMap'][string], labels: string): string {
  const prefix = `${name}_bucket{${labels === '' ? '' : `${labels},`}le="`;
  let text = '';
  let cumulative = 0;
  for (const bound of bounds) {
    cumulative += series.bucketValues[bound] ?? 0;
    text += `${prefix}${bound}"} ${cumulative}\n`;
  }
  const braces = labels === '' ? '' : `{${labels}}`;
  return `${text}${prefix}+Inf"} ${series.count}\n${name}_sum${braces} ${valueText(series.sum)}\n${name}_count${braces} ${series.count}\n`;
}

function isHistogram(metric: Metric): metric is Metric & HistogramState {
  const state = metric as Partial<HistogramState>;
  return metric.type === 'histogram' && Array.isArray(state.upperBounds) && typeof state.hashMap === 'object';
}

function labelText(labels: Labels, defaults: [string, unknown][]): string {
  let text = '';
  for (const key in labels) {
    const value = labels[key];
    if (value !== undefined) text += `${text === '' ? '' : ','}${key}="${escapeLabel(String(value))}"`;
  }
  for (const [key, value] of defaults) {
    if (labels[key] === undefined) text += `${text === '' ? '' : ','}${key}="${escapeLabel(String(value))}"`;
  }
  return text;
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

const NEEDS_ESCAPE = /[\\"\n]/;
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string) => (NEEDS_ESCAPE.test(text) ? escapeHelp(text).replace(/"/g, '\\"') : text);
