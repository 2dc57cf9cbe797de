import { describe, expect, it } from 'vitest';
import { value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { exposition } from '../handler/exposition.js';
import { createMetrics } from './create-metrics.js';
import { CounterSeries, GaugeSeries, HistogramSeries } from './series-cache.js';

const observations = [0.001, 0.02, 0.02, 0.3, 4, 12, 0.005, 0.25];

describe('series caches', () => {
  it('record exactly what prom-client records through its public methods', async () => {
    const cached = createMetrics({ defaultMetrics: false });
    const plain = createMetrics({ defaultMetrics: false });
    const durations = new HistogramSeries(cached.http.requestDurationSeconds);
    const requests = new CounterSeries(cached.http.requestsTotal);
    const inFlight = new GaugeSeries(cached.http.requestsInFlight);
    for (const [i, seconds] of observations.entries()) {
      const labels = { method: 'GET', route: `/jobs/:id`, status: i % 3 ? '200' : '404' };
      const key = `${labels.method}\n${labels.route}\n${labels.status}`;
      durations.observe(key, labels, seconds);
      plain.http.requestDurationSeconds.observe(labels, seconds);
      requests.inc(key, labels);
      plain.http.requestsTotal.inc(labels);
      inFlight.inc('GET', { method: 'GET' });
      plain.http.requestsInFlight.inc({ method: 'GET' });
    }
    inFlight.dec('GET', { method: 'GET' });
    plain.http.requestsInFlight.dec({ method: 'GET' });
    // The system family (uptime) moves between the two scrapes; the HTTP family must not.
    const http = async (registry: typeof cached.registry) =>
      (await exposition(registry, 'prometheus')).split('\n').filter((line) => line.includes('http_'));
    const recorded = await http(cached.registry);
    expect(recorded.length).toBeGreaterThan(40);
    expect(recorded).toEqual(await http(plain.registry));
  });

  it('starts again from zero after the registry is reset', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const requests = new CounterSeries(metrics.http.requestsTotal);
    const labels = { method: 'GET', route: '/', status: '200' };
    requests.inc('k', labels);
    requests.inc('k', labels);
    metrics.registry.resetMetrics();
    requests.inc('k', labels);
    expect(await value(metrics.registry, catalog.http.requestsTotal.name, labels)).toBe(1);
  });

  it('counts every refused label value, not only the first', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const requests = new CounterSeries(metrics.http.requestsTotal);
    requests.inc('k', { method: 'BREW', route: '/pot', status: '418' });
    requests.inc('k', { method: 'BREW', route: '/pot', status: '418' });
    expect(await value(metrics.registry, catalog.http.requestsTotal.name, { method: 'other' })).toBe(2);
    expect(await value(metrics.registry, catalog.meta.labelOverflowTotal.name, { metric: catalog.http.requestsTotal.name })).toBe(2);
  });

  it('still refuses values prom-client refuses', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const requests = new CounterSeries(metrics.http.requestsTotal);
    const labels = { method: 'GET', route: '/', status: '200' };
    requests.inc('k', labels);
    expect(() => requests.inc('k', labels, -1)).toThrow();
    const durations = new HistogramSeries(metrics.http.requestDurationSeconds);
    durations.observe('k', labels, 1);
    expect(() => durations.observe('k', labels, Number.NaN)).toThrow();
  });

  it("adds a histogram's cached bucket counts to prom-client's series before any read, and drops them on reset", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const sizes = new HistogramSeries(metrics.http.responseSizeBytes);
    const labels = { method: 'GET', route: '/' };
    for (const bytes of [50, 500, 500, 5e6, 5e9]) sizes.observe('k', labels, bytes);
    const bucket = (le: string) => value(metrics.registry, catalog.http.responseSizeBytes.name, { ...labels, le }, `${catalog.http.responseSizeBytes.name}_bucket`);
    expect(await bucket('100')).toBe(1);
    expect(await bucket('1000')).toBe(3);
    expect(await bucket('10000000')).toBe(4);
    expect(await bucket('+Inf')).toBe(5);
    // prom-client's own text reads them too.
    expect(await metrics.registry.metrics()).toContain('http_response_size_bytes_bucket{le="1000",method="GET",route="/"} 3');
    sizes.observe('k', labels, 500);
    metrics.registry.resetMetrics();
    sizes.observe('k', labels, 50);
    expect(await bucket('1000')).toBe(1);
  });
});
