import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { mount } from 'hono/mount';
import { LinearRouter } from 'hono/router/linear-router';
import { TrieRouter } from 'hono/router/trie-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { histogramCount, seriesCount, samples, value } from '../../test/series.js';
import { serveApp, type Served } from '../../test/serve.js';
import { catalog } from '../catalog.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { httpMetrics, instrument, type HttpMetricsOptions } from './index.js';

const { requestsTotal, requestDurationSeconds, requestSizeBytes, responseSizeBytes, requestsInFlight } = catalog.http;
const REQUESTS = requestsTotal.name;

/** The two ways of recording an app: the httpMetrics middleware, or instrument(app). */
type Mode = 'httpMetrics' | 'instrument';
const MODES: Mode[] = ['httpMetrics', 'instrument'];

/** An app whose routes `routes` adds, recorded the given way. */
function recordedApp(metrics: Metrics, mode: Mode, routes: (app: Hono) => void, options?: HttpMetricsOptions): Hono {
  const app = new Hono();
  if (mode === 'httpMetrics') app.use('*', httpMetrics(metrics, options));
  routes(app);
  return mode === 'instrument' ? instrument(app, metrics, options) : app;
}

const jobsApp = (metrics: Metrics, mode: Mode, options?: HttpMetricsOptions) => recordedApp(metrics, mode, jobRoutes, options);

function jobRoutes(app: Hono): void {
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
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what escapes every onError
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
}

describe.each(MODES)('%s over real HTTP', (mode) => {
  let metrics: Metrics;
  let served: Served;
  beforeEach(async () => {
    metrics = createMetrics({ defaultMetrics: false });
    served = await serveApp(jobsApp(metrics, mode));
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

describe.each(MODES)('%s through app.request', (mode) => {
  it('adds no series for 10,000 requests to random unmatched paths', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics, mode);
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
    const app = jobsApp(metrics, mode, { unmatchedRoute: 'not_found', exclude: [/^\/internal\//] });
    await app.request('/missing');
    await app.request('/internal/state');
    await app.request('/health');
    expect(await value(metrics.registry, REQUESTS, { route: 'not_found', status: '404' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/health', status: '200' })).toBe(1);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(2);
  });

  it('records unknown methods as _OTHER', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics, mode);
    app.on('PURGE', '/cache', (c) => c.text('purged'));
    expect((await app.request('/cache', { method: 'PURGE' })).status).toBe(200);
    expect(await value(metrics.registry, REQUESTS, { method: '_OTHER', route: '/cache', status: '200' })).toBe(1);
  });

  it('counts and re-throws what is thrown past onError', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics, mode);
    // Hono's fast path throws it from app.fetch itself, its other paths reject.
    await expect((async () => app.request('/throw-string'))()).rejects.toBe('kaput');
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'unknown', route: '/throw-string' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/throw-string', status: '500' })).toBe(1);
  });

  it('counts errors an onError handler turned into a response', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = jobsApp(metrics, mode);
    app.onError((error, c) => c.json({ error: error.message }, 503));
    expect((await app.request('/boom')).status).toBe(503);
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'type_error', route: '/boom' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/boom', status: '503' })).toBe(1);
  });

  it('shows a request in flight while its handler runs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const app = recordedApp(metrics, mode, (app) =>
      app.get('/slow', async (c) => {
        await held;
        return c.text('done');
      }),
    );
    const pending = app.request('/slow');
    await vi.waitFor(async () => expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(1));
    release();
    await pending;
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(0);
  });

  it('sends route patterns past the cap to "other" and counts the overflow', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const cap = (requestsTotal.bounds!.route as { max: number }).max;
    const app = recordedApp(metrics, mode, (app) => {
      for (let i = 0; i < cap + 5; i++) app.get(`/r${i}`, (c) => c.text('ok'));
    });
    for (let i = 0; i < cap + 5; i++) await app.request(`/r${i}`);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(cap + 1);
    expect(await value(metrics.registry, REQUESTS, { route: 'other' })).toBe(5);
    const overflow = catalog.meta.labelOverflowTotal.name;
    expect(await value(metrics.registry, overflow, { metric: REQUESTS })).toBe(5);
  });
});

