/**
 * End to end: the real backend with the simulated GPU, scraped every second by a real
 * Prometheus, under real jobs (shapes from a stand-in model server whose open meshes need
 * repair), refusals, an internal fault and socket.io clients. Then, through
 * Prometheus's HTTP API, every catalog metric was recorded (every counter and histogram has
 * moved: series that start at 0 do not count; every gauge has series), every dashboard query
 * (and variable) returns data, and every alert rule finds its series and evaluates cleanly.
 * Needs apps/backend/dist (fails saying so when it is missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { catalogMetrics, seriesNames } from '@orfeas/metrics/catalog';
import { PROMETHEUS_BIN } from '../../stack/processes.mjs';
import { haveTools } from '../support/tools.js';
import { startBackend, type Backend } from './backend.js';
import { startStack, type Stack } from './monitoring-stack.js';
import { instantQuery, metricNamesWith, settled } from './prometheus-api.js';
import { startModelServer } from './model-server.js';
import { busyHost } from './scenarios.js';
import { emptyPanels, emptyVariables, hitRateLimitTwice, ruleProblems, trafficWave } from './coverage.js';
import { connectClient } from './traffic.js';

const JOB = '{job="orfeas-backend"}';

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

  it('records every catalog metric and answers every dashboard query', async () => {
    const base = backend!.url;
    const [browser, api] = await Promise.all([connectClient(base, 'browser'), connectClient(base, 'api')]);
    sockets.push(browser, api);
    await api.timeout(10_000).emitWithAck('gpu_subscribe', { hz: 5 });

    await trafficWave(backend!, browser, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await trafficWave(backend!, browser, 2);
    browser.close();
    expect(modelServer!.requests, 'image-to-3D shapes asked of the model server').toBeGreaterThan(0);

    // The rate limit: keep sending (cheap, refused) requests until they are turned away, twice.
    await hitRateLimitTwice(base);

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
    const panelsWithoutData = await emptyPanels(prometheus, 10_000);
    const variablesWithoutValues = await emptyVariables(prometheus);

    // The committed alert rules, loaded by this Prometheus: every series they name is there,
    // and every rule evaluates without error.
    const { ruleSeriesMissing, unhealthyRules } = await ruleProblems(prometheus);

    // One assertion, so a failure lists every gap at once.
    expect({ missing, emptyPanels: panelsWithoutData, emptyVariables: variablesWithoutValues, ruleSeriesMissing, unhealthyRules }).toEqual({
      missing: [],
      emptyPanels: [],
      emptyVariables: [],
      ruleSeriesMissing: [],
      unhealthyRules: [],
    });
  }, 200_000);
});
