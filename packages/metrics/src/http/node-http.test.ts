import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { importBlock, readmeBlock } from '../../test/readme.js';
import { histogramCount, seriesCount, value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { instrumentNodeHttp, type NodeHttpOptions } from './node-http.js';

const { requestsTotal, requestSizeBytes, responseSizeBytes, requestsInFlight } = catalog.http;
const REQUESTS = requestsTotal.name;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

describe('the README node:http example', () => {
  it('runs as written and records its requests by route pattern', async () => {
    const example = await importBlock<{ server: Server; metrics: Metrics }>(
      readmeBlock('node:http example'),
      [['server.listen(8080);', 'server.listen(0, "127.0.0.1");']],
      ['server', 'metrics'],
    );
    servers.push(example.server);
    if (!example.server.listening) await new Promise((resolve) => example.server.once('listening', resolve));
    const url = `http://127.0.0.1:${(example.server.address() as AddressInfo).port}`;

    expect(await (await fetch(`${url}/jobs/7`)).json()).toEqual({ id: '7' });
    expect(await (await fetch(`${url}/jobs/8`)).json()).toEqual({ id: '8' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const scraped = await (await fetch(`${url}/metrics`)).text();
    expect(scraped).toMatch(/^http_requests_total\{method="GET",route="\/jobs\/:id",status="200"\} 2$/m);
    expect(scraped).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(scraped).not.toMatch(/route="\/metrics"/);
    expect(scraped).toMatch(/^http_response_size_bytes_sum\{method="GET",route="\/jobs\/:id"\} 20$/m);
  });
});

describe('instrumentNodeHttp', () => {
  const jobRoute: NodeHttpOptions['route'] = (req) => (req.url?.startsWith('/jobs/') ? '/jobs/:id' : undefined);

  it('reads the status, the declared request size and the written response size', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const url = await listen(
      createServer(
        instrumentNodeHttp(
          (req, res) => {
            req.resume();
            req.on('end', () => {
              res.statusCode = 201;
              res.end('created');
            });
          },
          metrics,
          { route: jobRoute },
        ),
      ),
    );
    const body = JSON.stringify({ prompt: 'a red chair' });
    expect((await fetch(`${url}/jobs/1`, { method: 'POST', body })).status).toBe(201);
    const sum = (name: string) => `${name}_sum`;
    await vi.waitFor(async () => expect(await value(metrics.registry, REQUESTS, { method: 'POST', route: '/jobs/:id', status: '201' })).toBe(1));
    expect(await value(metrics.registry, requestSizeBytes.name, { route: '/jobs/:id' }, sum(requestSizeBytes.name))).toBe(body.length);
    expect(await value(metrics.registry, responseSizeBytes.name, { route: '/jobs/:id' }, sum(responseSizeBytes.name))).toBe('created'.length);
    expect(await value(metrics.registry, requestsInFlight.name, { method: 'POST' })).toBe(0);
  });

  it('leaves a chunked request body and a chunked response body unobserved', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const url = await listen(
      createServer(
        instrumentNodeHttp(
          (req, res) => {
            req.resume();
            req.on('end', () => {
              res.write('part one, ');
              res.end('part two');
            });
          },
          metrics,
          { route: jobRoute },
        ),
      ),
    );
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const res = await fetch(`${url}/jobs/2`, { method: 'PUT', body, duplex: 'half' });
    expect(await res.text()).toBe('part one, part two');
    await vi.waitFor(async () => expect(await value(metrics.registry, REQUESTS, { method: 'PUT', route: '/jobs/:id', status: '200' })).toBe(1));
    expect(await histogramCount(metrics.registry, requestSizeBytes.name, { method: 'PUT' })).toBeUndefined();
    expect(await histogramCount(metrics.registry, responseSizeBytes.name, { method: 'PUT' })).toBeUndefined();
  });

  it('counts a rejected listener in errors_total, records the status that went out, and lets the rejection reach Node', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const failure = new RangeError('expected by test: the listener rejects');
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const url = await listen(
        createServer(
          instrumentNodeHttp(
            async (_req, res) => {
              // The service's own last resort answers, after its listener has failed.
              setTimeout(() => {
                res.statusCode = 503;
                res.end();
              }, 10);
              await Promise.resolve();
              throw failure;
            },
            metrics,
            { route: jobRoute },
          ),
        ),
      );
      expect((await fetch(`${url}/jobs/3`)).status).toBe(503);
      await vi.waitFor(() => expect(unhandled).toHaveBeenCalledWith(failure, expect.anything()));
      await vi.waitFor(async () => expect(await value(metrics.registry, catalog.errors.errorsTotal.name, { type: 'range_error', route: '/jobs/:id' })).toBe(1));
      expect(await value(metrics.registry, REQUESTS, { route: '/jobs/:id', status: '503' })).toBe(1);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('leaves excluded paths out and caps what a route function returns', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    // A route function that (wrongly) returns raw paths: the label cap holds.
    const url = await listen(createServer(instrumentNodeHttp((_req, res) => res.end('ok'), metrics, { route: (req) => req.url })));
    await fetch(`${url}/health`);
    const cap = (requestsTotal.bounds!.route as { max: number }).max;
    for (let i = 0; i < cap + 3; i++) await fetch(`${url}/raw/${i}`);
    await vi.waitFor(async () => expect(await value(metrics.registry, REQUESTS, { route: 'other' })).toBe(3));
    expect(await seriesCount(metrics.registry, REQUESTS)).toBe(cap + 1);
  });
});
