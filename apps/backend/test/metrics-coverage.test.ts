/**
 * After a full flow — jobs that succeed, fail, hit the cache and expire, refused requests, a
 * rate limit, WebSocket clients coming and going — every metric of the catalog was recorded by
 * what it measures: every counter and histogram has moved (series that start at 0 do not
 * count), every gauge has a sample. The GPU families and the jobs' GPU cost need the built
 * @orfeas/gpu-sampler (ORFEAS_GPU=sim), with a scenario where one simulated GPU has processes,
 * XID events, ECC errors, PCIe and NVLink traffic and the other is lost, so NVML errors are
 * counted too; without it that part is reported skipped (a failure under CI).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SAMPLED_FAMILIES, catalog, catalogMetrics, type MetricDef } from '@orfeas/metrics/catalog';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import { scrape, type Sample } from './support/scrape.js';
import { socketClient, startTestServer, submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

let server: RunningServer;
const control = createEngineControl();
const TOKEN = 'scrape-secret';
beforeAll(async () => {
  // Two simulated GPUs, one busy with this process and the other lost after 300 ms: NVML errors are part of the flow.
  process.env.NVML_SIM_SCENARIO = fileURLToPath(new URL('./fixtures/gpu-lost.json', import.meta.url));
  // A short retention, so that jobs of the flow expire and retention's counters move too.
  server = await startTestServer({ ORFEAS_GPU: 'sim', ORFEAS_RATE_LIMIT: '12', METRICS_TOKEN: TOKEN, ORFEAS_RETENTION: '3s' }, createTestEngines(control));
});
afterAll(() => server?.close());

/** What needs a GPU sampler: the sampled families, and the GPU cost of jobs. */
const gpuMetrics = new Set([...SAMPLED_FAMILIES, 'cost' as const].flatMap((family) => Object.values(catalog[family]).map((m: MetricDef) => m.name)));

async function fullFlow(url: string) {
  // A job that succeeds, the same one again from the cache, and one that fails.
  const image = await subjectImage('png', 72);
  const ok = ((await (await submitImage(url, image, { format: 'glb' })).json()) as any).jobId;
  await waitForState(url, ok, ['completed']);
  await submitImage(url, image, { format: 'glb' });
  control.failWidth = 70;
  const bad = ((await (await submitImage(url, await subjectImage('png', 70))).json()) as any).jobId;
  await waitForState(url, bad, ['failed']);
  const text = await fetch(`${url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a fox', style: 'pixel_art', width: 64, height: 64 }),
  });
  await waitForState(url, ((await text.json()) as any).jobId, ['completed']);

  // Refusals: a field, a route, an unknown job.
  await submitImage(url, new TextEncoder().encode('no image here'));
  await fetch(`${url}/api/v1/jobs/3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59`);
  await fetch(`${url}/nowhere`);
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/api/v1/text-to-image`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    if (res.status === 429) break;
  }

  // WebSocket clients: one subscribes and leaves, one sends garbage (past the event-name cap).
  const socket = await socketClient(url);
  await socket.emitWithAck('subscribe', { jobId: ok });
  const stats = new Promise<any>((resolve) => socket.once('gpu_stats', resolve));
  await socket.emitWithAck('gpu_subscribe', { hz: 5 });
  await stats;
  for (let i = 0; i < 60; i++) socket.emit(`garbage_${i}`, {});
  await socket.emitWithAck('ping');
  // A pong the client acknowledges: the backend times the round trip.
  const acknowledged = new Promise<void>((resolve) => socket.once('pong', (_pong: unknown, ack: () => void) => resolve(ack())));
  await socket.emitWithAck('ping', { roundTrip: true });
  await acknowledged;
  socket.close();
}

/** The catalog metrics the samples show no sign of: a counter or histogram that never moved, a gauge with no sample. */
function unrecorded(samples: Sample[], metrics: readonly MetricDef[]): string[] {
  const moved = (name: string) => samples.some((s) => s.name === name && s.value > 0);
  return metrics
    .filter((m) => (m.type === 'gauge' ? !samples.some((s) => s.name === m.name) : !moved(m.type === 'histogram' ? `${m.name}_count` : m.name)))
    .map((m) => m.name);
}

/** Scrapes until nothing is missing: some samples land a little after the flow (a lost GPU's failed call, a disconnect, a retention sweep). */
async function settledGaps(metrics: readonly MetricDef[]): Promise<string[]> {
  for (const deadline = Date.now() + 30_000; ; ) {
    const missing = unrecorded(await scrape(server.url, TOKEN), metrics);
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('records every catalog metric outside the GPU families after a full flow', async () => {
  await fullFlow(server.url);
  expect(await settledGaps(catalogMetrics.filter((m) => !gpuMetrics.has(m.name)))).toEqual([]);
});

it('records every metric of the GPU families and the GPU cost from the simulated GPUs', async (ctx) => {
  needs(ctx, server.gpu.source === 'unavailable' ? `GPU family not checked: ${server.gpu.reason}` : undefined);
  expect(await settledGaps(catalogMetrics.filter((m) => gpuMetrics.has(m.name)))).toEqual([]);
});

it('serves the simulated GPUs at /api/v1/gpu and in the gpu room', async (ctx) => {
  needs(ctx, server.gpu.source === 'unavailable' ? `GPU sampler missing: ${server.gpu.reason}` : undefined);
  const gpu = (await (await fetch(`${server.url}/api/v1/gpu`)).json()) as any;
  expect(gpu).toMatchObject({ available: true, source: 'sim' });
  expect(JSON.stringify(gpu.devices)).toContain('NVIDIA L4 (simulated)');
  const socket = await socketClient(server.url);
  try {
    const stats = new Promise<any>((resolve) => socket.once('gpu_stats', resolve));
    await socket.emitWithAck('gpu_subscribe', { hz: 5 });
    expect(await stats).toMatchObject({ hz: 5, available: true, source: 'sim' });
  } finally {
    socket.close();
  }
});

it('refuses a scrape without the token', async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
});
