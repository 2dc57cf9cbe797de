import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { decodeScrape } from '../../test/protobuf.js';
import { value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { exposition } from '../handler/exposition.js';
import { protobufExposition } from '../handler/protobuf.js';
import { createMetrics } from './create-metrics.js';
import { checkInternals, warnOnce } from './internals.js';
import { CounterSeries, HistogramSeries } from './series-cache.js';

const LABELS = { method: 'GET', route: '/jobs/:id', status: '200' };

/**
 * A registry as a later prom-client might write it: default labels in a private field rather
 * than `_defaultLabels`, everything public still working.
 */
class PrivateLabelsRegistry extends Registry {
  #labels: Record<string, string> = {};
  constructor() {
    super();
    delete (this as unknown as { _defaultLabels?: unknown })._defaultLabels;
  }
  override setDefaultLabels(labels: object): void {
    this.#labels = { ...(labels as Record<string, string>) };
  }
  override async getMetricsAsJSON() {
    type Readable = { get(): Promise<{ values: { labels: object }[] }> };
    const items = await Promise.all((this.getMetricsAsArray() as unknown as Readable[]).map((metric) => metric.get()));
    for (const item of items) for (const v of item.values) v.labels = { ...v.labels, ...this.#labels, ...v.labels };
    return items as unknown as Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
  }
}

describe('the internals self-check', () => {
  it("passes on the prom-client this package was tested with, and the fast path is taken", async () => {
    expect(checkInternals(new Registry())).toEqual({ ok: true });
    const metrics = createMetrics({ defaultMetrics: false });
    expect(await value(metrics.registry, catalog.meta.fastPathEnabled.name)).toBe(1);
    const publicInc = vi.spyOn(metrics.http.requestsTotal, 'inc');
    const requests = new CounterSeries(metrics.http.requestsTotal);
    for (let i = 0; i < 5; i++) requests.inc('k', LABELS);
    // The first recording goes through prom-client's public inc; the next four do not.
    expect(publicInc).toHaveBeenCalledTimes(1);
    expect(await value(metrics.registry, catalog.http.requestsTotal.name, LABELS)).toBe(5);
  });

  it('falls back to the public API for a registry whose internals changed, saying so once', async () => {
    const log = vi.fn();
    const metrics = createMetrics({ registry: new PrivateLabelsRegistry(), defaultLabels: { service: 'api' }, defaultMetrics: false, log });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toMatch(/_defaultLabels.*public API/);
    warnOnce(metrics.registry, log);
    expect(log).toHaveBeenCalledTimes(1);
    expect(await value(metrics.registry, catalog.meta.fastPathEnabled.name)).toBe(0);

    const publicInc = vi.spyOn(metrics.http.requestsTotal, 'inc');
    const requests = new CounterSeries(metrics.http.requestsTotal);
    const durations = new HistogramSeries(metrics.http.requestDurationSeconds);
    for (let i = 0; i < 5; i++) {
      requests.inc('k', LABELS);
      durations.observe('k', LABELS, 0.2);
    }
    expect(publicInc).toHaveBeenCalledTimes(5);

    // The text keeps the default label on every series, with the values recorded.
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const lines = (await exposition(metrics.registry, format)).split('\n').filter((line) => line.startsWith('http_request'));
      expect(lines).toContain('http_requests_total{method="GET",route="/jobs/:id",status="200",service="api"} 5');
      expect(lines).toContain('http_request_duration_seconds_bucket{le="0.25",method="GET",route="/jobs/:id",status="200",service="api"} 5');
      expect(lines).toContain('http_request_duration_seconds_count{method="GET",route="/jobs/:id",status="200",service="api"} 5');
      expect(lines.every((line) => line.includes('service="api"'))).toBe(true);
    }
    const families = decodeScrape(await protobufExposition(metrics.registry));
    const histogram = families.find((f) => f.name === catalog.http.requestDurationSeconds.name)!.metric[0]!;
    expect(histogram.label).toContainEqual({ name: 'service', value: 'api' });
    expect(histogram.histogram!.sampleCount).toBe(5);
    expect(histogram.histogram!.positiveDelta).toEqual([5]);
  });
});
