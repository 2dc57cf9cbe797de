/** The sampler against nvml-sim through the real loading path (addon -> dlopen -> NVML calls). */
import { afterEach, expect, it } from 'vitest';
import { createGpuSampler, nvmlSimLibraryPath, type GpuSampler } from '../src/index.js';
import { describeNative, simOriginUs, threadCount, until, useScenario } from './support/sim.js';

let sampler: GpuSampler | undefined;
afterEach(() => sampler?.stop());

function start(intervalMs: number, ringSize = 1000): GpuSampler {
  sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs, ringSize, required: true });
  return sampler;
}

/** ∫ of mean + amplitude·sin(2πt/period) from a to b (ms), in value·ms. */
function sineIntegral(mean: number, amplitude: number, periodMs: number, a: number, b: number): number {
  const w = (2 * Math.PI) / periodMs;
  return mean * (b - a) + (amplitude / w) * (Math.cos(w * a) - Math.cos(w * b));
}

describeNative('createGpuSampler against nvml-sim', () => {
  it('reads what the scenario sets', async () => {
    useScenario({
      devices: [
        {
          name: 'Alert GPU', uuid: 'GPU-alert', memoryTotalBytes: 16 * 2 ** 30, memoryReservedBytes: 2 ** 30,
          utilization: 98, memoryUtilization: 40, memoryUsedBytes: 8 * 2 ** 30, temperature: 90, powerWatts: 250,
          powerLimitWatts: 300, clocksMhz: { sm: 1500, memory: 5000, graphics: 1400, video: 1200 },
          fans: [60], performanceState: 2, throttle: { sw_thermal_slowdown: 1 },
        },
        { name: 'Idle GPU', utilization: 0, temperature: 35 },
      ],
    });
    const s = start(5);
    expect(s.available).toBe(true);
    expect(s.devices().map((d) => [d.index, d.name, d.lost])).toEqual([[0, 'Alert GPU', false], [1, 'Idle GPU', false]]);
    const [hot, idle] = await until('two readings', () => (s.latest().length === 2 ? s.latest() : undefined));
    expect(hot).toMatchObject({
      gpu: 0, utilizationRatio: 0.98, memoryUtilizationRatio: 0.4, temperatureCelsius: 90, powerWatts: 250, powerLimitWatts: 300,
      memoryBytes: { total: 16 * 2 ** 30, used: 8 * 2 ** 30, reserved: 2 ** 30, free: 7 * 2 ** 30 },
      clocksHz: { sm: 1.5e9, memory: 5e9, graphics: 1.4e9, video: 1.2e9 },
      throttleReasons: ['sw_thermal_slowdown'], fanSpeedRatios: [0.6], performanceState: 2,
    });
    expect(idle).toMatchObject({ gpu: 1, utilizationRatio: 0, temperatureCelsius: 35, fanSpeedRatios: [] });
    await until('10 readings', () => s.stats().devices[0]!.samplesTotal >= 10);
    const window = s.window(60_000)[0]!;
    expect(window.temperatureCelsius).toMatchObject({ min: 90, max: 90, mean: 90 });
    expect(window.count).toBeGreaterThanOrEqual(10);
    expect(s.stats()).toMatchObject({ running: true, intervalMs: 5, driverVersion: '550.54.15' });
  });

  it('integrates utilization, energy and throttling as the scenario does', async () => {
    const util = { mean: 50, amplitude: 40, periodMs: 500 };
    useScenario({
      devices: [
        { utilization: { sine: util }, powerWatts: 250, throttle: { hw_slowdown: { steps: [{ atMs: 0, value: 1 }, { atMs: 300, value: 0 }], everyMs: 600 } }, samples: { periodMs: 5, size: 100 } },
        { utilization: { sine: util }, powerWatts: 120, unsupported: ['energy'], samples: { periodMs: 5, size: 100 } },
      ],
    });
    const s = start(2, 5000);
    await until('1.2 s of samples', () => s.stats().devices[0]!.samplesTotal >= 400 && s.stats().devices[0]!.busySeconds > 0.6, 20_000);
    const origin = simOriginUs();
    s.stop();
    const { driver, readings } = s.samples(0);
    const stats = s.stats().devices;
    for (const gpu of [0, 1]) {
      const ts = driver.filter((d) => d.gpu === gpu && d.kind === 'utilization').map((d) => (d.timestampUs - origin) / 1000);
      const busy = sineIntegral(util.mean, util.amplitude, util.periodMs, ts[0]!, ts.at(-1)!) / 100 / 1000;
      expect(Math.abs(stats[gpu]!.busySeconds - busy)).toBeLessThan(0.01 * busy);
    }
    const own = readings.filter((r) => r.gpu === 0).map((r) => r.timeMs - origin / 1000);
    const span = (own.at(-1)! - own[0]!) / 1000;
    expect(stats[0]!.energySource).toBe('counter');
    expect(Math.abs(stats[0]!.energyJoules - 250 * span)).toBeLessThan(0.01 * 250 * span);
    const power = driver.filter((d) => d.gpu === 1 && d.kind === 'power').map((d) => d.timestampUs / 1e6);
    expect(stats[1]!.energySource).toBe('power_samples');
    expect(stats[1]!.energyJoules).toBeCloseTo(120 * (power.at(-1)! - power[0]!), 6);
    // hw_slowdown is on for the first 300 ms of every 600 ms.
    const throttled = Math.floor(own.at(-1)! / 600) * 0.3 + Math.min(own.at(-1)! % 600, 300) / 1000 -
      (Math.floor(own[0]! / 600) * 0.3 + Math.min(own[0]! % 600, 300) / 1000);
    const measured = stats[0]!.throttleSeconds.find((t) => t.reason === 'hw_slowdown')!.seconds;
    expect(Math.abs(measured - throttled)).toBeLessThan(0.01 * throttled);
  });

  it('hands out every driver sample exactly once', async () => {
    useScenario({ devices: [{ utilization: 40, samples: { periodMs: 3, size: 50 } }, { powerWatts: 70, samples: { periodMs: 7, size: 50 } }] });
    const s = start(1, 200);
    let cursor = 0;
    const seen: { gpu: number; kind: string; timestampUs: number }[] = [];
    let origin = 0;
    while (seen.filter((d) => d.gpu === 1).length < 200) {
      await new Promise((r) => setTimeout(r, 20));
      const batch = s.samples(cursor);
      expect(batch.missed).toBe(false);
      cursor = batch.cursor;
      seen.push(...batch.driver);
      origin ||= simOriginUs();
    }
    for (const [gpu, periodUs] of [[0, 3000], [1, 7000]] as const) {
      for (const kind of ['utilization', 'power']) {
        const ts = seen.filter((d) => d.gpu === gpu && d.kind === kind).map((d) => d.timestampUs);
        // Consecutive samples of the scenario, none missing, none twice.
        expect(ts.slice(1).map((t, i) => t - ts[i]!)).toEqual(ts.slice(1).map(() => periodUs));
        expect((ts[0]! - origin) % periodUs).toBe(0);
      }
    }
  });

  it('stops promptly, even in the middle of a long interval', () => {
    useScenario({ devices: [{ utilization: 10 }] });
    const s = start(60_000);
    s.stop();
    expect(s.stats().running).toBe(false);
    s.stop();
  });

  it('leaves no thread behind after 100 start/stop cycles', () => {
    useScenario({ devices: [{ utilization: 10 }, { utilization: 20 }] });
    const before = threadCount();
    for (let i = 0; i < 100; i++) {
      const s = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 1, ringSize: 16, required: true });
      expect(threadCount()).toBe(before + 1);
      s.stop();
    }
    expect(threadCount()).toBe(before);
  });
});
