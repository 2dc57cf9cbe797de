import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { histogramCount, samples, seriesCount, value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { defineMetric } from './build-metric.js';
import { createMetrics } from './create-metrics.js';

describe('createMetrics', () => {
  it('keeps two services in one process on separate registries', async () => {
    const backend = createMetrics({ defaultLabels: { service: 'backend' } });
    const worker = createMetrics({ defaultLabels: { service: 'worker' } });
    expect(backend.registry).not.toBe(worker.registry);
    backend.http.requestsTotal.inc({ method: 'GET', route: '/jobs/:id', status: '200' });
    expect(await value(backend.registry, catalog.http.requestsTotal.name, { route: '/jobs/:id' })).toBe(1);
    expect(await seriesCount(worker.registry, catalog.http.requestsTotal.name)).toBe(0);
    expect(await backend.registry.metrics()).toContain('service="backend"');
    expect(await worker.registry.metrics()).not.toContain('service="backend"');
  });

  it('registers on a given registry', () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry, defaultMetrics: false });
    expect(metrics.registry).toBe(registry);
    expect(registry.getSingleMetric(catalog.pipeline.stageDurationSeconds.name)).toBeDefined();
  });

  it('reads the system family at scrape time', async () => {
    const metrics = createMetrics({ system: { diskPaths: ['/'], version: '1.2.3', environment: 'test' } });
    const { system } = catalog;
    const registry = metrics.registry;
    expect(await value(registry, system.memoryBytes.name, { type: 'total' })).toBeGreaterThan(0);
    expect(await value(registry, system.diskBytes.name, { path: '/', type: 'total' })).toBeGreaterThan(0);
    expect(await value(registry, system.appUptimeSeconds.name)).toBeGreaterThan(0);
    expect(await value(registry, system.appInfo.name, { version: '1.2.3', environment: 'test', node_version: process.version })).toBe(1);
    const cores = await samples(registry, system.cpuUsageRatio.name);
    expect(cores.length).toBeGreaterThan(0);
    for (const core of cores) expect(core.value).toBeGreaterThanOrEqual(0);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('leaves out the prom-client gauges that end in _total', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain('nodejs_active_handles ');
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
  });

  it('records refused label values as "other" and counts them by metric', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.business.failedGenerationsTotal.inc({ type: 'image_to_3d', reason: 'timeout' });
    metrics.business.failedGenerationsTotal.inc({ type: 'not_a_type', reason: 'timeout' });
    const registry = metrics.registry;
    const name = catalog.business.failedGenerationsTotal.name;
    expect(await value(registry, name, { type: 'other', reason: 'timeout' })).toBe(1);
    expect(await value(registry, catalog.meta.labelOverflowTotal.name, { metric: name })).toBe(1);
  });

  it('starts every series whose label values are all known at 0, and no other', async () => {
    const { registry } = createMetrics({ defaultMetrics: false });
    const { model3d, pipeline, websocket, http } = catalog;
    // 4 formats x 3 qualities x 3 statuses, every one at 0 before any job ran.
    expect(await seriesCount(registry, model3d.generationsTotal.name)).toBe(36);
    expect(await value(registry, model3d.generationsTotal.name, { format: 'glb', quality: 'high', status: 'cancelled' })).toBe(0);
    expect(await histogramCount(registry, pipeline.stageDurationSeconds.name, { stage: 'export' })).toBe(0);
    expect(await value(registry, websocket.connectionsActive.name, { client_type: 'browser' })).toBe(0);
    // Route patterns are not known in advance: nothing is made up for them.
    expect(await seriesCount(registry, http.requestsTotal.name)).toBe(0);
  });

  it('reads a metric through a collect() the service gives', async () => {
    let free = 123;
    const { registry } = createMetrics({
      defaultMetrics: false,
      collect: { storage: { freeBytes() { this.set(free); } } },
    });
    expect(await value(registry, catalog.storage.freeBytes.name)).toBe(123);
    free = 45;
    expect(await value(registry, catalog.storage.freeBytes.name)).toBe(45);
  });

  it('registers only the families asked for, with meta always there', async () => {
    const metrics = createMetrics({ families: ['http', 'errors'], defaultMetrics: false });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain(catalog.http.requestsTotal.name);
    expect(names).toContain(catalog.meta.labelOverflowTotal.name);
    expect(names).not.toContain(catalog.pipeline.stageDurationSeconds.name);
    expect(names).not.toContain(catalog.system.memoryBytes.name);
    expect(() => createMetrics({ families: ['gpu' as 'http'] })).toThrow(/no recorded family "gpu"/);
  });
});

describe('defineMetric', () => {
  it("gives a service's own metric the catalog's label guard", async () => {
    const { registry } = createMetrics({ families: [], defaultMetrics: false });
    const rendered = defineMetric(registry, {
      name: 'thumbnails_rendered_total',
      type: 'counter',
      help: 'Thumbnails rendered, by format.',
      labels: ['format'],
      bounds: { format: { values: ['png', 'webp'] } },
    });
    rendered.inc({ format: 'png' });
    rendered.inc({ format: 'tiff' });
    expect(await value(registry, 'thumbnails_rendered_total', { format: 'png' })).toBe(1);
    expect(await value(registry, 'thumbnails_rendered_total', { format: 'other' })).toBe(1);
    expect(await value(registry, catalog.meta.labelOverflowTotal.name, { metric: 'thumbnails_rendered_total' })).toBe(1);
  });
});
