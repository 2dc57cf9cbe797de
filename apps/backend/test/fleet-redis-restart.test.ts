/**
 * Redis restarting under a fleet (AOF on): the replicas reconnect by themselves; submissions
 * during the outage get 503 with a JSON error rather than hang; no acknowledged job is lost.
 */
import { afterAll, expect, it } from 'vitest';
import { fleetOn, type FleetSetup } from './support/fleet.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import { redisMissing, startRedis, type RedisServer } from './support/redis.js';
import { scrape, valueOf } from './support/scrape.js';
import { submitImage, waitForState } from './support/server.js';

let redis: RedisServer | undefined;
let fleet: FleetSetup | undefined;
afterAll(async () => {
  fleet?.stop();
  await redis?.stop();
});

it('answers 503 while Redis is away, reconnects when it is back and loses no acknowledged job', { timeout: 240_000 }, async (ctx) => {
  needs(ctx, redisMissing());
  redis = await startRedis();
  fleet = fleetOn(redis, { ORFEAS_JOB_LOCK_MS: '5000' });
  const api = await fleet.start({ ORFEAS_WORKERS: '0' });
  await fleet.start({ ORFEAS_API: 'off', ORFEAS_WORKERS: '1' });

  const acknowledged: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await submitImage(api.url, await subjectImage('png', 256, 60 * i), { format: 'obj', quality: 'high' });
    expect(res.status).toBe(202);
    acknowledged.push(((await res.json()) as { jobId: string }).jobId);
  }

  await waitForState(api.url, acknowledged[0]!, ['running', 'completed'], 60_000);
  const before = await Promise.all(acknowledged.map(async (id) => ((await (await fetch(`${api.url}/api/v1/jobs/${id}`)).json()) as { state: string }).state));
  // The outage hits jobs still waiting or running, not a finished queue.
  expect(before.filter((state) => state !== 'completed').length).toBeGreaterThan(0);
  await redis.stop('SIGKILL');
  // A bounded wait: a request that hangs fails here rather than pass late.
  const during = await submitImage(api.url, await subjectImage('png', 96), {}, 'image/png');
  expect(during.status).toBe(503);
  expect(((await during.json()) as { error: { code: string } }).error.code).toBe('queue_unavailable');
  const text = await fetch(`${api.url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a lighthouse at dusk', style: 'realistic', width: 256, height: 256 }),
    signal: AbortSignal.timeout(15_000),
  });
  expect(text.status).toBe(503);
  expect((await fetch(`${api.url}/ready`)).status).toBe(503);
  expect(valueOf(await scrape(api.url), 'job_queue_up', { backend: 'redis' })).toBe(0);

  await redis.start();
  await expect.poll(async () => (await fetch(`${api.url}/ready`)).status, { timeout: 30_000, interval: 250 }).toBe(200);
  const after = await submitImage(api.url, await subjectImage('png', 128, 300), { format: 'stl', quality: 'low' });
  expect(after.status).toBe(202);
  acknowledged.push(((await after.json()) as { jobId: string }).jobId);

  for (const id of acknowledged) {
    const job = await waitForState(api.url, id, ['completed', 'failed', 'cancelled'], 180_000);
    expect(job.state, JSON.stringify(job.error)).toBe('completed');
  }
  expect(valueOf(await scrape(api.url), 'job_queue_up', { backend: 'redis' })).toBe(1);
});
