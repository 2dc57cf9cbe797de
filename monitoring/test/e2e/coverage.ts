/**
 * What the coverage tests share: traffic that makes every catalog metric move (jobs that
 * succeed, fail and hit the cache, refusals, an internal fault, socket.io refusals and acks,
 * the rate limit), and the checks against a Prometheus that scraped it: every panel query and
 * every variable returns data, every series the alert rules name is there and every rule
 * evaluates cleanly.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { Socket } from 'socket.io-client';
import { buildDashboard } from '../../dashboard/build-dashboard.mjs';
import { dashboardQueries, runnable } from '../../dashboard/queries.mjs';
import { variableSelector } from '../../dashboard/variables.mjs';
import { seriesNamesIn } from '../../promql/series-names.mjs';
import { ALERT_RULES } from '../../stack/paths.mjs';
import { instantQuery, metricNamesWith, seriesOf, settled } from './prometheus-api.js';
import {
  acceptedJob, drawImage, finishedJob, submitImageTo3d, submitTextToImage, subscribe, withUploadsBroken,
} from './traffic.js';

/**
 * One wave of traffic through the API of `target` (its data directory is where the internal
 * fault is made). Every kind of event happens in each of two waves a few scrapes apart, so
 * counters created by the first wave visibly rise in the second and rate() sees them.
 */
export async function trafficWave(target: { url: string; dataDir: string }, browser: Socket, n: number): Promise<void> {
  const base = target.url;
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
  const fault = await withUploadsBroken(target.dataDir, async () => submitImageTo3d(base, await drawImage({ hue: 300 + n })));
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

/** Keeps sending (cheap, refused) requests until the rate limit turns them away, twice, a few scrapes apart. */
export async function hitRateLimitTwice(base: string): Promise<void> {
  for (const round of [1, 2]) {
    let status = 0;
    for (let i = 0; i < 60 && status !== 429; i++) status = (await submitTextToImage(base, { prompt: '' })).status;
    expect(status, `rate limit round ${round}`).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  }
}

/**
 * The dashboard's panel queries that return no data, with their variables matching everything
 * and ranges covering the run, polled until there are none or `timeoutMs` passes.
 */
export function emptyPanels(prometheus: string, timeoutMs: number): Promise<string[]> {
  return settled(async () => {
    const empty: string[] = [];
    // The alert annotation has data only while an alert fires; none should here.
    for (const { panel, refId, expr } of dashboardQueries(buildDashboard()).filter((query) => query.refId !== '-')) {
      const samples = await instantQuery(prometheus, runnable(expr, '5m'));
      // NaN (a quantile or ratio of nothing) is what Grafana shows as no data.
      if (!samples.some((sample) => !Number.isNaN(Number(sample.value[1])))) empty.push(`${panel} ${refId}: ${expr}`);
    }
    return empty;
  }, timeoutMs);
}

/** The dashboard's query variables that offer no value. */
export async function emptyVariables(prometheus: string): Promise<string[]> {
  const empty: string[] = [];
  for (const variable of buildDashboard().templating.list.filter((v) => v.type === 'query')) {
    if ((await seriesOf(prometheus, runnable(variableSelector(variable)!))).length === 0) empty.push(variable.name);
  }
  return empty;
}

/**
 * The committed alert rules as the Prometheus at `prometheus` loaded them: the series they name
 * that it has none of, and the rules that do not evaluate cleanly.
 */
export async function ruleProblems(prometheus: string): Promise<{ ruleSeriesMissing: string[]; unhealthyRules: string[] }> {
  const ruleSeries = new Set(
    (parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups
      .flatMap((group) => group.rules)
      .flatMap((rule) => seriesNamesIn(rule.expr)),
  );
  const present = new Set(await metricNamesWith(prometheus, '{__name__=~".+"}'));
  const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
  };
  return {
    ruleSeriesMissing: [...ruleSeries].filter((name) => !present.has(name)),
    unhealthyRules: rules.data.groups
      .flatMap((group) => group.rules)
      .filter((rule) => rule.health !== 'ok')
      .map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`),
  };
}
