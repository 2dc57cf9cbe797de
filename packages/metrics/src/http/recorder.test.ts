import { describe, expect, it } from 'vitest';
import { histogramCount, seriesCount, value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { createMetrics } from '../registry/create-metrics.js';
import { httpRecorder } from './recorder.js';

const { requestsTotal, requestDurationSeconds, requestSizeBytes, responseSizeBytes, requestsInFlight } = catalog.http;

describe('httpRecorder', () => {
  it('records a request into all five series under the labels it was given', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = httpRecorder(metrics);
    const method = recorder.method('PATCH');
    recorder.started(method);
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'PATCH' })).toBe(1);
    const series = recorder.series(method, '/jobs/:id');
    series.record(204, 0.02, 512);
    series.observeResponseSize(0);
    recorder.finished(method);
    const labels = { method: 'PATCH', route: '/jobs/:id' };
    expect(await value(metrics.registry, requestsTotal.name, { ...labels, status: '204' })).toBe(1);
    expect(await value(metrics.registry, requestDurationSeconds.name, { ...labels, status: '204' }, `${requestDurationSeconds.name}_sum`)).toBe(0.02);
    expect(await value(metrics.registry, requestSizeBytes.name, labels, `${requestSizeBytes.name}_sum`)).toBe(512);
    expect(await histogramCount(metrics.registry, responseSizeBytes.name, labels)).toBe(1);
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'PATCH' })).toBe(0);
  });

  it('hands out one series object per method and route, and methods outside the catalog as _OTHER', () => {
    const recorder = httpRecorder(createMetrics({ defaultMetrics: false }));
    expect(recorder.series('GET', '/a')).toBe(recorder.series('GET', '/a'));
    expect(recorder.series('GET', '/a')).not.toBe(recorder.series('POST', '/a'));
    expect(recorder.method('PURGE')).toBe('_OTHER');
    expect(recorder.method('get')).toBe('_OTHER');
  });

  it('keeps series for a bounded number of routes, and still records past it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = httpRecorder(metrics);
    for (let i = 0; i < 1100; i++) recorder.series('GET', `/raw/${i}`).record(200, 0.001, undefined);
    // Past the cap it makes a new series each time rather than keep it.
    expect(recorder.series('GET', '/raw/1099')).not.toBe(recorder.series('GET', '/raw/1099'));
    expect(recorder.series('GET', '/raw/0')).toBe(recorder.series('GET', '/raw/0'));
    const cap = (requestsTotal.bounds!.route as { max: number }).max;
    expect(await seriesCount(metrics.registry, requestsTotal.name)).toBe(cap + 1);
    expect(await value(metrics.registry, requestsTotal.name, { route: 'other' })).toBe(1100 - cap);
  });

  it('counts an error by its type and route', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    httpRecorder(metrics).series('GET', '/jobs/:id').error(new TypeError('boom'));
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'type_error', route: '/jobs/:id' })).toBe(1);
  });

  it('leaves out the default paths, or the given exact paths and patterns', () => {
    expect(['/metrics', '/health', '/ready', '/jobs'].map(httpRecorder(createMetrics({ defaultMetrics: false })).excludes)).toEqual([true, true, true, false]);
    const custom = httpRecorder(createMetrics({ defaultMetrics: false }), { exclude: ['/ping', /^\/internal\//] });
    expect(['/ping', '/internal/x', '/metrics'].map(custom.excludes)).toEqual([true, true, false]);
  });
});
