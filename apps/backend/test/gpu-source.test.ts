/**
 * Where GPU telemetry comes from. ORFEAS_GPU=auto on a host whose driver does not answer runs
 * with no GPU telemetry at all (gpu_sampler_up 0, no device series), never the simulator;
 * simulated GPUs appear only when asked for, labelled source="sim" in gpu_info and the API,
 * and a simulator reached through ORFEAS_NVML_LIBRARY is still labelled as one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { scrape, valueOf } from './support/scrape.js';
import { needs } from './support/needs.js';
import { nextEvent, socketClient, startTestServer } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Series of the GPU family that describe a device (everything but the sampler's own health). */
const deviceSeries = (samples: Awaited<ReturnType<typeof scrape>>) =>
  samples.filter((s) => s.name.startsWith('gpu_') && s.name !== 'gpu_sampler_up');

// A variable specifier, as in src/gpu: the backend builds without the sampler's types.
const SAMPLER_PACKAGE: string = '@orfeas/gpu-sampler';
const notLoaded = (gpu: RunningServer['gpu']) => (gpu.reason?.includes('cannot be loaded') ? gpu.reason : undefined);

describe('ORFEAS_GPU', () => {
  it('auto without a driver: gpu_sampler_up 0, no device series, and the API says why', async (ctx) => {
    server = await startTestServer({ ORFEAS_GPU: 'auto', ORFEAS_NVML_LIBRARY: '/nonexistent/libnvidia-ml.so.1' }, createTestEngines());
    needs(ctx, notLoaded(server.gpu));
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'gpu_sampler_up')).toBe(0);
    expect(samples.some((s) => s.name === 'gpu_sampler_up')).toBe(true);
    expect(deviceSeries(samples)).toEqual([]);
    const gpu = (await (await fetch(`${server.url}/api/v1/gpu`)).json()) as any;
    expect(gpu).toMatchObject({ available: false, source: 'unavailable' });
    expect(gpu.reason).toContain('/nonexistent/libnvidia-ml.so.1');
    expect(gpu).not.toHaveProperty('devices');
  });

  it('sim: simulated GPUs, labelled source="sim" in gpu_info and the API', async (ctx) => {
    server = await startTestServer({ ORFEAS_GPU: 'sim' }, createTestEngines());
    needs(ctx, notLoaded(server.gpu));
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'gpu_sampler_up')).toBe(1);
    const info = samples.filter((s) => s.name === 'gpu_info');
    expect(info.length).toBeGreaterThan(0);
    expect(new Set(info.map((s) => s.labels.source))).toEqual(new Set(['sim']));
    expect(await (await fetch(`${server.url}/api/v1/gpu`)).json()).toMatchObject({ available: true, source: 'sim' });

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
    const mod = (await import(SAMPLER_PACKAGE).catch(() => undefined)) as { nvmlSimLibraryPath(): string } | undefined;
    needs(ctx, mod ? undefined : '@orfeas/gpu-sampler is not built');
    const library = mod!.nvmlSimLibraryPath();
    server = await startTestServer({ ORFEAS_GPU: 'auto', ORFEAS_NVML_LIBRARY: library }, createTestEngines());
    expect(server.gpu.source).toBe('sim');
    const info = (await scrape(server.url)).filter((s) => s.name === 'gpu_info');
    expect(info.map((s) => s.labels.source)).toEqual(info.map(() => 'sim'));
    expect(info.length).toBeGreaterThan(0);
  });
});
