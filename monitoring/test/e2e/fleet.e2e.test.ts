/**
 * A fleet end to end: one real redis-server, two backend replicas in Redis mode sharing one data
 * directory (A API-only, ORFEAS_WORKERS=0; B a full replica with one job slot), and a real
 * Prometheus scraping both through the committed file-based discovery. Under the coverage
 * traffic (sent to A, run on B) every dashboard panel returns data and the Replicas row tells
 * the two apart; while jobs wait and run, every fleet-wide dashboard query gives the value one
 * replica exports, where a plain sum would give it twice; a replica that stops is missing from
 * the fleet (FleetReplicaMissing pending) while the fleet is not down (no BackendDown), and a
 * replica that loses Redis says so (job_queue_up 0, RedisUnreachable pending).
 * Needs apps/backend/dist with Redis mode, and redis-server (skipped saying so outside CI).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { buildDashboard } from '../../dashboard/build-dashboard.mjs';
import { dashboardQueries, runnable } from '../../dashboard/queries.mjs';
import { FLEET_WIDE_METRICS, fleetWideUncounted } from '../../promql/fleet-wide.mjs';
import { seriesNamesIn } from '../../promql/series-names.mjs';
import { BACKEND_JOB } from '../../stack/prometheus-config.mjs';
import { PROMETHEUS_BIN, tempDir } from '../../stack/processes.mjs';
import { haveTools } from '../support/tools.js';
import { startBackend, type Backend } from './backend.js';
import { emptyPanels, emptyVariables, hitRateLimitTwice, ruleProblems, trafficWave } from './coverage.js';
import { startModelServer, type ModelServer } from './model-server.js';
import { startStack, type Stack } from './monitoring-stack.js';
import { eventually, instantQuery, type Sample } from './prometheus-api.js';
import { REDIS_SERVER, startRedis, type Redis } from './redis.js';
import { busyHost } from './scenarios.js';
import { acceptedJob, connectClient, drawImage, finishedJob, submitImageTo3d } from './traffic.js';

const queries = dashboardQueries(buildDashboard()).filter((query) => query.refId !== '-');
/** The dashboard queries of fleet-wide figures: they name only fleet-wide series. */
const fleetQueries = queries.filter((query) => seriesNamesIn(query.expr).some((name) => FLEET_WIDE_METRICS.includes(name)));
/** The Replicas row's per-instance breakdown. */
const byInstanceQueries = queries.filter((query) => query.panel.endsWith(' by instance'));

/** A query of the dashboard for one replica: the instance variable set to it. */
const forInstance = (expr: string, host: string) => runnable(expr.replaceAll('instance=~"$instance"', `instance="${host}"`));

/** A result as label set -> value, to compare two results. */
const valuesOf = (samples: Sample[]) =>
  Object.fromEntries(samples.map((sample) => [JSON.stringify(Object.entries(sample.metric).sort()), Number(sample.value[1])]));

