/**
 * A worker replica killed with SIGKILL in mid-job: BullMQ's stalled-job recovery hands the job
 * to the other worker, which completes it; every acknowledged job completes, and once.
 */
import { afterAll, expect, it } from 'vitest';
import { completions, fleetOn, type FleetSetup } from './support/fleet.js';
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

it('hands a killed worker\'s job to another worker, which completes it once', { timeout: 240_000 }, async (ctx) => {
  needs(ctx, redisMissing());
  redis = await startRedis();
  // A short lock: the dead worker's job is taken over in seconds rather than BullMQ's default 30.
  fleet = fleetOn(redis, { ORFEAS_JOB_LOCK_MS: '2000' });
  const api = await fleet.start({ ORFEAS_WORKERS: '0' });
  const workers = await Promise.all([fleet.start({ ORFEAS_API: 'off', ORFEAS_WORKERS: '1' }), fleet.start({ ORFEAS_API: 'off', ORFEAS_WORKERS: '1' })]);

  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await submitImage(api.url, await subjectImage('png', 256, 40 * i), { format: 'glb', quality: 'high' });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { jobId: string }).jobId);
  }
  await waitForState(api.url, ids[0]!, ['running'], 60_000);
  // The worker running a job now: its busy slot says so.
  let victim: (typeof workers)[number] | undefined;
  await expect
    .poll(async () => {
      for (const w of workers) if (valueOf(await scrape(w.url), 'job_slots', { state: 'busy' }) === 1) victim = w;
      return victim !== undefined;
    }, { timeout: 30_000 })
    .toBe(true);
  victim!.child.kill('SIGKILL');
  await victim!.exited;
  const survivor = workers.find((w) => w !== victim)!;

  for (const id of ids) {
    const job = await waitForState(api.url, id, ['completed', 'failed'], 180_000);
    expect(job.state, JSON.stringify(job.error)).toBe('completed');
    // Completed once, in the fleet: by the victim before it died, or by the survivor.
    expect(completions(victim!, id) + completions(survivor, id)).toBe(1);
  }
  // At least the job in progress at the kill was run again, through stalled-job recovery.
  const attempts = await Promise.all(ids.map(async (id) => ((await (await fetch(`${api.url}/api/v1/jobs/${id}`)).json()) as { attempts: number }).attempts));
  expect(Math.max(...attempts)).toBe(2);
  expect(valueOf(await scrape(api.url), 'job_queue_workers')).toBe(1);
});
