/** registerGpuMetrics: the catalog's sampled families (gpu, gpuHealth, gpuProcess), read from one sampler snapshot per scrape. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GPU_XIDS, SAMPLED_FAMILIES, catalog } from '@orfeas/metrics/catalog';
import { Registry } from 'prom-client';
import { afterEach, expect, it, vi } from 'vitest';
import { createGpuSampler, nvmlSimLibraryPath, registerGpuMetrics, type GpuSampler } from '../src/index.js';
import { describeNative, simOriginUs, until, useScenario } from './support/sim.js';

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
    for (const family of SAMPLED_FAMILIES) for (const def of Object.values(catalog[family])) expect(text).toContain(`# TYPE ${def.name} `);

    const g = catalog.gpu;
    expect(await valueOf(registry, g.samplerUp.name, {})).toBe(1);
    expect(await valueOf(registry, g.utilizationRatio.name, { gpu: '0' })).toBe(0.98);
    expect(await valueOf(registry, g.temperatureCelsius.name, { gpu: '0' })).toBe(90);
    expect(await valueOf(registry, g.memoryBytes.name, { gpu: '0', type: 'used' })).toBe(2 ** 33);
    expect(await valueOf(registry, g.throttleActive.name, { gpu: '0', reason: 'sw_power_cap' })).toBe(1);
    expect(await valueOf(registry, g.throttleActive.name, { gpu: '0', reason: 'hw_slowdown' })).toBe(0);
    expect(await valueOf(registry, g.info.name, { gpu: '1', driver_version: '550.54.15', source: 'sim', parent: '', profile: '' })).toBe(1);
    expect(await valueOf(registry, g.busySecondsTotal.name, { gpu: '0' })).toBeGreaterThan(0);
    expect(await valueOf(registry, g.samplerLastSampleTimestampSeconds.name, { gpu: '1' })).toBeGreaterThan(Date.now() / 1000 - 60);

    // Unsupported fans: no fan series for that GPU, and one error, not one per tick.
    const fans = await series(registry, g.fanSpeedRatio.name);
    expect(fans.map((s) => [s.labels.gpu, s.labels.fan, s.value])).toEqual([['0', '0', 0.55], ['0', '1', 0.45]]);
    const before = await valueOf(registry, g.samplerSamplesTotal.name, { gpu: '1' });
    await until('more ticks', () => live.stats().devices[1]!.samplesTotal > (before ?? 0) + 10);
    expect(await series(registry, g.samplerErrorsTotal.name)).toContainEqual({ labels: { gpu: '1', field: 'fans', error: 'not_supported' }, value: 1 });
    expect((await series(registry, g.samplerErrorsTotal.name)).filter((e) => e.labels.field === 'fans')).toHaveLength(1);
    // Capability series: what GPU 1 lacks is a 0, not a gap.
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '1', field: 'fans' })).toBe(0);
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '0', field: 'fans' })).toBe(1);
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '0', field: 'temperature' })).toBe(1);
    expect((await series(registry, g.fieldSupported.name)).some((s) => s.labels.field === 'handle')).toBe(false);
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
  it('exports the health family where the GPU reports it, XIDs at 0 from the start', async () => {
    const health = {
      xidEvents: [{ atMs: 1_500, xid: 48 }, { atMs: 1_600, xid: 48 }, { atMs: 1_700, xid: 4242 }],
      ecc: { corrected: 5, uncorrected: { steps: [{ atMs: 0, value: 0 }, { atMs: 1_500, value: 1 }] } },
      remappedRows: { correctable: 2, uncorrectable: 1, pending: 1, failed: 0 },
      retiredPages: { singleBit: 3, doubleBit: 1 },
      pcie: { txBytesPerSecond: 1e9, rxBytesPerSecond: 5e8, replays: 7, throughputLatencyMs: 1 },
      nvlink: [{ txBytesPerSecond: 2e9, rxBytesPerSecond: 1e9 }, { txBytesPerSecond: 4e9, rxBytesPerSecond: 3e9 }],
    };
    useScenario({ devices: [{ utilization: 50, ...health }, { utilization: 20, unsupported: ['ecc', 'pcie', 'nvlink', 'events'] }] });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, slowIntervalMs: 20, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    const h = catalog.gpuHealth;
    const g = catalog.gpu;
    await until('the slow loop read GPU 0', () => live.stats().devices[0]!.ecc && live.stats().devices[0]!.pcie);

    // Before any XID: every known one, and "other", at 0 on the GPU that reads them; none on the other.
    const before = await series(registry, h.xidErrorsTotal.name);
    expect(before.filter((x) => x.labels.gpu === '0').map((x) => [x.labels.xid, x.value])).toEqual([...GPU_XIDS, 'other'].map((xid) => [xid, 0]));
    expect(before.some((x) => x.labels.gpu === '1')).toBe(false);
    expect(await series(registry, h.xidLastTimestampSeconds.name)).toEqual([]);
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '0', field: 'xid_events' })).toBe(1);

    await until('three XIDs', () => live.stats().devices[0]!.xid.reduce((n, x) => n + x.count, 0) >= 3);
    expect(await valueOf(registry, h.xidErrorsTotal.name, { gpu: '0', xid: '48' })).toBe(2);
    expect(await valueOf(registry, h.xidErrorsTotal.name, { gpu: '0', xid: 'other' })).toBe(1);
    expect(await valueOf(registry, h.xidErrorsTotal.name, { gpu: '0', xid: '79' })).toBe(0);
    const originS = simOriginUs() / 1e6;
    expect(await valueOf(registry, h.xidLastTimestampSeconds.name, { gpu: '0' })).toBeCloseTo(originS + 1.7, 2);

    await until('the uncorrected ECC error', () => live.stats().devices[0]!.ecc?.uncorrected === 1);
    expect(await valueOf(registry, h.eccErrorsTotal.name, { gpu: '0', type: 'corrected' })).toBe(5);
    expect(await valueOf(registry, h.eccErrorsTotal.name, { gpu: '0', type: 'uncorrected' })).toBe(1);
    expect(await valueOf(registry, h.retiredPages.name, { gpu: '0', cause: 'single_bit' })).toBe(3);
    expect(await valueOf(registry, h.retiredPages.name, { gpu: '0', cause: 'double_bit' })).toBe(1);
    expect(await valueOf(registry, h.remappedRows.name, { gpu: '0', cause: 'correctable' })).toBe(2);
    expect(await valueOf(registry, h.remappedRows.name, { gpu: '0', cause: 'uncorrectable' })).toBe(1);
    expect(await valueOf(registry, h.rowRemapStatus.name, { gpu: '0', status: 'pending' })).toBe(1);
    expect(await valueOf(registry, h.rowRemapStatus.name, { gpu: '0', status: 'failed' })).toBe(0);
    expect(await valueOf(registry, h.pcieReplaysTotal.name, { gpu: '0' })).toBe(7);

    // Byte counters grow with time, tx at twice rx as the scenario says.
    const tx1 = (await valueOf(registry, h.pcieBytesTotal.name, { gpu: '0', direction: 'tx' }))!;
    await until('more PCIe bytes', async () => ((await valueOf(registry, h.pcieBytesTotal.name, { gpu: '0', direction: 'tx' })) ?? 0) > tx1 + 1e8);
    const tx = (await valueOf(registry, h.pcieBytesTotal.name, { gpu: '0', direction: 'tx' }))!;
    const rx = (await valueOf(registry, h.pcieBytesTotal.name, { gpu: '0', direction: 'rx' }))!;
    expect(tx / rx).toBeGreaterThan(1.5);
    expect(tx / rx).toBeLessThan(2.5);
    const links = (await series(registry, h.nvlinkBytesTotal.name)).map((x) => [x.labels.gpu, x.labels.link, x.labels.direction]);
    expect(links).toEqual([['0', '0', 'tx'], ['0', '0', 'rx'], ['0', '1', 'tx'], ['0', '1', 'rx']]);
    expect(await valueOf(registry, h.nvlinkBytesTotal.name, { gpu: '0', link: '1', direction: 'tx' })).toBeGreaterThan(0);

    // GPU 1 answers NotSupported for these: no series at all, and the capability series say 0.
    for (const def of [h.eccErrorsTotal, h.pcieBytesTotal, h.pcieReplaysTotal, h.nvlinkBytesTotal, h.remappedRows, h.retiredPages, h.rowRemapStatus]) {
      expect((await series(registry, def.name)).filter((x) => x.labels.gpu === '1'), def.name).toEqual([]);
    }
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '1', field: 'ecc' })).toBe(0);
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '1', field: 'pcie_throughput' })).toBe(0);
    expect(await valueOf(registry, g.fieldSupported.name, { gpu: '0', field: 'ecc' })).toBe(1);
  });

  it('exports busy seconds and memory per executable name, never a pid', async () => {
    useScenario({
      devices: [
        {
          utilization: 80,
          samples: { periodMs: 5, size: 2000 },
          processes: [
            { pid: 'self', name: 'orfeas-backend', utilization: 40, memoryUsedBytes: 2 ** 30 },
            { pid: 4001, name: 'model-server', utilization: 30, memoryUsedBytes: 2 ** 31 },
            { pid: 4002, name: 'model-server', utilization: 10, memoryUsedBytes: 2 ** 29 },
          ],
        },
      ],
    });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, slowIntervalMs: 20, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    const p = catalog.gpuProcess;
    await until('busy seconds by name', () => live.stats().devices[0]!.processBusy.every((b) => b.busySeconds > 0.05) && live.stats().devices[0]!.processBusy.length === 2);
    const busy = await series(registry, p.busySecondsTotal.name);
    expect(busy.map((b) => b.labels.process).sort()).toEqual(['model-server', 'orfeas-backend']);
    const ours = busy.find((b) => b.labels.process === 'orfeas-backend')!.value;
    const theirs = busy.find((b) => b.labels.process === 'model-server')!.value;
    // 30 % + 10 % under one name against our 40 %.
    expect(theirs / ours).toBeGreaterThan(0.9);
    expect(theirs / ours).toBeLessThan(1.1);
    expect(await valueOf(registry, p.memoryBytes.name, { gpu: '0', process: 'model-server' })).toBe(2 ** 31 + 2 ** 29);
    expect(await valueOf(registry, p.memoryBytes.name, { gpu: '0', process: 'orfeas-backend' })).toBe(2 ** 30);
    // No label value is a pid (a sample's value, a timestamp, may hold the same digits by chance).
    const labelValues = [...(await registry.metrics()).matchAll(/="([^"]*)"/g)].map((m) => m[1]);
    expect(labelValues).not.toContain('4001');
    expect(labelValues).not.toContain(String(process.pid));
  });

  it('caps process names at the catalog\'s 32: the rest add up in "other", which only grows, each counted once as an overflow', async () => {
    const processes = Array.from({ length: 40 }, (_, i) => ({ pid: 5000 + i, name: `worker-${String(i).padStart(2, '0')}`, utilization: 2, memoryUsedBytes: 1000 }));
    useScenario({ devices: [{ utilization: 90, samples: { periodMs: 5, size: 4000 }, processes }] });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, slowIntervalMs: 20, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    const p = catalog.gpuProcess;
    await until('every name busy', () => live.stats().devices[0]!.processBusy.filter((b) => b.busySeconds > 0).length === 40);
    let other = 0;
    for (let scrape = 0; scrape < 5; scrape++) {
      const busy = await series(registry, p.busySecondsTotal.name);
      expect(new Set(busy.map((b) => b.labels.process)).size).toBe(33);
      const now = busy.find((b) => b.labels.process === 'other')!.value;
      expect(now).toBeGreaterThanOrEqual(other);
      other = now;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(await valueOf(registry, p.memoryBytes.name, { gpu: '0', process: 'other' })).toBe(8 * 1000);
    // Each of the 8 names left out counted once per metric, however many scrapes saw it.
    expect(await valueOf(registry, catalog.meta.labelOverflowTotal.name, { metric: p.busySecondsTotal.name })).toBe(8);
    expect(await valueOf(registry, catalog.meta.labelOverflowTotal.name, { metric: p.memoryBytes.name })).toBe(8);
  });

  it('keeps a lost GPU\'s health and process counters but none of its gauges', async () => {
    useScenario({
      devices: [
        { utilization: 30 },
        {
          utilization: 70,
          lostAfterMs: 400,
          ecc: { corrected: 2, uncorrected: 0 },
          remappedRows: { correctable: 1, uncorrectable: 0, pending: 0, failed: 0 },
          processes: [{ pid: 'self', name: 'orfeas-backend', utilization: 50, memoryUsedBytes: 2 ** 20 }],
        },
      ],
    });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, slowIntervalMs: 20, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    const h = catalog.gpuHealth;
    const p = catalog.gpuProcess;
    await until('GPU 1 read by the slow loop', () => live.stats().devices[1]!.ecc && live.stats().devices[1]!.processBusy.length > 0);
    expect(await valueOf(registry, h.remappedRows.name, { gpu: '1', cause: 'correctable' })).toBe(1);
    await until('GPU 1 lost', () => live.devices()[1]!.lost);
    expect(await valueOf(registry, h.eccErrorsTotal.name, { gpu: '1', type: 'corrected' })).toBe(2);
    expect(await valueOf(registry, p.busySecondsTotal.name, { gpu: '1', process: 'orfeas-backend' })).toBeGreaterThan(0);
    expect(await valueOf(registry, h.remappedRows.name, { gpu: '1', cause: 'correctable' })).toBeUndefined();
    expect(await valueOf(registry, h.rowRemapStatus.name, { gpu: '1', status: 'pending' })).toBeUndefined();
    expect(await valueOf(registry, p.memoryBytes.name, { gpu: '1', process: 'orfeas-backend' })).toBeUndefined();
  });

  it('lists MIG instances as GPUs of their own, labelled "<parent>/<GPU instance id>" with parent and profile', async () => {
    useScenario({
      devices: [
        {
          name: 'NVIDIA H100 80GB HBM3',
          architecture: 'hopper',
          memoryTotalBytes: 80 * 2 ** 30,
          utilization: 0,
          mig: {
            instances: [
              { gpuInstanceId: 1, profile: '3g.40gb', memoryTotalBytes: 40 * 2 ** 30, memoryUsedBytes: 10 * 2 ** 30, utilization: 60 },
              { gpuInstanceId: 5, profile: '2g.20gb', memoryTotalBytes: 20 * 2 ** 30, memoryUsedBytes: 2 ** 30, utilization: 25 },
            ],
          },
        },
        { name: 'NVIDIA L4', utilization: 10 },
      ],
    });
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 5, slowIntervalMs: 20, required: true });
    const live = sampler;
    const registry = new Registry();
    registerGpuMetrics(registry, live);
    const g = catalog.gpu;
    expect(live.devices().map((d) => d.id).sort()).toEqual(['0', '0/1', '0/5', '1']);
    const info = await series(registry, g.info.name);
    expect(info.map((i) => [i.labels.gpu, i.labels.parent, i.labels.profile]).sort()).toEqual([
      ['0', '', ''],
      ['0/1', '0', '3g.40gb'],
      ['0/5', '0', '2g.20gb'],
      ['1', '', ''],
    ]);
    await until('instance utilization through GPM', async () => (await valueOf(registry, g.utilizationRatio.name, { gpu: '0/1' })) !== undefined);
    expect(await valueOf(registry, g.utilizationRatio.name, { gpu: '0/1' })).toBeCloseTo(0.6, 2);
    expect(await valueOf(registry, g.memoryBytes.name, { gpu: '0/5', type: 'total' })).toBe(20 * 2 ** 30);
    expect(await valueOf(registry, g.up.name, { gpu: '0/5' })).toBe(1);
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;
const ci = process.env.CI === 'true';
if (!promtool && !ci) console.warn('[gpu-sampler tests] promtool check skipped: promtool (Debian package "prometheus") is missing');

describeNative('the GPU families as Prometheus reads them', () => {
  // The shipped scenarios: health events with processes, and a MIG GPU with its instances.
  for (const file of ['health-events.json', 'mig.json']) {
    it.skipIf(!promtool && !ci)(`pass promtool check metrics on ${file}`, async () => {
      expect(promtool, 'promtool is required in CI (Debian package "prometheus")').toBe(true);
      process.env.NVML_SIM_SCENARIO = fileURLToPath(new URL(`../../../crates/nvml-sim/scenarios/${file}`, import.meta.url));
      sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 10, slowIntervalMs: 50, required: true });
      const live = sampler;
      await until('three slow ticks', () => live.stats().slowTicks >= 3);
      const registry = new Registry();
      registerGpuMetrics(registry, live);
      const text = await registry.metrics();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
      expect(text).toMatch(/^gpu_field_supported\{/m);
    });
  }
});
