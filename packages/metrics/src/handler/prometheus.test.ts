/**
 * The exposition as its real consumer reads it: a Prometheus server scraping the handler,
 * asking for OpenMetrics first as Prometheus does.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { populateCatalog } from '../../test/populate.js';
import { runPrometheusTests, startPrometheus, warnWithoutPrometheus, type RunningPrometheus } from '../../test/prometheus.js';
import { serveApp, type Served } from '../../test/serve.js';
import { STAGES, catalog } from '../catalog.js';
import { createMetrics } from '../registry/create-metrics.js';
import { metricsHandler } from './index.js';

warnWithoutPrometheus('the real-scrape test');

describe.skipIf(!runPrometheusTests)('a real Prometheus scraping metricsHandler', () => {
  const scrapes: { accept: string; contentType: string }[] = [];
  let served: Served;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    const metrics = createMetrics();
    populateCatalog(metrics);
    const app = new Hono();
    const handler = metricsHandler(metrics.registry);
    app.get('/metrics', async (c, next) => {
      const res = (await handler(c, next)) as Response;
      scrapes.push({ accept: c.req.header('accept') ?? '', contentType: res.headers.get('content-type') ?? '' });
      return res;
    });
    served = await serveApp(app);
    prometheus = await startPrometheus(served.url.replace('http://', ''));
  }, 30_000);

  afterAll(async () => {
    prometheus?.stop();
    await served?.close();
  });

  const query = (promql: string) => prometheus.query(promql);

  it('parses every family served as OpenMetrics', async () => {
    await vi.waitFor(
      async () => {
        const up = await query('up{job="orfeas"}').catch(() => []);
        expect(up[0]?.value[1]).toBe('1');
      },
      { timeout: 25_000, interval: 250 },
    );
    expect(scrapes[0]?.accept).toContain('application/openmetrics-text');
    expect(scrapes[0]?.contentType).toContain('application/openmetrics-text');
    const requests = await query(catalog.http.requestsTotal.name);
    expect(requests[0]?.metric).toMatchObject({ method: 'GET', route: 'sample', status: 'sample' });
    // Every stage's series exists from the start (at 0), each with its buckets and +Inf.
    const buckets = await query(`count(${catalog.pipeline.stageDurationSeconds.name}_bucket)`);
    expect(Number(buckets[0]?.value[1])).toBe(STAGES.length * (catalog.pipeline.stageDurationSeconds.buckets!.length + 1));
    const gpu = await query(catalog.gpu.energyJoulesTotal.name);
    expect(gpu).toHaveLength(1);
  }, 30_000);
});
