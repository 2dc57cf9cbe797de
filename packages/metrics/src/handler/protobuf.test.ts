import { Hono } from 'hono';
import { Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { decodeScrape, positiveBuckets } from '../../test/protobuf.js';
import { bucketIndex } from '../native-histogram/index.js';
import { catalog } from '../catalog.js';
import { createMetrics } from '../registry/create-metrics.js';
import { metricsHandler } from './index.js';
import { PROTOBUF_CONTENT_TYPE, protobufExposition } from './protobuf.js';

// What Prometheus 2.42 sends with --enable-feature=native-histograms.
const PROMETHEUS_NATIVE_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

describe('the protobuf exposition', () => {
  it('is what metricsHandler serves to a scraper that prefers it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono().get('/metrics', metricsHandler(metrics.registry));
    const res = await app.request('/metrics', { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } });
    expect(res.headers.get('content-type')).toBe(PROTOBUF_CONTENT_TYPE);
    const families = decodeScrape(new Uint8Array(await res.arrayBuffer()));
    expect(families.map((f) => f.name)).toContain(catalog.http.requestsTotal.name);
  });

  it('carries counters, gauges and default labels with their values', async () => {
    const metrics = createMetrics({ defaultMetrics: false, defaultLabels: { service: 'api' } });
    metrics.http.requestsTotal.inc({ method: 'GET', route: '/jobs/:id', status: '200' }, 3);
    metrics.queue.jobQueueSize.set({ type: 'image_to_3d' }, 7);
    const families = decodeScrape(await protobufExposition(metrics.registry));
    const requests = families.find((f) => f.name === 'http_requests_total')!;
    expect(requests.type).toBe(0);
    expect(requests.metric).toHaveLength(1);
    expect(requests.metric[0]!.counter!.value).toBe(3);
    expect(Object.fromEntries(requests.metric[0]!.label!.map((l) => [l.name, l.value]))).toEqual({
      method: 'GET',
      route: '/jobs/:id',
      status: '200',
      service: 'api',
    });
    const queue = families.find((f) => f.name === catalog.queue.jobQueueSize.name)!;
    expect(queue.type).toBe(1);
    expect(queue.metric.find((m) => m.label!.some((l) => l.value === 'image_to_3d'))!.gauge!.value).toBe(7);
  });

  it('sends a histogram with its classic buckets and its native ones, whichever way it was recorded', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const stage = metrics.pipeline.stageDurationSeconds;
    const values = [0.07, 0.3, 0.3, 1.5, 4, 100];
    stage.observe({ stage: 'export' }, values[0]!);
    stage.labels('export').observe(values[1]!);
    stage.labels({ stage: 'export' }).observe(values[2]!);
    for (const value of values.slice(3)) stage.observe({ stage: 'export' }, value);
    const families = decodeScrape(await protobufExposition(metrics.registry));
    const family = families.find((f) => f.name === catalog.pipeline.stageDurationSeconds.name)!;
    expect(family.type).toBe(4);
    const exported = family.metric.find((m) => m.label!.some((l) => l.value === 'export'))!.histogram!;
    expect(exported.sampleCount).toBe(6);
    expect(exported.sampleSum).toBeCloseTo(values.reduce((a, b) => a + b), 9);
    // Classic: cumulative, one per configured bound (the +Inf bucket is the count).
    expect(exported.bucket!.map((b) => b.upperBound)).toEqual(catalog.pipeline.stageDurationSeconds.buckets);
    expect(exported.bucket!.find((b) => b.upperBound === 0.5)!.cumulativeCount).toBe(3);
    // Native: schema 3, each value in the bucket its index says.
    expect(exported.schema).toBe(3);
    const expected = new Map<number, number>();
    for (const value of values) expected.set(bucketIndex(value, 3), (expected.get(bucketIndex(value, 3)) ?? 0) + 1);
    expect(positiveBuckets(exported)).toEqual(expected);
    // A stage that never ran is still a native histogram, with a no-op span.
    const idle = family.metric.find((m) => m.label!.some((l) => l.value === 'shape_generation'))!.histogram!;
    expect(idle.sampleCount ?? 0).toBe(0);
    expect(idle.positiveSpan).toEqual([{ offset: 0, length: 0 }]);
  });

  it('sends classic buckets only when native histograms are off', async () => {
    const metrics = createMetrics({ defaultMetrics: false, nativeHistograms: false });
    metrics.pipeline.stageDurationSeconds.observe({ stage: 'export' }, 1);
    const families = decodeScrape(await protobufExposition(metrics.registry));
    const histogram = families.find((f) => f.name === catalog.pipeline.stageDurationSeconds.name)!.metric[0]!.histogram!;
    expect(histogram.schema).toBeUndefined();
    expect(histogram.positiveSpan).toBeUndefined();
  });

  it('forgets native buckets with the series on reset', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.pipeline.stageDurationSeconds.observe({ stage: 'export' }, 1);
    metrics.registry.resetMetrics();
    metrics.pipeline.stageDurationSeconds.observe({ stage: 'export' }, 2);
    const families = decodeScrape(await protobufExposition(metrics.registry));
    const histogram = families.find((f) => f.name === catalog.pipeline.stageDurationSeconds.name)!.metric[0]!.histogram!;
    expect(histogram.sampleCount).toBe(1);
    expect(positiveBuckets(histogram)).toEqual(new Map([[bucketIndex(2, 3), 1]]));
  });

  it('carries a summary of prom-client with its quantiles', async () => {
    const metrics = createMetrics({ defaultMetrics: false, families: [] });
    const summary = new Summary({ name: 'job_latency_seconds', help: 'Latency.', percentiles: [0.5, 0.9], registers: [metrics.registry] });
    for (const seconds of [1, 2, 3, 4]) summary.observe(seconds);
    const family = decodeScrape(await protobufExposition(metrics.registry)).find((f) => f.name === 'job_latency_seconds')!;
    expect(family.type).toBe(2);
    const decoded = (family.metric[0] as unknown as { summary: { sampleCount: number; sampleSum: number; quantile: { quantile: number; value: number }[] } }).summary;
    expect(decoded.sampleCount).toBe(4);
    expect(decoded.sampleSum).toBe(10);
    expect(decoded.quantile.map((q) => q.quantile)).toEqual([0.5, 0.9]);
  });
});
