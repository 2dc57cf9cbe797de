import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { histogramCount, seriesCount, samples, value } from '../../test/series.js';
import { serveApp, type Served } from '../../test/serve.js';
import { catalog } from '../catalog.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { httpMetrics, type HttpMetricsOptions } from './index.js';

const { requestsTotal, requestDurationSeconds, requestSizeBytes, responseSizeBytes, requestsInFlight } = catalog.http;
const REQUESTS = requestsTotal.name;

function jobsApp(metrics: Metrics, options?: HttpMetricsOptions) {
  const app = new Hono();
  app.use('*', httpMetrics(metrics, options));
  app.use('/api/*', async (c, next) => {
    if (c.req.header('x-deny')) return c.json({ error: 'denied' }, 401);
    await next();
  });
  app.get('/jobs/:id', (c) => c.json({ id: c.req.param('id') }));
  app.post('/jobs', async (c) => c.json(await c.req.json(), 201));
  app.get('/api/jobs/:id', (c) => c.text('ok'));
  app.get('/boom', () => {
    throw new TypeError('boom');
  });
  app.get('/teapot', () => {
    throw new HTTPException(418, { message: 'short and stout' });
  });
  app.get('/throw-string', () => {
    throw 'kaput';
  });
  app.get('/stream', (c) => {
    const chunks = ['progress ', 'done'];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    return c.body(body, 200, { 'content-length': '13' });
  });
  app.get('/health', (c) => c.text('ok'));
  app.get('/internal/state', (c) => c.text('ok'));
  return app;
}

