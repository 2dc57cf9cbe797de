/**
 * A fleet on loopback, with a real Redis: a job submitted to A, an API-only replica, runs on B,
 * a worker replica; a socket.io client connected to A sees its progress, stage changes and
 * completion (through the Redis adapter), and the result downloads from A (the shared directory).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { fleetOn, type FleetSetup } from './support/fleet.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import type { BackendProcess } from './support/process.js';
import { redisMissing, startRedis, type RedisServer } from './support/redis.js';
import { scrape, valueOf } from './support/scrape.js';
import { socketClient, submitImage, waitForState } from './support/server.js';

let redis: RedisServer | undefined;
let fleet: FleetSetup | undefined;
let api: BackendProcess;
let worker: BackendProcess;
const missing = redisMissing();

beforeAll(async () => {
  if (missing) return;
  redis = await startRedis();
  fleet = fleetOn(redis);
  [api, worker] = await Promise.all([fleet.start({ ORFEAS_WORKERS: '0' }), fleet.start({ ORFEAS_API: 'off', ORFEAS_WORKERS: '1' })]);
});
afterAll(async () => {
  fleet?.stop();
  await redis?.stop();
});

it('runs a job submitted to an API-only replica on a worker replica, with its events and result on the first', { timeout: 120_000 }, async (ctx) => {
  needs(ctx, missing);
  const socket: Socket = await socketClient(api.url);
  const seen: Record<string, unknown[]> = { progress: [], stage_change: [], complete: [] };
  for (const event of Object.keys(seen)) socket.on(event, (payload: unknown) => seen[event]!.push(payload));
  try {
    const res = await submitImage(api.url, await subjectImage('png', 160), { format: 'glb', quality: 'medium' });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const ack = (await socket.emitWithAck('subscribe', { jobId })) as { ok: boolean };
    expect(ack.ok).toBe(true);

    const job = await waitForState(api.url, jobId, ['completed', 'failed'], 90_000);
    expect(job.state).toBe('completed');
    await expect.poll(() => seen.complete!.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const stages = seen.stage_change!.map((e) => (e as { stage: string }).stage);
    expect(stages).toContain('export');
    expect(seen.progress!.length).toBeGreaterThan(0);
    expect((seen.complete![0] as { jobId: string }).jobId).toBe(jobId);

    // It ran on the worker: the worker counted it, the API-only replica has no job slots.
    const [onApi, onWorker] = await Promise.all([scrape(api.url), scrape(worker.url)]);
    expect(valueOf(onWorker, 'successful_generations_total', { type: 'image_to_3d' })).toBe(1);
    expect(valueOf(onApi, 'successful_generations_total', { type: 'image_to_3d' })).toBe(0);
    expect(valueOf(onApi, 'job_slots')).toBe(0);
    // Fleet-wide figures (read from Redis every second) are the same on every replica: one worker, nothing queued.
    for (const replica of [api, worker]) {
      await expect
        .poll(async () => {
          const samples = await scrape(replica.url);
          return ['job_queue_workers', 'job_queue_size', 'active_jobs'].map((name) => valueOf(samples, name)).concat(valueOf(samples, 'job_queue_up', { backend: 'redis' }));
        }, { timeout: 5_000 })
        .toEqual([1, 0, 0, 1]);
    }

    const file = await fetch(`${api.url}${job.result.url}`);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(job.result.sizeBytes);
    // The worker role has no job API.
    expect((await fetch(`${worker.url}/api/v1/jobs/${jobId}`)).status).toBe(404);
    expect((await fetch(`${worker.url}/ready`)).status).toBe(200);
  } finally {
    socket.close();
  }
});
