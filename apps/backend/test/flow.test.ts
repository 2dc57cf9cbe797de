/**
 * The whole flow over real HTTP and socket.io: submit an image, subscribe, receive the
 * pipeline's events in order, download the result, and see the metrics move.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_TO_3D_STAGES } from '@orfeas/metrics/catalog';
import type { Socket } from 'socket.io-client';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { scrape, valueOf } from './support/scrape.js';
import { nextEvent, socketClient, startTestServer, submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

describe('image to 3D over HTTP and WebSocket', () => {
  let server: RunningServer;
  let socket: Socket;
  const control = createEngineControl();

  beforeAll(async () => {
    server = await startTestServer({}, createTestEngines(control));
    socket = await socketClient(server.url);
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });
  // A test that fails while holding a stage must not leave every later job of this server held.
  afterEach(() => {
    for (const stage of [...control.hold]) control.release(stage);
  });

  it('runs the four stages in order, streams their events and serves the model', async () => {
    const before = await scrape(server.url);
    // Held at the first stage, so the subscription is in place before anything happens.
    control.hold.add('background_removal');
    const res = await submitImage(server.url, await subjectImage('png'), { format: 'obj', quality: 'medium' });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as any;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    const received: { event: string; payload: any }[] = [];
    for (const event of ['progress', 'stage_change', 'complete', 'error']) {
      socket.on(event, (payload) => received.push({ event, payload }));
    }
    const done = nextEvent(socket, 'complete', (p) => p.jobId === jobId);
    const ack = await socket.emitWithAck('subscribe', { jobId });
    expect(ack).toMatchObject({ ok: true, job: { id: jobId } });
    control.release('background_removal');
    const complete = await done;

    const mine = received.filter((r) => r.payload.jobId === jobId);
    const stages = mine.filter((r) => r.event === 'stage_change').map((r) => r.payload.stage);
    // The late-subscriber state may repeat the first stage; after it, each stage once, in order.
    expect([...new Set(stages)]).toEqual([...IMAGE_TO_3D_STAGES]);
    const progress = mine.filter((r) => r.event === 'progress' && typeof r.payload.progress === 'number').map((r) => r.payload.progress);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(mine.at(-1)!.event).toBe('complete');
    expect(complete).toMatchObject({ jobId, cached: false, result: { contentType: 'model/obj', name: 'model.obj' } });
    expect(Object.keys(complete.stageTimings)).toEqual([...IMAGE_TO_3D_STAGES]);

    const job = (await (await fetch(`${server.url}/api/v1/jobs/${jobId}`)).json()) as any;
    expect(job).toMatchObject({ state: 'completed', progress: 1, type: 'image_to_3d', result: { engine: 'test-3d' } });
    // The pipeline adds the stage scores the engine reported along the way but left out of the
    // final report (the test engine's report has no background_removal score; its cut-out had 0.9).
    expect(job.quality.scores).toMatchObject({ background_removal: 0.9, shape: 0.8, texture: 0.75, overall: 0.8 });

    const file = await fetch(`${server.url}${complete.result.url}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('model/obj');
    const text = await file.text();
    expect(text).toContain('f 1 2 3');
    expect(Number(file.headers.get('content-length'))).toBe(complete.result.sizeBytes);

    const after = await scrape(server.url);
    const moved = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(moved('model_3d_generations_total', { format: 'obj', quality: 'medium', status: 'success' })).toBe(1);
    expect(moved('image_uploads_total', { format: 'png', status: 'accepted' })).toBe(1);
    expect(moved('successful_generations_total', { type: 'image_to_3d' })).toBe(1);
    for (const stage of IMAGE_TO_3D_STAGES) expect(moved('pipeline_stage_duration_seconds_count', { stage })).toBe(1);
    // The quality family, from the report: one grade, each check by its result, repairs by count,
    // each issue by stage and type, and each stage score (the merged one included).
    expect(moved('quality_grade_total', { grade: job.quality.grade })).toBe(1);
    expect(moved('quality_grade_total')).toBe(1);
    for (const [check, passed] of Object.entries(job.quality.checks)) {
      expect(moved('quality_checks_total', { check, result: passed ? 'pass' : 'fail' })).toBe(1);
      expect(moved('quality_checks_total', { check, result: passed ? 'fail' : 'pass' })).toBe(0);
    }
    for (const [repair, count] of Object.entries(job.quality.repairs)) expect(moved('quality_auto_repairs_total', { repair_type: repair })).toBe(count);
    for (const issue of job.quality.issues) expect(moved('quality_validation_failures_total', { stage: issue.stage, issue_type: issue.issueType })).toBe(1);
    expect(moved('quality_score_count', { stage: 'background_removal' })).toBe(1);
    expect(moved('quality_score_sum', { stage: 'background_removal' })).toBeCloseTo(0.9);
    expect(moved('generation_quality_score_sum', { type: 'image_to_3d' })).toBeCloseTo(job.quality.scores.overall);
    expect(moved('job_wait_duration_seconds_count', { type: 'image_to_3d' })).toBe(1);
    expect(moved('websocket_messages_sent_total', { event_type: 'complete' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'active_jobs', { type: 'image_to_3d' })).toBe(0);
    expect(valueOf(after, 'job_queue_size', { type: 'image_to_3d' })).toBe(0);
  });

  it('gives a late subscriber the current state first, and answers the same input from the cache', async () => {
    const image = await subjectImage('jpeg', 80, 30);
    const start = await scrape(server.url);
    const first = await (await submitImage(server.url, image, { format: "stl" }, "image/jpeg")).json() as any;
    await waitForState(server.url, first.jobId, ['completed']);

    const late = nextEvent(socket, 'complete', (p) => p.jobId === first.jobId);
    await socket.emitWithAck('subscribe', { jobId: first.jobId });
    expect((await late).result.contentType).toBe('model/stl');

    const before = await scrape(server.url);
    const again = await submitImage(server.url, image, { format: 'stl' }, 'image/jpeg');
    expect(again.status).toBe(202);
    const { jobId } = (await again.json()) as any;
    const job = await (await fetch(`${server.url}/api/v1/jobs/${jobId}`)).json();
    expect(job).toMatchObject({ state: 'completed', cached: true, result: { contentType: 'model/stl' } });
    const after = await scrape(server.url);
    expect(valueOf(after, 'cache_hits_total', { cache_type: 'image_to_3d' }) - valueOf(before, 'cache_hits_total', { cache_type: 'image_to_3d' })).toBe(1);
    // The first run added an entry; the answer from the cache added none.
    const entries = (samples: typeof start) => valueOf(samples, 'cache_entries', { cache_type: 'image_to_3d' });
    expect(entries(before) - entries(start)).toBe(1);
    expect(entries(after)).toBe(entries(before));
  });

  it('shows a running job with its stage, progress and an ETA from the previous runs', async () => {
    // A previous run of every stage, whatever ran before this test.
    const previous = (await (await submitImage(server.url, await subjectImage('png', 64, 290))).json()) as any;
    await waitForState(server.url, previous.jobId, ['completed']);
    control.hold.add('texture_generation');
    const entered = control.entered('texture_generation');
    const { jobId } = (await (await submitImage(server.url, await subjectImage('png', 64, 300))).json()) as any;
    await entered;
    const job = (await (await fetch(`${server.url}/api/v1/jobs/${jobId}`)).json()) as any;
    expect(job).toMatchObject({ state: 'running', stage: 'texture_generation', progress: 0.5 });
    expect(job.etaSeconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(job.stageTimings)).toEqual(['background_removal', 'shape_generation']);
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'active_jobs', { type: 'image_to_3d' })).toBe(1);
    expect(valueOf(samples, 'pipeline_stages_in_progress', { stage: 'texture_generation' })).toBe(1);
    control.release('texture_generation');
    await waitForState(server.url, jobId, ['completed']);
  });

  it('is live and ready', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: true, storage: true, workers: true } });
  });

  it('runs text to image and serves a PNG', async () => {
    const res = await fetch(`${server.url}/api/v1/text-to-image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a red teapot', style: 'watercolor', width: 64, height: 96, seed: 7 }),
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as any;
    const job = await waitForState(server.url, jobId, ['completed']);
    expect(job.stageTimings).toHaveProperty('text_to_image');
    const file = await fetch(`${server.url}/api/v1/jobs/${jobId}/result`);
    expect(file.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect([...bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'text_to_image_generations_total', { style: 'watercolor', status: 'success' })).toBe(1);
  });

  it('reports a failing stage as an error event and in the stage error metrics', async () => {
    control.failWidth = 90;
    const res = await submitImage(server.url, await subjectImage('webp', 90), {}, 'image/webp');
    const { jobId } = (await res.json()) as any;
    const error = nextEvent(socket, 'error', (p) => p.jobId === jobId);
    await socket.emitWithAck('subscribe', { jobId });
    expect(await error).toMatchObject({ state: 'failed', error: { code: 'no_subject', stage: 'shape_generation' } });
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'pipeline_stage_errors_total', { stage: 'shape_generation', error_type: 'no_subject' })).toBe(1);
    expect(valueOf(samples, 'failed_generations_total', { type: 'image_to_3d', reason: 'no_subject' })).toBe(1);
  });

  it('survives an internal fault in a stage: the job fails as internal, counted and logged, the next one runs', async () => {
    control.crashWidth = 91;
    const { jobId } = (await (await submitImage(server.url, await subjectImage('png', 91))).json()) as any;
    const job = await waitForState(server.url, jobId, ['failed']);
    expect(job.error).toEqual({ code: 'internal', message: 'internal error in stage texture_generation', stage: 'texture_generation' });
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'pipeline_stage_errors_total', { stage: 'texture_generation', error_type: 'type_error' })).toBe(1);
    expect(valueOf(samples, 'errors_total', { type: 'internal', route: '/api/v1/generations' })).toBe(1);
    const next = (await (await submitImage(server.url, await subjectImage('png', 92))).json()) as any;
    expect((await waitForState(server.url, next.jobId, ['completed', 'failed'])).state).toBe('completed');
  });

  it('streams GPU snapshots at the asked rate, answers ping, and survives malformed payloads', async () => {
    const stats = nextEvent(socket, 'gpu_stats');
    expect(await socket.emitWithAck('gpu_subscribe', { hz: 500 })).toEqual({ ok: true, hz: 20 });
    expect(await stats).toMatchObject({ hz: 20, available: false, source: 'off' });
    await socket.emitWithAck('gpu_unsubscribe');
    // A client that sends no acknowledgement callback is streamed to as well.
    const plain = nextEvent(socket, 'gpu_stats');
    socket.emit('gpu_subscribe', { hz: 2 });
    expect(await plain).toMatchObject({ hz: 2 });
    await socket.emitWithAck('gpu_unsubscribe');

    const pong = nextEvent(socket, 'pong');
    socket.emit('ping');
    expect((await pong).serverTime).toBeGreaterThan(0);

    const errors: any[] = [];
    socket.on('error', (e) => errors.push(e));
    const bad = [
      await socket.emitWithAck('subscribe', { jobId: '../../etc/passwd' }),
      await socket.emitWithAck('subscribe', 'not an object'),
      await socket.emitWithAck('subscribe', { jobId: '3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59' }),
      await socket.emitWithAck('gpu_subscribe', { hz: 'fast' }),
      await socket.emitWithAck('no_such_event', {}),
    ];
    expect(bad.map((b) => b.error.code)).toEqual(['invalid_payload', 'invalid_payload', 'job_not_found', 'invalid_payload', 'unknown_event']);
    expect(errors).toHaveLength(5);
    expect(socket.connected).toBe(true);
    expect(await socket.emitWithAck('ping')).toHaveProperty('serverTime');
  });
});
