/**
 * Cancellation means stop: a queued job is cancelled at once; a running one's stage in
 * progress is stopped, whether the engine looks at its signal or not, and DELETE answers 200
 * once the job has ended cancelled. A cancellation is a status, never a stage error. A model
 * server that never answers gets its request aborted; a finished job cannot be cancelled.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { scrape, valueOf, type Sample } from './support/scrape.js';
import { nextEvent, socketClient, startTestServer, submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

let server: RunningServer;
const control = createEngineControl();
beforeAll(async () => {
  server = await startTestServer({ WORKER_CONCURRENCY: '1' }, createTestEngines(control));
});
afterAll(() => server?.close());

const cancel = (url: string, jobId: string) => fetch(`${url}/api/v1/jobs/${jobId}`, { method: 'DELETE' });
const movedSince = (before: Sample[], after: Sample[]) => (name: string, labels: Record<string, string> = {}) =>
  valueOf(after, name, labels) - valueOf(before, name, labels);

it('stops the stage in progress of a running job, and cancels a queued one at once', async () => {
  const before = await scrape(server.url);
  // The test engine waits at shape_generation without looking at its signal: the stop must not need it to.
  control.hold.add('shape_generation');
  const entered = control.entered('shape_generation');
  const running = ((await (await submitImage(server.url, await subjectImage('png', 64, 10))).json()) as any).jobId;
  const queued = ((await (await submitImage(server.url, await subjectImage('png', 64, 20))).json()) as any).jobId;
  await entered;

  const socket = await socketClient(server.url);
  const stopped = nextEvent(socket, 'error', (p) => p.jobId === running);
  await socket.emitWithAck('subscribe', { jobId: running });

  const queuedCancel = await cancel(server.url, queued);
  expect(queuedCancel.status).toBe(200);
  expect(await queuedCancel.json()).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });

  const runningCancel = await cancel(server.url, running);
  expect(runningCancel.status).toBe(200);
  expect(await runningCancel.json()).toMatchObject({ state: 'cancelled', stage: 'shape_generation', error: { code: 'cancelled', stage: 'shape_generation' } });
  expect(await stopped).toMatchObject({ state: 'cancelled', error: { code: 'cancelled', stage: 'shape_generation' } });
  socket.close();

  // The engine finishing its call later changes nothing: no result, no next stage.
  control.release('shape_generation');
  const job = await waitForState(server.url, running, ['cancelled']);
  expect(Object.keys(job.stageTimings)).toEqual(['background_removal']);
  expect(job.result).toBeNull();
  expect((await fetch(`${server.url}/api/v1/jobs/${running}/result`)).status).toBe(409);
  expect(fs.existsSync(server.store!.resolve(`results/${running}`))).toBe(false);

  const after = await scrape(server.url);
  const moved = movedSince(before, after);
  expect(moved('model_3d_generations_total', { status: 'cancelled' })).toBe(2);
  expect(moved('pipeline_stage_errors_total')).toBe(0);
  expect(moved('failed_generations_total')).toBe(0);
  expect(moved('pipeline_stage_duration_seconds_count', { stage: 'shape_generation' })).toBe(0);
  expect(moved('pipeline_stage_duration_seconds_count', { stage: 'texture_generation' })).toBe(0);
  expect(valueOf(after, 'pipeline_stages_in_progress')).toBe(0);
  expect(valueOf(after, 'job_queue_size')).toBe(0);
  expect(valueOf(after, 'active_jobs')).toBe(0);
});

it('stops a running text-to-image job, whose only stage is the one in progress', async () => {
  const before = await scrape(server.url);
  control.hold.add('text_to_image');
  const entered = control.entered('text_to_image');
  const res = await fetch(`${server.url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a slow lighthouse', style: 'sketch', width: 64, height: 64 }),
  });
  const { jobId } = (await res.json()) as any;
  await entered;
  const stop = await cancel(server.url, jobId);
  expect(stop.status).toBe(200);
  expect(await stop.json()).toMatchObject({ state: 'cancelled', error: { code: 'cancelled', stage: 'text_to_image' } });
  control.release('text_to_image');

  const moved = movedSince(before, await scrape(server.url));
  expect(moved('text_to_image_generations_total', { style: 'sketch', status: 'cancelled' })).toBe(1);
  expect(moved('text_to_image_generations_total', { style: 'sketch', status: 'success' })).toBe(0);
  expect(moved('pipeline_stage_errors_total')).toBe(0);
});

it('refuses to cancel a finished job, and the worker goes on with new ones', async () => {
  const { jobId } = (await (await submitImage(server.url, await subjectImage('png', 64, 30))).json()) as any;
  await waitForState(server.url, jobId, ['completed']);
  const res = await cancel(server.url, jobId);
  expect(res.status).toBe(409);
  expect(((await res.json()) as any).error.code).toBe('job_finished');
});

it('aborts the request to a model server that never answers, without falling back', async () => {
  // A model server that takes the request and never answers it; it notes when the client hangs up.
  let request: IncomingMessage | undefined;
  let hangUp!: () => void;
  const hungUp = new Promise<void>((resolve) => (hangUp = resolve));
  const modelServer: Server = createServer((req) => {
    request = req;
    req.socket.once('close', hangUp);
  });
  await new Promise<void>((resolve) => modelServer.listen(0, '127.0.0.1', resolve));
  const remote = await startTestServer({ ORFEAS_3D_SERVER_URL: `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}` });
  try {
    const { jobId } = (await (await submitImage(remote.url, await subjectImage('png', 96, 40), { format: 'glb' })).json()) as any;
    await waitForState(remote.url, jobId, ['running']);
    for (const deadline = Date.now() + 30_000; !request && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(request?.url).toBe('/generate');

    const stop = await cancel(remote.url, jobId);
    expect(stop.status).toBe(200);
    expect(await stop.json()).toMatchObject({ state: 'cancelled', error: { code: 'cancelled', stage: 'shape_generation' } });
    // The adapter's request was aborted: the stop reached it, not only the job's record.
    await hungUp;
    const samples = await scrape(remote.url);
    expect(valueOf(samples, 'pipeline_stage_errors_total')).toBe(0);
    expect(valueOf(samples, 'quality_validation_failures_total', { issue_type: 'model_server_fallback' })).toBe(0);
  } finally {
    await remote.close();
    modelServer.closeAllConnections();
    await new Promise((resolve) => modelServer.close(resolve));
  }
});
