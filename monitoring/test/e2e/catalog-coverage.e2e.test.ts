/**
 * End to end: the real backend with the simulated GPU, scraped every second by a real
 * Prometheus, under real jobs (shapes from a stand-in model server whose open meshes need
 * repair), refusals, an internal fault and socket.io clients. Then, through
 * Prometheus's HTTP API, every catalog metric was recorded (every counter and histogram has
 * moved: series that start at 0 do not count; every gauge has series), every dashboard query
 * (and variable) returns data, and every alert rule finds its series and evaluates cleanly.
 * Needs apps/backend/dist (fails saying so when it is missing).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { parse } from 'yaml';
import { catalogMetrics, seriesNames } from '@orfeas/metrics/catalog';
import { seriesNamesIn } from '../../promql/series-names.mjs';
import { ALERT_RULES } from '../../stack/paths.mjs';
import { buildDashboard } from '../../dashboard/build-dashboard.mjs';
import { dashboardQueries, runnable } from '../../dashboard/queries.mjs';
import { variableSelector } from '../../dashboard/variables.mjs';
import { PROMETHEUS_BIN } from '../../stack/processes.mjs';
import { haveTools } from '../support/tools.js';
import { startBackend, type Backend } from './backend.js';
import { startStack, type Stack } from './monitoring-stack.js';
import { instantQuery, metricNamesWith, seriesOf, settled } from './prometheus-api.js';
import { startModelServer } from './model-server.js';
import { busyHost } from './scenarios.js';
import {
  acceptedJob, connectClient, drawImage, finishedJob, submitImageTo3d, submitTextToImage, subscribe, withUploadsBroken,
} from './traffic.js';

const JOB = '{job="orfeas-backend"}';

/** Every series the committed alert rules name. */
const ruleSeries = [
  ...new Set(
    (parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups
      .flatMap((group) => group.rules)
      .flatMap((rule) => seriesNamesIn(rule.expr)),
  ),
];

describe.runIf(haveTools([PROMETHEUS_BIN]))('catalog and dashboard against a running backend', () => {
  let backend: Backend | undefined;
  let stack: Stack | undefined;
  let modelServer: Awaited<ReturnType<typeof startModelServer>> | undefined;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    modelServer = await startModelServer();
    backend = await startBackend({
      NVML_SIM_SCENARIO: JSON.stringify(busyHost),
      ORFEAS_3D_SERVER_URL: modelServer.url,
      ORFEAS_GPU_INTERVAL_MS: '50',
      ORFEAS_RATE_LIMIT: '40',
      // Short, so the first wave's jobs expire during the run and retention's counters move.
      ORFEAS_RETENTION: '8s',
    });
    stack = await startStack({ backend: backend.host }).catch((error: Error) => {
      throw new Error(`${error.message}\nbackend output:\n${backend!.output()}`);
    });
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.stop();
    await backend?.stop();
    await modelServer?.close();
  }, 30_000);

  /**
   * One wave of traffic. Every kind of event happens in each of two waves a few scrapes apart,
   * so counters created by the first wave visibly rise in the second and rate() sees them.
   */
  async function wave(n: number, browser: Socket) {
    const base = backend!.url;
    // Jobs that succeed (two formats, text to image) and one that fails (no subject to cut out).
    const textRequest = { prompt: `a red teapot on a table, take ${n}`, style: 'sketch', width: 64, height: 64 };
    const subjectImage = await drawImage({ hue: 10 + n * 40 });
    const jobs = await Promise.all([
      submitTextToImage(base, textRequest).then(acceptedJob),
      submitImageTo3d(base, subjectImage, { format: 'glb', quality: 'low' }).then(acceptedJob),
      submitImageTo3d(base, await drawImage({ hue: 200 + n * 40 }), { format: 'obj', quality: 'medium' }).then(acceptedJob),
      submitImageTo3d(base, await drawImage({ subject: false, size: 90 + n }), { format: 'stl', quality: 'low' }).then(acceptedJob),
    ]);
    for (const jobId of jobs) expect((await subscribe(browser, jobId)).ok).toBe(true);
    const finished = await Promise.all(jobs.map((jobId) => finishedJob(base, jobId)));
    expect(finished.map((job) => `${job.state} ${JSON.stringify(job.error)}`)).toEqual(['completed null', 'completed null', 'completed null', expect.stringMatching(/^failed .*empty_subject/)]);

    // The same requests again: answered from the cache.
    await finishedJob(base, await acceptedJob(await submitTextToImage(base, textRequest)));
    await finishedJob(base, await acceptedJob(await submitImageTo3d(base, subjectImage, { format: 'glb', quality: 'low' })));
    expect((await fetch(`${base}${finished[1]!.result!.url}`)).status).toBe(200);

    // Refusals: a bad field, an unknown route, a result that is not there.
    expect((await submitTextToImage(base, { ...textRequest, width: 10 })).status).toBe(400);
    expect((await fetch(`${base}/api/v1/nothing-here`)).status).toBe(404);
    expect((await fetch(`${base}/api/v1/jobs/${finished[3]!.id}/result`)).status).toBe(409);

    // An internal fault: storing the upload fails inside the service.
    const fault = await withUploadsBroken(backend!.dataDir, async () => submitImageTo3d(base, await drawImage({ hue: 300 + n })));
    expect(fault.status).toBe(500);

    // WebSocket refusals: a bad payload, unknown events (more names than the event_type cap
    // allows, so the overflow counter moves) and a handshake engine.io refuses.
    browser.emit('subscribe', { jobId: 'not-a-uuid' });
    for (let i = 0; i < 30; i++) browser.emit(`made_up_event_${n}_${i}`);
    await browser.timeout(10_000).emitWithAck('ping');
    // A pong the client acknowledges: the backend times the round trip.
    const acknowledged = new Promise<void>((resolve) => browser.once('pong', (_pong: unknown, ack: () => void) => resolve(ack())));
    await browser.timeout(10_000).emitWithAck('ping', { roundTrip: true });
    await acknowledged;
    expect((await fetch(`${base}/socket.io/?EIO=2&transport=polling`)).status).toBe(400);
  }

  it('records every catalog metric and answers every dashboard query', async () => {
    const base = backend!.url;
    const [browser, api] = await Promise.all([connectClient(base, 'browser'), connectClient(base, 'api')]);
    sockets.push(browser, api);
    await api.timeout(10_000).emitWithAck('gpu_subscribe', { hz: 5 });

    await wave(1, browser);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await wave(2, browser);
    browser.close();
    expect(modelServer!.requests, 'image-to-3D shapes asked of the model server').toBeGreaterThan(0);

    // The rate limit: keep sending (cheap, refused) requests until they are turned away, twice.
    for (const round of [1, 2]) {
      let status = 0;
      for (let i = 0; i < 60 && status !== 429; i++) status = (await submitTextToImage(base, { prompt: '' })).status;
      expect(status, `rate limit round ${round}`).toBe(429);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    }

    const prometheus = stack!.prometheus;
    const unrecorded = async () => {
      const present = new Set(await metricNamesWith(prometheus, JOB));
      const gaps: string[] = [];
      for (const metric of catalogMetrics) {
        const absent = seriesNames(metric).filter((name) => !present.has(name));
        if (absent.length > 0 || metric.type === 'gauge') {
          gaps.push(...absent);
          continue;
        }
        const series = metric.type === 'histogram' ? `${metric.name}_count` : metric.name;
        const [highest] = await instantQuery(prometheus, `max(${series}${JOB})`);
        if (!(Number(highest?.value[1]) > 0)) gaps.push(`${series} (never moved)`);
      }
      return gaps;
    };
    const missing = await settled(unrecorded, 20_000);

    // Every panel query, with its variables matching everything and ranges covering the run.
    const noData = async () => {
      const empty: string[] = [];
      // The alert annotation has data only while an alert fires; none should here.
      for (const { panel, refId, expr } of dashboardQueries(buildDashboard()).filter((query) => query.refId !== '-')) {
        const samples = await instantQuery(prometheus, runnable(expr, '5m'));
        // NaN (a quantile or ratio of nothing) is what Grafana shows as no data.
        if (!samples.some((sample) => !Number.isNaN(Number(sample.value[1])))) empty.push(`${panel} ${refId}: ${expr}`);
      }
      return empty;
    };
    const emptyPanels = await settled(noData, 10_000);

    const emptyVariables: string[] = [];
    for (const variable of buildDashboard().templating.list.filter((v) => v.type === 'query')) {
      if ((await seriesOf(prometheus, runnable(variableSelector(variable)!))).length === 0) emptyVariables.push(variable.name);
    }

    // The committed alert rules, loaded by this Prometheus: every series they name is there,
    // and every rule evaluates without error.
    const present = new Set(await metricNamesWith(prometheus, '{__name__=~".+"}'));
    const ruleSeriesMissing = ruleSeries.filter((name) => !present.has(name));
    const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const unhealthyRules = rules.data.groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.health !== 'ok')
      .map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);

    // One assertion, so a failure lists every gap at once.
    expect({ missing, emptyPanels, emptyVariables, ruleSeriesMissing, unhealthyRules }).toEqual({
      missing: [],
      emptyPanels: [],
      emptyVariables: [],
      ruleSeriesMissing: [],
      unhealthyRules: [],
    });
  }, 200_000);
});
