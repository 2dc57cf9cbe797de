/** registerGpuMetrics: the catalog's GPU family, read from one sampler snapshot per scrape. */
import { catalog } from '@orfeas/metrics/catalog';
import { Registry } from 'prom-client';
import { afterEach, expect, it, vi } from 'vitest';
import { createGpuSampler, nvmlSimLibraryPath, registerGpuMetrics, type GpuSampler } from '../src/index.js';
import { describeNative, until, useScenario } from './support/sim.js';

let sampler: GpuSampler | undefined;
afterEach(() => sampler?.stop());

async function series(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  return (await series(registry, name)).find((s) => Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v))?.value;
}

it('exports gpu_sampler_up 0 and no GPU series without NVML', async () => {
  const registry = new Registry();
  sampler = createGpuSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1' });
  expect(sampler.available).toBe(false);
  registerGpuMetrics(registry, sampler);
  expect(await series(registry, catalog.gpu.samplerUp.name)).toEqual([{ labels: {}, value: 0 }]);
  expect(await series(registry, catalog.gpu.up.name)).toEqual([]);
  expect(await series(registry, catalog.gpu.utilizationRatio.name)).toEqual([]);
});

describeNative('registerGpuMetrics against nvml-sim', () => {
  it('exports the whole GPU family from one snapshot per scrape', async () => {
    useScenario({
      devices: [
        { utilization: 98, temperature: 90, powerWatts: 200, fans: [55, 45], memoryTotalBytes: 2 ** 34, memoryUsedBytes: 2 ** 33, throttle: { sw_power_cap: 1 } },
        { utilization: 12, temperature: 41, unsupported: ['fans'] },
      ],
    });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, required: true });
    const live = sampler;
    await until('readings', () => live.stats().devices.every((d) => d.samplesTotal >= 5 && d.busySeconds > 0));
    const registry = new Registry();
    const spied = { ...live, snapshot: vi.fn(live.snapshot) };
    registerGpuMetrics(registry, spied);
    const text = await registry.metrics();
    expect(spied.snapshot).toHaveBeenCalledTimes(1);
    for (const def of Object.values(catalog.gpu)) expect(text).toContain(`# TYPE ${def.name} `);

    const g = catalog.gpu;
    expect(await valueOf(registry, g.samplerUp.name, {})).toBe(1);
    expect(await valueOf(registry, g.utilizationRatio.name, { gpu: '0' })).toBe(0.98);
    expect(await valueOf(registry, g.temperatureCelsius.name, { gpu: '0' })).toBe(90);
    expect(await valueOf(registry, g.memoryBytes.name, { gpu: '0', type: 'used' })).toBe(2 ** 33);
    expect(await valueOf(registry, g.throttleActive.name, { gpu: '0', reason: 'sw_power_cap' })).toBe(1);
    expect(await valueOf(registry, g.throttleActive.name, { gpu: '0', reason: 'hw_slowdown' })).toBe(0);
    expect(await valueOf(registry, g.info.name, { gpu: '1', driver_version: '550.54.15', source: 'sim' })).toBe(1);
    expect(await valueOf(registry, g.busySecondsTotal.name, { gpu: '0' })).toBeGreaterThan(0);
    expect(await valueOf(registry, g.samplerLastSampleTimestampSeconds.name, { gpu: '1' })).toBeGreaterThan(Date.now() / 1000 - 60);

    // Unsupported fans: no fan series for that GPU, and one error, not one per tick.
    const fans = await series(registry, g.fanSpeedRatio.name);
    expect(fans.map((s) => [s.labels.gpu, s.labels.fan, s.value])).toEqual([['0', '0', 0.55], ['0', '1', 0.45]]);
    const before = await valueOf(registry, g.samplerSamplesTotal.name, { gpu: '1' });
    await until('more ticks', () => live.stats().devices[1]!.samplesTotal > (before ?? 0) + 10);
    expect(await series(registry, g.samplerErrorsTotal.name)).toEqual([{ labels: { gpu: '1', field: 'fans', error: 'not_supported' }, value: 1 }]);
  });

  it('reports a lost GPU with gpu_up 0 while the other goes on', async () => {
    useScenario({ devices: [{ utilization: 30 }, { utilization: 70, lostAfterMs: 100 }] });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    await until('GPU 1 lost', () => live.devices()[1]!.lost);
    const g = catalog.gpu;
    expect(await valueOf(registry, g.up.name, { gpu: '1' })).toBe(0);
    expect(await valueOf(registry, g.up.name, { gpu: '0' })).toBe(1);
    expect((await series(registry, g.utilizationRatio.name)).map((s) => s.labels.gpu)).toEqual(['0']);
    expect(await valueOf(registry, g.samplerErrorsTotal.name, { gpu: '1', error: 'gpu_lost' })).toBe(1);
    const samples = await valueOf(registry, g.samplerSamplesTotal.name, { gpu: '0' });
    await until('GPU 0 goes on', () => live.stats().devices[0]!.samplesTotal > (samples ?? 0) + 5);
    expect(await valueOf(registry, g.samplerUp.name, {})).toBe(1);
  });
});
