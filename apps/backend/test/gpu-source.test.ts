/**
 * Where GPU telemetry comes from. ORFEAS_GPU=auto on a host whose driver does not answer, or
 * without the sampler's native addon, runs with no GPU telemetry at all (gpu_sampler_up 0, no
 * device series), never the simulator, and GET /api/v1/gpu tells the two apart by `code`;
 * simulated GPUs appear only when asked for, labelled source="sim" in gpu_info and the API,
 * and a simulator reached through ORFEAS_NVML_LIBRARY is still labelled as one.
 */
import { nvmlSimLibraryPath } from '@orfeas/gpu-sampler';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { scrape, valueOf } from './support/scrape.js';
import { needs } from './support/needs.js';
import { nextEvent, socketClient, startTestServer } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

const ADDON_ENV = 'ORFEAS_GPU_SAMPLER_ADDON';
let server: RunningServer | undefined;
afterEach(async () => {
  delete process.env[ADDON_ENV];
  await server?.close();
  server = undefined;
});

/** Series of the GPU family that describe a device (everything but the sampler's own health). */
const deviceSeries = (samples: Awaited<ReturnType<typeof scrape>>) =>
  samples.filter((s) => s.name.startsWith('gpu_') && s.name !== 'gpu_sampler_up');

/** Why the GPU tests that need the native addon cannot run here (not built), if so. */
const addonMissing = (gpu: RunningServer['gpu']) => (gpu.code === 'addon' ? gpu.reason : undefined);

async function gpuJson(url: string): Promise<any> {
  const res = await fetch(`${url}/api/v1/gpu`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('ORFEAS_GPU', () => {
  it('auto without a driver: gpu_sampler_up 0, no device series, and the API says why (code load)', async (ctx) => {
    server = await startTestServer({ ORFEAS_GPU: 'auto', ORFEAS_NVML_LIBRARY: '/nonexistent/libnvidia-ml.so.1' }, createTestEngines());
    needs(ctx, addonMissing(server.gpu));
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'gpu_sampler_up')).toBe(0);
    expect(samples.some((s) => s.name === 'gpu_sampler_up')).toBe(true);
    expect(deviceSeries(samples)).toEqual([]);
    const gpu = await gpuJson(server.url);
    expect(gpu).toMatchObject({ available: false, source: 'unavailable', code: 'load' });
    expect(gpu.reason).toContain('the NVML library /nonexistent/libnvidia-ml.so.1 could not be loaded');
    expect(gpu).not.toHaveProperty('devices');
  });

  it('auto without the native addon: the backend starts, gpu_sampler_up 0, and the API says so (code addon)', async () => {
    process.env[ADDON_ENV] = '/nonexistent/gpu-sampler.linux-x64-gnu.node';
    server = await startTestServer({ ORFEAS_GPU: 'auto' }, createTestEngines());
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'gpu_sampler_up')).toBe(0);
    expect(deviceSeries(samples)).toEqual([]);
    const gpu = await gpuJson(server.url);
    expect(gpu).toMatchObject({ available: false, source: 'unavailable', code: 'addon' });
    // The reason names the missing file and how to build it.
    expect(gpu.reason).toContain('/nonexistent/gpu-sampler.linux-x64-gnu.node');
    expect(gpu.reason).toContain('npm run build -w @orfeas/gpu-sampler');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('sim: simulated GPUs, labelled source="sim" in gpu_info and the API', async (ctx) => {
    server = await startTestServer({ ORFEAS_GPU: 'sim' }, createTestEngines());
    needs(ctx, addonMissing(server.gpu));
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'gpu_sampler_up')).toBe(1);
    const info = samples.filter((s) => s.name === 'gpu_info');
    expect(info.length).toBeGreaterThan(0);
    expect(new Set(info.map((s) => s.labels.source))).toEqual(new Set(['sim']));
    const gpu = await gpuJson(server.url);
    expect(gpu).toMatchObject({ available: true, source: 'sim' });
    expect(gpu).not.toHaveProperty('code');

    // The `gpu` room sends, with each snapshot, the min / max / mean of the readings since the last.
    const socket = await socketClient(server.url);
    try {
      expect(await socket.emitWithAck('gpu_subscribe', { hz: 5 })).toEqual({ ok: true, hz: 5 });
      const stats = await nextEvent(socket, 'gpu_stats', (p: any) => p.window?.some((w: any) => w.count > 0));
      expect(stats).toMatchObject({ hz: 5, source: 'sim' });
      for (const w of stats.window.filter((x: any) => x.count > 0)) {
        const u = w.utilizationRatio;
        expect(u.min).toBeLessThanOrEqual(u.mean);
        expect(u.mean).toBeLessThanOrEqual(u.max);
        // A 200 ms window at the sampler's 100 ms interval: a few readings, not the whole ring.
        expect(w.count).toBeLessThanOrEqual(5);
      }
    } finally {
      socket.close();
    }
  });

  it('auto pointed at nvml-sim through ORFEAS_NVML_LIBRARY: the simulator is still labelled sim', async (ctx) => {
    server = await startTestServer({ ORFEAS_GPU: 'auto', ORFEAS_NVML_LIBRARY: nvmlSimLibraryPath() }, createTestEngines());
    needs(ctx, addonMissing(server.gpu));
    expect(server.gpu.source).toBe('sim');
    const info = (await scrape(server.url)).filter((s) => s.name === 'gpu_info');
    expect(info.map((s) => s.labels.source)).toEqual(info.map(() => 'sim'));
    expect(info.length).toBeGreaterThan(0);
  });
});