describe.runIf(haveTools([PROMETHEUS_BIN, REDIS_SERVER]))('a fleet of two replicas over one Redis, watched as one', () => {
  const shared = tempDir('orfeas-e2e-fleet-data-');
  let redis: Redis | undefined;
  let modelServer: ModelServer | undefined;
  let api: Backend | undefined;
  let worker: Backend | undefined;
  let stack: Stack | undefined;
  const sockets: Socket[] = [];
  const output = () => `--- replica A (API only)\n${api?.output()}\n--- replica B (worker)\n${worker?.output()}\n${stack?.output() ?? ''}`;

  beforeAll(async () => {
    redis = await startRedis();
    modelServer = await startModelServer();
    const fleet = {
      ORFEAS_REDIS_URL: redis.url,
      // Unique per run: fleets (and runs) sharing one Redis keep apart.
      ORFEAS_REDIS_PREFIX: `orfeas-e2e-fleet-${randomBytes(4).toString('hex')}`,
      NVML_SIM_SCENARIO: JSON.stringify(busyHost),
      ORFEAS_3D_SERVER_URL: modelServer.url,
      ORFEAS_GPU_INTERVAL_MS: '50',
      ORFEAS_RATE_LIMIT: '40',
      // Short, so the first wave's jobs expire during the run and retention's counters move.
      ORFEAS_RETENTION: '8s',
    };
    api = await startBackend({ ...fleet, ORFEAS_WORKERS: '0' }, { dataDir: shared.path });
    worker = await startBackend({ ...fleet, ORFEAS_WORKERS: '1' }, { dataDir: shared.path });
    stack = await startStack({ backend: [api.host, worker.host] }).catch((error: Error) => {
      throw new Error(`${error.message}\n${output()}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    modelServer?.release();
    await stack?.stop();
    await Promise.all([api?.stop(), worker?.stop()]);
    await modelServer?.close();
    await redis?.stop();
    shared.remove();
  }, 30_000);

  it('answers every dashboard query, and the Replicas row shows each replica', async () => {
    const [browser, gpuClient] = await Promise.all([connectClient(api!.url, 'browser'), connectClient(api!.url, 'api')]);
    sockets.push(browser, gpuClient);
    await gpuClient.timeout(10_000).emitWithAck('gpu_subscribe', { hz: 5 });
    // Jobs submitted to A run on B (A has no job slot); a few requests reach B's API directly.
    await trafficWave({ url: api!.url, dataDir: shared.path }, browser, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await trafficWave({ url: api!.url, dataDir: shared.path }, browser, 2);
    for (let i = 0; i < 3; i++) expect((await fetch(`${worker!.url}/api/v1/gpu`)).status).toBe(200);
    browser.close();
    await hitRateLimitTwice(api!.url);

    const prometheus = stack!.prometheus;
    const panelsWithoutData = await emptyPanels(prometheus, 20_000);
    const variablesWithoutValues = await emptyVariables(prometheus);
    const { ruleSeriesMissing, unhealthyRules } = await ruleProblems(prometheus);
    const instances = [api!.host, worker!.host].sort();
    const breakdownGaps: string[] = [];
    for (const { panel, refId, expr } of byInstanceQueries) {
      const shown = [...new Set((await instantQuery(prometheus, runnable(expr, '5m'))).map((sample) => sample.metric.instance))].sort();
      if (JSON.stringify(shown) !== JSON.stringify(instances)) breakdownGaps.push(`${panel} ${refId}: instances ${shown.join(', ') || 'none'}`);
    }
    expect(byInstanceQueries.length).toBeGreaterThanOrEqual(5);
    expect({ panelsWithoutData, variablesWithoutValues, ruleSeriesMissing, unhealthyRules, breakdownGaps }, output()).toEqual({
      panelsWithoutData: [],
      variablesWithoutValues: [],
      ruleSeriesMissing: [],
      unhealthyRules: [],
      breakdownGaps: [],
    });
  }, 240_000);

  it('counts fleet-wide figures once: each equals what one replica exports', async () => {
    const prometheus = stack!.prometheus;
    expect(fleetQueries.map((query) => query.panel)).toEqual(expect.arrayContaining(['Jobs waiting', 'Jobs waiting and running']));
    for (const { panel, expr } of fleetQueries) {
      expect(fleetWideUncounted(expr), panel).toEqual([]);
      expect(seriesNamesIn(expr).filter((name) => !FLEET_WIDE_METRICS.includes(name)), `${panel} mixes in per-replica series`).toEqual([]);
    }
    const scalar = async (query: string, time: number) => Number((await instantQuery(prometheus, query, time))[0]?.value[1] ?? NaN);
    const job = `job="${BACKEND_JOB}"`;

    // Both replicas are listed and up.
    expect(await scalar(`count(up{${job}})`, Date.now() / 1000)).toBe(2);
    expect(await scalar(`count(up{${job}} == 1)`, Date.now() / 1000)).toBe(2);

    // Three image-to-3D jobs for B's one job slot, with the model server holding its answers:
    // one runs (stuck in its shape stage), two wait, for as long as the hold lasts. Submitted
    // to B's API (A's rate limit is spent by the test before), into the same shared queue.
    modelServer!.hold();
    const jobs: string[] = [];
    try {
      for (const hue of [20, 140, 260]) jobs.push(await acceptedJob(await submitImageTo3d(worker!.url, await drawImage({ hue: hue + 7 }), { format: 'glb', quality: 'low' })));
      // A moment at which both replicas' latest scrapes show that state, and agree on every
      // fleet-wide figure of the dashboard.
      let last = '';
      const at = await eventually(
        async () => {
          const time = Date.now() / 1000;
          const waiting = valuesOf(await instantQuery(prometheus, `job_queue_size{${job}, type="image_to_3d"}`, time));
          const running = valuesOf(await instantQuery(prometheus, `active_jobs{${job}, type="image_to_3d"}`, time));
          last = `waiting ${JSON.stringify(waiting)}, running ${JSON.stringify(running)}`;
          const steady = [waiting, running].every((values) => Object.keys(values).length === 2) && Object.values(waiting).every((n) => n === 2) && Object.values(running).every((n) => n === 1);
          if (!steady) return undefined;
          for (const { expr } of fleetQueries) {
            const [a, b] = await Promise.all([api!, worker!].map(async (replica) => valuesOf(await instantQuery(prometheus, forInstance(expr, replica.host), time))));
            if (JSON.stringify(a) !== JSON.stringify(b)) {
              last = `replicas disagree on ${expr}: ${JSON.stringify(a)} / ${JSON.stringify(b)}`;
              return undefined;
            }
          }
          return time;
        },
        () => `both replicas exporting 2 waiting and 1 running image-to-3D job (last: ${last})\n${output()}`,
        30_000,
      );

      // Each replica exports the fleet's figures, so a plain sum would count them twice...
      expect(await scalar(`sum(job_queue_size{${job}, type="image_to_3d"})`, at)).toBe(4);
      expect(await scalar(`sum(job_queue_workers{${job}})`, at)).toBe(2);
      // ...and the dashboard counts them once: every fleet-wide query gives one replica's value.
      const doubled: string[] = [];
      for (const { panel, refId, expr } of fleetQueries) {
        const fleetValue = valuesOf(await instantQuery(prometheus, runnable(expr), at));
        const oneReplica = valuesOf(await instantQuery(prometheus, forInstance(expr, worker!.host), at));
        if (JSON.stringify(fleetValue) !== JSON.stringify(oneReplica)) doubled.push(`${panel} ${refId}: ${JSON.stringify(fleetValue)}, one replica ${JSON.stringify(oneReplica)}`);
      }
      expect(doubled).toEqual([]);
      const jobsWaiting = fleetQueries.find((query) => query.panel === 'Jobs waiting')!;
      expect(await scalar(runnable(jobsWaiting.expr), at)).toBe(2);
      const workers = fleetQueries.find((query) => query.expr.includes('job_queue_workers'))!;
      expect(await scalar(runnable(workers.expr), at)).toBe(1);
    } finally {
      modelServer!.release();
    }
    const finished = await Promise.all(jobs.map((id) => finishedJob(worker!.url, id)));
    expect(finished.map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
  }, 120_000);

  it('takes a stopped replica for one missing from the fleet, not for the backend down', async () => {
    const prometheus = stack!.prometheus;
    await api!.stop();
    // The committed rules, evaluated every second: FleetReplicaMissing is pending (its 3 min
    // `for` has not passed) for A, and BackendDown is neither pending nor firing.
    const states = await eventually(
      async () => {
        const alerts = await instantQuery(prometheus, 'ALERTS{alertname=~"FleetReplicaMissing|BackendDown"}');
        const seen = alerts.map((alert) => `${alert.metric.alertname} ${alert.metric.instance} ${alert.metric.alertstate}`);
        return seen.length > 0 ? seen : undefined;
      },
      () => `FleetReplicaMissing for ${api!.host} after it stopped\n${output()}`,
      20_000,
    );
    // A few more evaluations: BackendDown must not join in while B answers.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const later = (await instantQuery(prometheus, 'ALERTS{alertname=~"FleetReplicaMissing|BackendDown"}')).map(
      (alert) => `${alert.metric.alertname} ${alert.metric.instance} ${alert.metric.alertstate}`,
    );
    expect({ states, later }).toEqual({
      states: [`FleetReplicaMissing ${api!.host} pending`],
      later: [`FleetReplicaMissing ${api!.host} pending`],
    });
  }, 60_000);

  it('shows a replica that lost Redis: job_queue_up 0 and RedisUnreachable pending', async () => {
    const prometheus = stack!.prometheus;
    await redis!.stop();
    const pending = await eventually(
      async () => {
        const alerts = await instantQuery(prometheus, `ALERTS{alertname="RedisUnreachable", instance="${worker!.host}"}`);
        return alerts.length > 0 ? alerts.map((alert) => alert.metric.alertstate) : undefined;
      },
      async () => `RedisUnreachable for ${worker!.host}; job_queue_up now ${JSON.stringify(await instantQuery(prometheus, 'job_queue_up'))}\n${output()}`,
      30_000,
    );
    expect(pending).toEqual(['pending']);
    expect(valuesOf(await instantQuery(prometheus, `job_queue_up{instance="${worker!.host}"}`))).toEqual({
      [JSON.stringify(Object.entries({ __name__: 'job_queue_up', backend: 'redis', instance: worker!.host, job: BACKEND_JOB }).sort())]: 0,
    });
  }, 60_000);
});
