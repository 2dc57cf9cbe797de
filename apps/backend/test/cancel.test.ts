/**
 * Cancellation: a queued job is cancelled at once; a running one finishes its current stage
 * and stops at the next boundary; a finished one cannot be cancelled.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { scrape, valueOf } from './support/scrape.js';
import { nextEvent, socketClient, startTestServer, submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

let server: RunningServer;
const control = createEngineControl();
beforeAll(async () => {
  server = await startTestServer({ WORKER_CONCURRENCY: '1' }, createTestEngines(control));
});
afterAll(() => server?.close());

const cancel = (jobId: string) => fetch(`${server.url}/api/v1/jobs/${jobId}`, { method: 'DELETE' });

it('stops a running job at the next stage boundary and cancels a queued one at once', async () => {
  const before = await scrape(server.url);
  control.hold.add('shape_generation');
  const entered = control.entered('shape_generation');
  const running = ((await (await submitImage(server.url, await subjectImage('png', 64, 10))).json()) as any).jobId;
  const queued = ((await (await submitImage(server.url, await subjectImage('png', 64, 20))).json()) as any).jobId;
  await entered;

  const socket = await socketClient(server.url);
  const stopped = nextEvent(socket, 'error', (p) => p.jobId === running);
  await socket.emitWithAck('subscribe', { jobId: running });

  const queuedCancel = await cancel(queued);
  expect(queuedCancel.status).toBe(200);
  expect(await queuedCancel.json()).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });

  const runningCancel = await cancel(running);
  expect(runningCancel.status).toBe(202);
  expect(await runningCancel.json()).toMatchObject({ state: 'running', stage: 'shape_generation' });

  // The stage in progress runs to its end; the next one never starts.
  control.release('shape_generation');
  expect(await stopped).toMatchObject({ state: 'cancelled', error: { code: 'cancelled', stage: 'shape_generation' } });
  const job = await waitForState(server.url, running, ['cancelled']);
  expect(Object.keys(job.stageTimings)).toEqual(['background_removal', 'shape_generation']);
  expect(job.result).toBeNull();
  socket.close();

  const result = await fetch(`${server.url}/api/v1/jobs/${running}/result`);
  expect(result.status).toBe(409);

  const samples = await scrape(server.url);
  const moved = (name: string, labels: Record<string, string>) => valueOf(samples, name, labels) - valueOf(before, name, labels);
  expect(moved('model_3d_generations_total', { status: 'cancelled' })).toBe(1);
  expect(moved('pipeline_stage_duration_seconds_count', { stage: 'texture_generation' })).toBe(0);
  expect(valueOf(samples, 'pipeline_stages_in_progress')).toBe(0);
  expect(valueOf(samples, 'job_queue_size')).toBe(0);
  expect(valueOf(samples, 'active_jobs')).toBe(0);
});

it('refuses to cancel a finished job, and the worker goes on with new ones', async () => {
  const { jobId } = (await (await submitImage(server.url, await subjectImage('png', 64, 30))).json()) as any;
  await waitForState(server.url, jobId, ['completed']);
  const res = await cancel(jobId);
  expect(res.status).toBe(409);
  expect(((await res.json()) as any).error.code).toBe('job_finished');
});
