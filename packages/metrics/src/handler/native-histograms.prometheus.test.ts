/**
 * Native histograms as Prometheus reads them: one server scrapes with native histograms on
 * (and so asks for protobuf), another without (and reads the classic buckets as OpenMetrics).
 * Both watch the same stream of observations; their quantiles must agree within the classic
 * buckets' resolution, and the native count and sum must be the observations'.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPrometheusTests, startPrometheus, warnWithoutPrometheus, type RunningPrometheus } from '../../test/prometheus.js';
import { serveApp, type Served } from '../../test/serve.js';
import { catalog } from '../catalog.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { HistogramSeries } from '../registry/series-cache.js';
import { metricsHandler } from './index.js';
import { PROTOBUF_CONTENT_TYPE } from './protobuf.js';

warnWithoutPrometheus('the native-histogram scrape test');

const NAME = catalog.http.requestDurationSeconds.name;
const LABELS = { method: 'GET', route: '/jobs/:id', status: '200' };
const SELECTOR = `${NAME}{route="/jobs/:id"}`;
// Durations spread evenly over [0, 0.2) s: the true 0.9-quantile is 0.18 s.
const TRUE_P90 = 0.18;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

describe.skipIf(!runPrometheusTests)('native histograms scraped by a real Prometheus', () => {
  const contentTypes = new Set<string>();
  let metrics: Metrics;
  let served: Served;
  let native: RunningPrometheus;
  let classic: RunningPrometheus;

  beforeAll(async () => {
    metrics = createMetrics({ defaultMetrics: false });
    const handler = metricsHandler(metrics.registry);
    const app = new Hono().get('/metrics', async (c, next) => {
      const res = (await handler(c, next)) as Response;
      contentTypes.add(res.headers.get('content-type') ?? '');
      return res;
    });
    served = await serveApp(app);
    const target = served.url.replace('http://', '');
    [native, classic] = await Promise.all([
      startPrometheus(target, { flags: ['--enable-feature=native-histograms'] }),
      startPrometheus(target),
    ]);
  }, 30_000);

  afterAll(async () => {
    native?.stop();
    classic?.stop();
    await served?.close();
  });

  it('agrees with the classic buckets, and counts every observation once', async () => {
    for (const prometheus of [native, classic]) {
      await vi.waitFor(async () => expect((await prometheus.query('up').catch(() => []))[0]?.value[1]).toBe('1'), { timeout: 25_000, interval: 250 });
    }
    // Observed through both recording paths: the public observe, then the cached series.
    const durations = new HistogramSeries(metrics.http.requestDurationSeconds);
    let count = 0;
    let sum = 0;
    const observe = () => {
      for (let i = 0; i < 20; i++) {
        const seconds = 0.2 * ((++count * GOLDEN) % 1);
        sum += seconds;
        if (count % 2) metrics.http.requestDurationSeconds.observe(LABELS, seconds);
        else durations.observe('k', LABELS, seconds);
      }
    };
    const timer = setInterval(observe, 50);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    clearInterval(timer);

    await vi.waitFor(
      async () => expect(Number((await native.query(`histogram_count(${SELECTOR})`))[0]?.value[1])).toBe(count),
      { timeout: 10_000, interval: 250 },
    );
    expect(Number((await native.query(`histogram_sum(${SELECTOR})`))[0]?.value[1])).toBeCloseTo(sum, 6);
    expect([...contentTypes]).toEqual(expect.arrayContaining([PROTOBUF_CONTENT_TYPE, expect.stringContaining('application/openmetrics-text')]));
    // The native server keeps no classic series; the classic one has them.
    expect(await native.query(`${NAME}_bucket`)).toHaveLength(0);
    await vi.waitFor(
      async () => expect(Number((await classic.query(`${NAME}_count{route="/jobs/:id"}`))[0]?.value[1])).toBe(count),
      { timeout: 10_000, interval: 250 },
    );

    const fromNative = Number((await native.query(`histogram_quantile(0.9, rate(${SELECTOR}[1m]))`))[0]?.value[1]);
    const fromClassic = Number((await classic.query(`histogram_quantile(0.9, rate(${NAME}_bucket{route="/jobs/:id"}[1m]))`))[0]?.value[1]);
    // The classic estimate interpolates within its bucket (0.1, 0.25]; the native one is in the
    // same classic bucket and within one native bucket (2^(1/8), about 9%) of the true value.
    expect(fromClassic).toBeGreaterThan(0.1);
    expect(fromClassic).toBeLessThanOrEqual(0.25);
    expect(fromNative).toBeGreaterThan(0.1);
    expect(fromNative).toBeLessThanOrEqual(0.25);
    expect(fromNative / TRUE_P90).toBeGreaterThan(2 ** (-1 / 8));
    expect(fromNative / TRUE_P90).toBeLessThan(2 ** (1 / 8));
  }, 60_000);
});
