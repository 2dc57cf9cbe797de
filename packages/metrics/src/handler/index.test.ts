import { spawnSync } from 'node:child_process';
import { Hono } from 'hono';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateCatalog } from '../../test/populate.js';
import { serveApp, type Served } from '../../test/serve.js';
import { catalog, catalogMetrics } from '../catalog.js';
import { httpMetrics } from '../hono/index.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { formatFor, metricsHandler } from './index.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const promtool = spawnSync('promtool', ['--version']).status === 0;
const inCI = process.env.CI === 'true';
if (!promtool && !inCI) console.warn('promtool not found (Debian package "prometheus"): skipping the promtool check of the exposition');

describe('metricsHandler', () => {
  let metrics: Metrics;
  let served: Served;
  beforeAll(async () => {
    metrics = createMetrics({ system: { diskPaths: ['/'] } });
    populateCatalog(metrics);
    const app = new Hono();
    app.use(httpMetrics(metrics));
    app.get('/jobs/:id', (c) => c.json({ id: c.req.param('id') }));
    app.get('/metrics', metricsHandler(metrics.registry));
    app.get('/secured/metrics', metricsHandler(metrics.registry, { token: 's3cret' }));
    served = await serveApp(app);
    await fetch(`${served.url}/jobs/1`);
  });
  afterAll(() => served.close());

  it('serves the Prometheus text format by default, every catalog metric in it', async () => {
    const res = await fetch(`${served.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    for (const metric of catalogMetrics) expect(text).toContain(`# TYPE ${metric.name} ${metric.type}`);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/jobs\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^system_memory_bytes\{type="total"\} [1-9]/m);
    expect(text).toMatch(/^app_uptime_seconds [0-9.e+-]+$/m);
  });

  it('serves OpenMetrics when asked, and leaves the registry serving Prometheus text to others', async () => {
    const res = await fetch(`${served.url}/metrics`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(res.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    const text = await res.text();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE http_requests counter');
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/jobs\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{method="GET",route="\/jobs\/:id",status="200",le="\+Inf"\} 1$/m);

    const plain = await (await fetch(`${served.url}/metrics`)).text();
    expect(plain).toContain('# TYPE http_requests_total counter');
    expect(plain).not.toContain('# EOF');
    expect(metrics.registry.contentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });

  it('refuses a scrape without the bearer token with a 401 JSON body', async () => {
    const missing = await fetch(`${served.url}/secured/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    const wrong = await fetch(`${served.url}/secured/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${served.url}/secured/metrics`, { headers: { authorization: 'bearer s3cret' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('http_requests_total');
  });

  it.skipIf(!promtool && !inCI)('passes promtool check metrics with no problems', async () => {
    if (!promtool) throw new Error('promtool is required in CI (install the Debian package "prometheus")');
    const text = await (await fetch(`${served.url}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('formatFor', () => {
  it('picks OpenMetrics only when the Accept header lists it with q > 0', () => {
    expect(formatFor(undefined)).toBe('prometheus');
    expect(formatFor('text/plain')).toBe('prometheus');
    expect(formatFor(OPENMETRICS_ACCEPT)).toBe('openmetrics');
    expect(formatFor('application/openmetrics-text; q=0, text/plain')).toBe('prometheus');
  });

  it('picks the format with the highest q, protobuf only as delimited MetricFamily messages', () => {
    const protobuf = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    expect(formatFor(`${protobuf};q=0.8,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.3`)).toBe('protobuf');
    expect(formatFor(`${protobuf};q=0.4,application/openmetrics-text;version=1.0.0;q=0.5`)).toBe('openmetrics');
    expect(formatFor('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text,text/plain')).toBe('prometheus');
    expect(formatFor('text/plain;q=0.9, application/openmetrics-text;q=0.2')).toBe('prometheus');
    expect(formatFor('application/json')).toBe('prometheus');
    expect(formatFor('*/*')).toBe('prometheus');
  });
});

describe('a registry already set to OpenMetrics', () => {
  it('still serves Prometheus text with counter names intact', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    // createMetrics is typed for the default (Prometheus) registry; the cast only widens that.
    const metrics = createMetrics({ registry: registry as unknown as Registry, defaultMetrics: false });
    metrics.cache.hitsTotal.inc({ cache_type: 'mesh' });
    const app = new Hono().get('/metrics', metricsHandler(registry));
    const open = await app.request('/metrics', { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(await open.text()).toContain('cache_hits_total{cache_type="mesh"} 1');
    // prom-client renamed the counter to cache_hits while serving OpenMetrics itself.
    const plain = await (await app.request('/metrics')).text();
    expect(plain).toContain(`# TYPE ${catalog.cache.hitsTotal.name} counter`);
    expect(plain).toContain('cache_hits_total{cache_type="mesh"} 1');
  });
});