describe('httpMetrics over real HTTP', () => {
  let metrics: Metrics;
  let served: Served;
  beforeEach(async () => {
    metrics = createMetrics({ defaultMetrics: false });
    served = await serveApp(jobsApp(metrics));
  });
  afterEach(() => served.close());

  it('records three requests to /jobs/:id as one series of the route pattern', async () => {
    const bodies = await Promise.all(['a1', 'b2', 'c3'].map((id) => fetch(`${served.url}/jobs/${id}`).then((r) => r.text())));
    const registry = metrics.registry;
    expect(await value(registry, REQUESTS, { method: 'GET', route: '/jobs/:id', status: '200' })).toBe(3);
    expect(await seriesCount(registry, REQUESTS)).toBe(1);
    expect(await histogramCount(registry, requestDurationSeconds.name, { route: '/jobs/:id', status: '200' })).toBe(3);
    expect(await value(registry, requestSizeBytes.name, { route: '/jobs/:id' }, `${requestSizeBytes.name}_sum`)).toBe(0);
    // The response size is read once Node has written the response.
    const written = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    await vi.waitFor(async () => expect(await histogramCount(registry, responseSizeBytes.name, { route: '/jobs/:id' })).toBe(3));
    expect(await value(registry, responseSizeBytes.name, { route: '/jobs/:id' }, `${responseSizeBytes.name}_sum`)).toBe(written);
    expect(await value(registry, requestsInFlight.name, { method: 'GET' })).toBe(0);
  });

  it('observes a streamed response once it has been written', async () => {
    expect(await (await fetch(`${served.url}/stream`)).text()).toBe('progress done');
    const sum = `${responseSizeBytes.name}_sum`;
    await vi.waitFor(async () => expect(await value(metrics.registry, responseSizeBytes.name, { route: '/stream' }, sum)).toBe(13));
  });

  it('observes the request body size from Content-Length', async () => {
    const body = JSON.stringify({ prompt: 'a red chair', steps: 20 });
    const res = await fetch(`${served.url}/jobs`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    const sum = `${requestSizeBytes.name}_sum`;
    expect(await value(metrics.registry, requestSizeBytes.name, { method: 'POST', route: '/jobs' }, sum)).toBe(body.length);
  });

  it('labels a request refused by a middleware with the route it was for, not the middleware pattern', async () => {
    const res = await fetch(`${served.url}/api/jobs/7`, { headers: { 'x-deny': '1' } });
    expect(res.status).toBe(401);
    expect(await value(metrics.registry, REQUESTS, { route: '/api/jobs/:id', status: '401' })).toBe(1);
    const routes = (await samples(metrics.registry, REQUESTS)).map((s) => s.labels.route);
    expect(routes).not.toContain('*');
    expect(routes).not.toContain('/api/*');
  });

  it('counts a thrown error in errors_total and records the 500 it became', async () => {
    expect((await fetch(`${served.url}/boom`)).status).toBe(500);
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'type_error', route: '/boom' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/boom', status: '500' })).toBe(1);
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(0);
  });

  it('counts an HTTPException with the status it carried', async () => {
    expect((await fetch(`${served.url}/teapot`)).status).toBe(418);
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'http_exception', route: '/teapot' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/teapot', status: '418' })).toBe(1);
  });

  it('puts a few unmatched paths over HTTP into the one unmatched series', async () => {
    for (const path of ['/nope', '/jobs', '/jobs/1/extra']) expect((await fetch(served.url + path)).status).toBe(404);
    expect(await value(metrics.registry, REQUESTS, { method: 'GET', route: 'unmatched', status: '404' })).toBe(3);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(1);
  });

  it('leaves /health out by default', async () => {
    await fetch(`${served.url}/health`);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(0);
  });
});

describe('httpMetrics through app.request', () => {
  it('adds no series for 10,000 requests to random unmatched paths', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics);
    await app.request('/jobs/1');
    const before = await seriesCount(metrics.registry, REQUESTS);
    for (let i = 0; i < 10_000; i++) {
      const res = await app.request(`/${Math.random().toString(36).slice(2)}/${i}`);
      expect(res.status).toBe(404);
    }
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(before + 1);
    expect(await value(metrics.registry, REQUESTS, { route: 'unmatched', status: '404' })).toBe(10_000);
    expect(await seriesCount(metrics.registry, requestDurationSeconds.name)).toBe(before + 1);
  });

  it('uses the configured unmatched value and exclusions', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics, { unmatchedRoute: 'not_found', exclude: [/^\/internal\//] });
    await app.request('/missing');
    await app.request('/internal/state');
    await app.request('/health');
    expect(await value(metrics.registry, REQUESTS, { route: 'not_found', status: '404' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/health', status: '200' })).toBe(1);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(2);
  });

  it('records unknown methods as _OTHER', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics);
    app.on('PURGE', '/cache', (c) => c.text('purged'));
    expect((await app.request('/cache', { method: 'PURGE' })).status).toBe(200);
    expect(await value(metrics.registry, REQUESTS, { method: '_OTHER', route: '/cache', status: '200' })).toBe(1);
  });

  it('counts and re-throws what is thrown past onError', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics);
    await expect(app.request('/throw-string')).rejects.toBe('kaput');
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'unknown', route: '/throw-string' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/throw-string', status: '500' })).toBe(1);
  });

  it('counts errors an onError handler turned into a response', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics);
    app.onError((error, c) => c.json({ error: error.message }, 503));
    expect((await app.request('/boom')).status).toBe(503);
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'type_error', route: '/boom' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/boom', status: '503' })).toBe(1);
  });

  it('shows a request in flight while its handler runs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    app.use(httpMetrics(metrics));
    app.get('/slow', async (c) => {
      await held;
      return c.text('done');
    });
    const pending = app.request('/slow');
    await vi.waitFor(async () => expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(1));
    release();
    await pending;
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(0);
  });

  it('sends route patterns past the cap to "other" and counts the overflow', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono();
    app.use(httpMetrics(metrics));
    const cap = (requestsTotal.bounds!.route as { max: number }).max;
    for (let i = 0; i < cap + 5; i++) app.get(`/r${i}`, (c) => c.text('ok'));
    for (let i = 0; i < cap + 5; i++) await app.request(`/r${i}`);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(cap + 1);
    expect(await value(metrics.registry, REQUESTS, { route: 'other' })).toBe(5);
    const overflow = catalog.meta.labelOverflowTotal.name;
    expect(await value(metrics.registry, overflow, { metric: REQUESTS })).toBe(5);
  });
});
