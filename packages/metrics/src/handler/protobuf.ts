/**
 * The protobuf exposition (length-delimited io.prometheus.client.MetricFamily messages), the
 * one format that carries native histograms to Prometheus. Values come from prom-client's
 * public getMetricsAsJSON(), default labels included; a histogram with native buckets sends
 * them beside its classic buckets, so a server without native histograms still reads the
 * classic ones.
 */
import protobuf from 'protobufjs';
import type { Registry, RegistryContentType } from 'prom-client';
import { nativeSeriesOf, type NativeBuckets } from '../native-histogram/index.js';
import { METRIC_TYPES, MetricFamily } from './metric-family.proto.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

type Labels = Record<string, string | number>;
interface Value {
  value: number;
  labels: Labels;
  metricName?: string;
}
interface Item {
  name: string;
  help: string;
  type: string;
  values: Value[];
}
interface LabelPair {
  name: string;
  value: string;
}

export async function protobufExposition(registry: Registry<RegistryContentType>): Promise<Uint8Array<ArrayBuffer>> {
  const metrics = new Map(registry.getMetricsAsArray().map((metric) => [metric.name, metric]));
  const items = (await registry.getMetricsAsJSON()) as unknown as Item[];
  const writer = protobuf.Writer.create();
  for (const item of items) {
    const family = familyMessage(item, metrics.get(item.name));
    if (family) MetricFamily.encodeDelimited(family, writer);
  }
  return writer.finish() as Uint8Array<ArrayBuffer>;
}

function familyMessage(item: Item, metric: unknown): object | undefined {
  const counter = item.type === 'counter';
  // prom-client strips `_total` from a counter's name once its registry has served OpenMetrics.
  const name = counter && !item.name.endsWith('_total') ? `${item.name}_total` : item.name;
  const base = { name, help: item.help };
  if (item.type === 'histogram') return { ...base, type: METRIC_TYPES.histogram, metric: histograms(item, metric) };
  if (item.type === 'summary') return { ...base, type: METRIC_TYPES.summary, metric: summaries(item) };
  if (counter) return { ...base, type: METRIC_TYPES.counter, metric: item.values.map((v) => ({ label: pairs(v.labels), counter: { value: v.value } })) };
  if (item.type === 'gauge') return { ...base, type: METRIC_TYPES.gauge, metric: item.values.map((v) => ({ label: pairs(v.labels), gauge: { value: v.value } })) };
  return { ...base, type: METRIC_TYPES.untyped, metric: item.values.map((v) => ({ label: pairs(v.labels), untyped: { value: v.value } })) };
}

/** The series of a histogram: its `_bucket`, `_sum` and `_count` values grouped by label set. */
function histograms(item: Item, metric: unknown): object[] {
  const native = nativeSeriesOf(metric);
  return grouped(item, 'le').map(({ labels, parts, sum, count }) => ({
    label: pairs(labels),
    histogram: {
      sampleCount: count,
      sampleSum: sum,
      // +Inf is optional in the protobuf format: the count says the same.
      bucket: parts.filter(({ at }) => at !== '+Inf').map(({ at, value }) => ({ cumulativeCount: value, upperBound: Number(at) })),
      ...nativeFields(native?.of(labels)),
    },
  }));
}

function nativeFields(buckets: NativeBuckets | undefined): object {
  if (!buckets) return {};
  const positive = buckets.sparse('positive');
  const negative = buckets.sparse('negative');
  return {
    schema: buckets.schema,
    zeroThreshold: buckets.zeroThreshold,
    zeroCount: buckets.zeroCount,
    // A series without observations still says it is native with a no-op span.
    positiveSpan: positive.spans.length > 0 || negative.spans.length > 0 ? positive.spans : [{ offset: 0, length: 0 }],
    positiveDelta: positive.deltas,
    negativeSpan: negative.spans,
    negativeDelta: negative.deltas,
  };
}

function summaries(item: Item): object[] {
  return grouped(item, 'quantile').map(({ labels, parts, sum, count }) => ({
    label: pairs(labels),
    summary: { sampleCount: count, sampleSum: sum, quantile: parts.map(({ at, value }) => ({ quantile: Number(at), value })) },
  }));
}

/**
 * The values of a histogram or summary grouped into series by their labels but `split` (le or
 * quantile): each series' parts by that label's value, and its `_sum` and `_count`.
 */
function grouped(item: Item, split: string): { labels: Labels; parts: { at: string; value: number }[]; sum: number; count: number }[] {
  const series = new Map<string, { labels: Labels; parts: { at: string; value: number }[]; sum: number; count: number }>();
  for (const value of item.values) {
    const { [split]: at, ...labels } = value.labels;
    const key = seriesKey(labels);
    let entry = series.get(key);
    if (!entry) {
      entry = { labels, parts: [], sum: 0, count: 0 };
      series.set(key, entry);
    }
    if (value.metricName === `${item.name}_sum`) entry.sum = value.value;
    else if (value.metricName === `${item.name}_count`) entry.count = value.value;
    else if (at !== undefined) entry.parts.push({ at: String(at), value: value.value });
  }
  return [...series.values()];
}

function pairs(labels: Labels): LabelPair[] {
  const out: LabelPair[] = [];
  for (const name in labels) if (labels[name] !== undefined) out.push({ name, value: String(labels[name]) });
  return out;
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join('\u0001');
}
