/**
 * Each job's GPU cost, end to end with simulated GPUs (ORFEAS_GPU=sim): a real job runs while
 * the sim's GPU is busy with this process (the backend), a model server named in
 * ORFEAS_GPU_PROCESSES and a stranger; the finished job says what it cost, charged only for
 * ORFEAS's processes, the cost histograms move, and GET /api/v1/gpu lists the processes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IMAGE_TO_3D_STAGES } from '@orfeas/metrics/catalog';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import { scrape, valueOf } from './support/scrape.js';
import { startTestServer, submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

// The GPU at 70 %: 40 of them this process, 20 the model server, 10 a stranger.
const scenario = {
  devices: [
    {
      name: 'NVIDIA L4 (simulated)',
      utilization: 70,
      powerWatts: 140,
      samples: { periodMs: 10, size: 2000 },
      processes: [
        { pid: 'self', name: 'orfeas-backend', utilization: 40, memoryUsedBytes: 2 ** 30 },
        { pid: 31337, name: 'hunyuan3d', utilization: 20, memoryUsedBytes: 2 ** 32 },
        { pid: 4242, name: 'stranger', utilization: 10, memoryUsedBytes: 2 ** 28 },
      ],
    },
  ],
};
const OURS = 0.4 + 0.2;
const HELD_MS = 800;

let server: RunningServer;
const control = createEngineControl();
beforeAll(async () => {
  process.env.NVML_SIM_SCENARIO = JSON.stringify(scenario);
  server = await startTestServer({ ORFEAS_GPU: 'sim', ORFEAS_GPU_PROCESSES: 'hunyuan3d', ORFEAS_GPU_INTERVAL_MS: '10' }, createTestEngines(control));
});
afterAll(async () => {
  delete process.env.NVML_SIM_SCENARIO;
  await server?.close();
});

const addonMissing = () => (server.gpu.source === 'unavailable' ? `GPU sampler missing: ${server.gpu.reason}` : undefined);
const counts = async (name: string, labels: Record<string, string>) => valueOf(await scrape(server.url), `${name}_count`, labels);

it('charges a finished job for the GPU use of ORFEAS\'s processes only, and records it in the cost histograms', async (ctx) => {
  needs(ctx, addonMissing());
  // Per-process use is read by the slow loop (once a second): the job starts once it has been.
  await waitFor('the slow loop', () => Promise.resolve(server.gpu.sampler!.stats().slowTicks >= 3));
  const before = await scrape(server.url);
  control.hold.add('shape_generation');
  const entered = control.entered('shape_generation');
  const res = await submitImage(server.url, await subjectImage('png', 80), { format: 'glb' });
  const { jobId } = (await res.json()) as { jobId: string };
  await entered;
  await new Promise((r) => setTimeout(r, HELD_MS));
  control.release('shape_generation');
  const job = await waitForState(server.url, jobId, ['completed', 'failed']);
  expect(job.state).toBe('completed');

  expect(job.gpu).toMatchObject({ attribution: 'process', devices: [{ gpu: '0' }] });
  expect(job.gpu.devices).toHaveLength(1);
  const ran = new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime();
  // At least the held stage at our 60 %, at most the whole run at it: never the stranger's 10 %.
  expect(job.gpu.busySeconds).toBeGreaterThan(OURS * (HELD_MS / 1000) * 0.95);
  expect(job.gpu.busySeconds).toBeLessThan(OURS * (ran / 1000) * 1.05);
  // Energy follows our share of the busy time: 6/7 of 140 W.
  const joulesPerBusySecond = (140 * (6 / 7)) / OURS;
  expect(Math.abs(job.gpu.energyJoules / job.gpu.busySeconds - joulesPerBusySecond) / joulesPerBusySecond).toBeLessThan(0.05);
  expect(job.gpu.devices[0].busySeconds).toBe(job.gpu.busySeconds);

  const moved = async (name: string, labels: Record<string, string>) => valueOf(await scrape(server.url), name, labels) - valueOf(before, name, labels);
  expect(await moved('generation_gpu_busy_seconds_count', { type: 'image_to_3d' })).toBe(1);
  expect(await moved('generation_gpu_busy_seconds_sum', { type: 'image_to_3d' })).toBeCloseTo(job.gpu.busySeconds, 6);
  expect(await moved('generation_gpu_energy_joules_count', { type: 'image_to_3d' })).toBe(1);
  // Stage costs are recorded once the sampler covered each stage, without holding the job.
  for (const stage of IMAGE_TO_3D_STAGES) {
    await waitFor(`pipeline_stage_gpu_seconds{stage="${stage}"}`, async () => (await moved('pipeline_stage_gpu_seconds_count', { stage })) === 1);
  }
  expect(await moved('pipeline_stage_gpu_seconds_sum', { stage: 'shape_generation' })).toBeGreaterThan(OURS * (HELD_MS / 1000) * 0.95);
});

it('measures failed and cancelled jobs too, and a cached answer cost nothing', async (ctx) => {
  needs(ctx, addonMissing());
  const before = await counts('generation_gpu_busy_seconds', { type: 'image_to_3d' });
  control.failWidth = 71;
  const failed = (await (await submitImage(server.url, await subjectImage('png', 71))).json()) as { jobId: string };
  const job = await waitForState(server.url, failed.jobId, ['failed', 'completed']);
  expect(job.state).toBe('failed');
  expect(job.gpu).toMatchObject({ attribution: 'process' });
  expect(await counts('generation_gpu_busy_seconds', { type: 'image_to_3d' })).toBe(before + 1);

  // A cancel is answered as soon as the job ends; its cost follows once the sampler covered it.
  control.hold.add('texture_generation');
  const entered = control.entered('texture_generation');
  const running = (await (await submitImage(server.url, await subjectImage('png', 73))).json()) as { jobId: string };
  await entered;
  const cancel = await fetch(`${server.url}/api/v1/jobs/${running.jobId}`, { method: 'DELETE' });
  expect(cancel.status).toBe(200);
  control.release('texture_generation');
  const jobOf = async (id: string) => (await (await fetch(`${server.url}/api/v1/jobs/${id}`)).json()) as { gpu: { busySeconds: number } | null };
  await waitFor('the cancelled job\'s cost', async () => (await jobOf(running.jobId)).gpu !== null);
  const cancelled = await jobOf(running.jobId);
  expect(cancelled).toMatchObject({ state: 'cancelled', gpu: { attribution: 'process' } });
  expect(cancelled.gpu!.busySeconds).toBeGreaterThan(0);
  expect(await counts('generation_gpu_busy_seconds', { type: 'image_to_3d' })).toBe(before + 2);

  const image = await subjectImage('png', 90);
  const first = (await (await submitImage(server.url, image)).json()) as { jobId: string };
  await waitForState(server.url, first.jobId, ['completed']);
  const again = (await (await submitImage(server.url, image)).json()) as { jobId: string; state: string };
  expect(again.state).toBe('completed');
  const cached = await (await fetch(`${server.url}/api/v1/jobs/${again.jobId}`)).json();
  expect(cached).toMatchObject({ cached: true, gpu: null });
});

it('lists the processes on each GPU with their pids at /api/v1/gpu, and what each GPU supports', async (ctx) => {
  needs(ctx, addonMissing());
  await waitFor('the process list', async () => (await gpuJson()).stats.devices[0].processes.length === 3);
  const gpu = await gpuJson();
  expect(gpu.devices[0]).toMatchObject({ id: '0', index: 0, lost: false });
  expect(gpu.devices[0].fields).toContainEqual({ field: 'process_utilization', supported: true });
  const processes = gpu.stats.devices[0].processes;
  expect(processes.map((p: any) => [p.pid, p.name, p.type]).sort()).toEqual([
    [31337, 'hunyuan3d', 'compute'],
    [4242, 'stranger', 'compute'],
    [process.pid, 'orfeas-backend', 'compute'],
  ].sort());
  expect(processes.find((p: any) => p.name === 'hunyuan3d').memoryBytes).toBe(2 ** 32);
  // pids stay out of the metrics; the executable names are the labels.
  const samples = await scrape(server.url);
  expect(valueOf(samples, 'gpu_process_memory_bytes', { gpu: '0', process: 'hunyuan3d' })).toBe(2 ** 32);
  expect(samples.some((s) => Object.values(s.labels).includes('31337'))).toBe(false);
});

async function gpuJson(): Promise<any> {
  return (await fetch(`${server.url}/api/v1/gpu`)).json();
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
