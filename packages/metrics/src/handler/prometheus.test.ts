/**
 * The exposition as its real consumer reads it: a Prometheus server scraping the handler,
 * asking for OpenMetrics first as Prometheus does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/free-port.js';
import { populateCatalog } from '../../test/populate.js';
import { serveApp, type Served } from '../../test/serve.js';
import { STAGES, catalog } from '../catalog.js';
import { createMetrics } from '../registry/create-metrics.js';
import { metricsHandler } from './index.js';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const inCI = process.env.CI === 'true';
if (!hasPrometheus && !inCI) console.warn('prometheus not found (Debian package "prometheus"): skipping the real-scrape test');

describe.skipIf(!hasPrometheus && !inCI)('a real Prometheus scraping metricsHandler', () => {
  const scrapes: { accept: string; contentType: string }[] = [];
  let served: Served;
  let prometheus: ChildProcess;
  let api: string;
  let dir: string;

  beforeAll(async () => {
    if (!hasPrometheus) throw new Error('prometheus is required in CI (install the Debian package "prometheus")');
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
    dir = mkdtempSync(join(tmpdir(), 'orfeas-metrics-prometheus-'));
    const target = served.url.replace('http://', '');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: orfeas\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
  }, 30_000);

  afterAll(async () => {
    prometheus?.kill();
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string) => {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return body.data.result;
  };

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
