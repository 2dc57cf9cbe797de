/**
 * The fallback against metric classes whose internals changed: prom-client as its next major
 * has it, series kept in a map of their own (LabelMap) rather than in `hashMap`. The package's
 * own modules import this prom-client, so its self-check meets the change.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('prom-client', async (importOriginal) => {
  const actual = await importOriginal<typeof import('prom-client')>();
  type Labels = Record<string, string | number>;
  class Counter extends actual.Counter<string> {
    private seriesMap?: Map<string, { labels: Labels; value: number }>;
    private get series() {
      return (this.seriesMap ??= new Map());
    }
    incWithoutExemplar(labels?: Labels | number, value?: number): void {
      const [l, v] = typeof labels === 'object' ? [labels, value ?? 1] : [{}, labels ?? 1];
      if (!Number.isFinite(v) || v < 0) throw new Error(`It is not possible to increase a counter by ${v}`);
      const key = Object.keys(l).sort().map((name) => `${name}=${l[name]}`).join('|');
      const series = this.series.get(key) ?? { labels: l, value: 0 };
      series.value += v;
      this.series.set(key, series);
    }
    override get() {
      const { name, help } = this as unknown as { name: string; help: string };
      const values = [...this.series.values()];
      return Promise.resolve({ name, help, type: 'counter', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<InstanceType<typeof actual.Counter>['get']>>);
    }
    override reset(): void {
      this.series.clear();
    }
  }
  return { ...actual, Counter };
});

const { createMetrics } = await import('./create-metrics.js');
const { CounterSeries } = await import('./series-cache.js');
const { exposition } = await import('../handler/exposition.js');
const { catalog } = await import('../catalog.js');

describe('a prom-client whose counters keep their series elsewhere', () => {
  it('is found by the self-check, and every recording still counts', async () => {
    const log = vi.fn();
    const metrics = createMetrics({ defaultMetrics: false, log });
    expect(log.mock.calls[0]![0]).toMatch(/counter series is not at hashMap/);
    const labels = { method: 'GET', route: '/jobs/:id', status: '200' };
    const requests = new CounterSeries(metrics.http.requestsTotal);
    for (let i = 0; i < 3; i++) requests.inc('k', labels);
    metrics.http.requestsTotal.inc({ method: 'BREW', route: '/pot', status: '418' });
    const text = await exposition(metrics.registry, 'prometheus');
    expect(text).toContain('http_requests_total{method="GET",route="/jobs/:id",status="200"} 3');
    // The label guard still works on the public path: an unknown method is "other", and counted.
    expect(text).toContain('http_requests_total{method="other",route="/pot",status="418"} 1');
    expect(text).toContain(`${catalog.meta.labelOverflowTotal.name}{metric="http_requests_total"} 1`);
    expect(text).toContain(`${catalog.meta.fastPathEnabled.name} 0`);
  });
});