/** An error the app's onError counts elsewhere, clearing c.error as the backend does. */
class QuietError extends Error {}

/** Routes of every kind instrument() must label as the middleware does. */
function everyKindOfRoute(app: Hono): void {
  jobRoutes(app);
  app.get('/async', async (c) => {
    await sleep(5);
    return c.text('later');
  });
  app.get('/quiet', () => {
    throw new QuietError('counted elsewhere');
  });
  const items = new Hono();
  items.get('/:id', (c) => c.json({ item: c.req.param('id') }));
  items.post('/', async (c) => c.json(await c.req.json(), 201));
  app.route('/v1/items', items);
  // A sub-app with an onError of its own, which app.route() composes around its handlers.
  const strict = new Hono();
  strict.use(async (c, next) => {
    if (c.req.query('refuse') !== undefined) throw new SyntaxError('refused by the sub-app middleware');
    await next();
  });
  strict.get('/fail', () => {
    throw new RangeError('sub-app failure');
  });
  strict.get('/ok', (c) => c.text('fine'));
  strict.onError((error, c) => c.json({ error: error.message }, 422));
  app.route('/v2', strict);
  // Apps mounted the old way and the new: both hand the request to another app.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still how many apps mount one
  app.mount('/legacy', (request) => new Response(`legacy ${new URL(request.url).pathname}`));
  app.all('/mounted/*', mount((request) => new Response(`mounted ${new URL(request.url).pathname}`)));
  app.onError((error, c) => {
    if (error instanceof QuietError) {
      c.error = undefined;
      return c.json({ quiet: true }, 400);
    }
    if (error instanceof HTTPException) return error.getResponse();
    return c.json({ error: 'internal' }, 500);
  });
}

const json = { 'content-type': 'application/json' };
const chunked = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
/** Made anew for each app: a streamed body can be sent once. */
const requestsOfEveryKind = (): [string, RequestInit?][] => [
  ['/jobs/a1'],
  ['/jobs/b2'],
  ['/jobs/a1', { method: 'HEAD' }],
  ['/jobs', { method: 'POST', body: JSON.stringify({ prompt: 'a red chair' }), headers: json }],
  ['/jobs', { method: 'POST', body: chunked('{"prompt":"streamed"}'), headers: json, duplex: 'half' }],
  ['/api/jobs/7'],
  ['/api/jobs/7', { headers: { 'x-deny': '1' } }],
  ['/boom'],
  ['/teapot'],
  ['/throw-string'],
  ['/quiet'],
  ['/async'],
  ['/stream'],
  ['/v1/items/3'],
  ['/v1/items', { method: 'POST', body: '{"a":1}', headers: json }],
  ['/v2/fail'],
  ['/v2/ok'],
  ['/v2/ok?refuse'],
  ['/legacy/page'],
  ['/mounted/page'],
  ['/nope'],
  ['/jobs/1/extra'],
  ['/jobs/c3', { method: 'OPTIONS' }],
  ['/cache', { method: 'PURGE' }],
  ['/health'],
  ['/metrics'],
];

/** The http_ and errors_ lines of a scrape, durations reduced to their count (timings differ). */
async function recordedLines(metrics: Metrics): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?(http_|errors_total)/.test(line))
    .filter((line) => !/^http_request_duration_seconds_(sum|bucket)/.test(line));
}

describe('instrument', () => {
  it('records exactly what the middleware records for requests of every kind', async () => {
    const lines: Record<Mode, string[]> = { httpMetrics: [], instrument: [] };
    const registries: Record<string, Metrics> = {};
    for (const mode of MODES) {
      const metrics = (registries[mode] = createMetrics({ defaultMetrics: false }));
      const served = await serveApp(recordedApp(metrics, mode, everyKindOfRoute));
      try {
        const statuses = [];
        for (const [path, init] of requestsOfEveryKind()) {
          const res = await fetch(served.url + path, init);
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        expect(statuses).toEqual([200, 200, 200, 201, 201, 200, 401, 500, 418, 500, 400, 200, 200, 200, 201, 422, 200, 422, 200, 200, 404, 404, 404, 404, 200, 404]);
      } finally {
        await served.close();
      }
    }
    await vi.waitFor(async () => {
      for (const mode of MODES) lines[mode] = await recordedLines(registries[mode]!);
      expect(lines.instrument).toEqual(lines.httpMetrics);
    });
    // A few of the lines both hold, so that agreeing cannot mean recording nothing.
    const all = lines.instrument.join('\n');
    for (const expected of [
      'http_requests_total{method="GET",route="/jobs/:id",status="200"} 2',
      'http_requests_total{method="HEAD",route="/jobs/:id",status="200"} 1',
      'http_requests_total{method="GET",route="/api/jobs/:id",status="401"} 1',
      'http_requests_total{method="GET",route="/throw-string",status="500"} 1',
      'http_requests_total{method="GET",route="/v2/ok",status="422"} 1',
      'http_requests_total{method="GET",route="unmatched",status="200"} 2',
      'http_requests_total{method="_OTHER",route="unmatched",status="404"} 1',
      'http_request_size_bytes_count{method="POST",route="/jobs"} 1',
      'http_response_size_bytes_sum{method="GET",route="/stream"} 13',
      'http_response_size_bytes_sum{method="HEAD",route="/jobs/:id"} 0',
      'errors_total{type="type_error",route="/boom"} 1',
      'errors_total{type="http_exception",route="/teapot"} 1',
      'errors_total{type="unknown",route="/throw-string"} 1',
      'errors_total{type="range_error",route="/v2/fail"} 1',
      'errors_total{type="syntax_error",route="/v2/ok"} 1',
    ]) {
      expect(all).toContain(expected);
    }
    expect(all).not.toContain('quiet_error');
    expect(all).not.toMatch(/route="\/(health|metrics|legacy|mounted)/);
  });

  it('keeps Hono answering a plain handler synchronously, on its fast path', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = instrument(new Hono().get('/jobs/:id', (c) => c.text('ok')), metrics);
    expect(app.fetch(new Request('http://localhost/jobs/1'))).toBeInstanceOf(Response);
    expect(await value(metrics.registry, REQUESTS, { route: '/jobs/:id', status: '200' })).toBe(1);
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'GET' })).toBe(0);
  });

  it('sees an onError set before instrument() as well as after', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono().get('/boom', () => {
      throw new TypeError('boom');
    });
    app.onError((_error, c) => c.text('handled', 503));
    instrument(app, metrics);
    expect((await app.request('/boom')).status).toBe(503);
    expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'type_error', route: '/boom' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/boom', status: '503' })).toBe(1);
  });

  it('records a request a handler makes to the same app under its own route, and the outer under its', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono();
    app.get('/inner/:id', (c) => c.text(`inner ${c.req.param('id')}`));
    // Synchronous on purpose: the inner fetch runs while the outer one's match is held.
    app.get('/outer', (c) => c.body(null, app.fetch(new Request('http://localhost/inner/1')) instanceof Response ? 204 : 500));
    instrument(app, metrics);
    expect((await app.request('/outer')).status).toBe(204);
    expect(await value(metrics.registry, REQUESTS, { route: '/outer', status: '204' })).toBe(1);
    expect(await value(metrics.registry, REQUESTS, { route: '/inner/:id', status: '200' })).toBe(1);
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(2);
  });

  it.each([
    ['TrieRouter', () => new TrieRouter()],
    ['LinearRouter', () => new LinearRouter()],
  ])('labels routes the same with %s, which builds a new handler list per match', async (_, router) => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = new Hono({ router: router() as never });
    app.use('/api/*', async (_c, next) => next());
    app.get('/api/jobs/:id', (c) => c.text('ok'));
    instrument(app, metrics);
    for (let i = 0; i < 2000; i++) await app.request(`/api/jobs/${i}`);
    await app.request('/api/nothing');
    expect(await value(metrics.registry, REQUESTS, { route: '/api/jobs/:id', status: '200' })).toBe(2000);
    expect(await value(metrics.registry, REQUESTS, { route: 'unmatched', status: '404' })).toBe(1);
  });

  it('refuses to instrument an app twice, which would count every request twice', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = instrument(new Hono(), metrics);
    expect(() => instrument(app, metrics)).toThrow(/instrumented already/);
  });
});
