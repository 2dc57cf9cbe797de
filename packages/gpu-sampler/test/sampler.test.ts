/** The sampler against nvml-sim through the real loading path (addon -> dlopen -> NVML calls). */
import { afterEach, expect, it } from 'vitest';
import { createGpuSampler, nvmlSimLibraryPath, type GpuSampler } from '../src/index.js';
import { consecutive, describeNative, samplerThreadCount, simOriginUs, until, useScenario } from './support/sim.js';

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
    // The driver keeps seconds of samples (here 10 s): a sampling thread delayed on a loaded
    // machine reads them late but loses none.
    const samples = { periodMs: 5, size: 2000 };
    const throttle = (t: number) => (t % 600 < 300 ? 1 : 0); // hw_slowdown: on for the first 300 ms of every 600
    useScenario({
      devices: [
        { utilization: { sine: util }, powerWatts: 250, throttle: { hw_slowdown: { steps: [{ atMs: 0, value: 1 }, { atMs: 300, value: 0 }], everyMs: 600 } }, samples },
        { utilization: { sine: util }, powerWatts: 120, unsupported: ['energy'], samples },
      ],
    });
    const s = start(2, 20_000);
    // 1.2 s of utilization and power samples (5 ms apart) on both GPUs.
    await until('1.2 s of driver samples', () => s.stats().devices.every((d) => d.driverSamplesKept >= 480));
    const originMs = simOriginUs() / 1000;
    s.stop();
    const stoppedMs = Date.now();
    const { driver, readings, missed } = s.samples(0);
    expect(missed).toBe(false);
    const stats = s.stats().devices;
    for (const gpu of [0, 1]) {
      // Each utilization sample is the mean over the period before it: busy seconds are exactly
      // ∫ utilization from the first sample's time to the last one's.
      const ts = consecutive(driver, gpu, 'utilization', 5000).map((t) => t / 1000 - originMs);
      const busy = sineIntegral(util.mean, util.amplitude, util.periodMs, ts[0]!, ts.at(-1)!) / 100 / 1000;
      expect(Math.abs(stats[gpu]!.busySeconds - busy)).toBeLessThan(0.01 * busy);
    }
    // GPU 0: the energy counter's increase between the first and the last reading, within 1%
    // of ∫ 250 W between the times the counter was read: right after each reading's time was
    // taken, before the next reading (or stop()) began.
    const own = readings.filter((r) => r.gpu === 0);
    const [first, last] = [own[0]!, own.at(-1)!];
    expect(stats[0]!.energySource).toBe('counter');
    expect(stats[0]!.energyJoules).toBeCloseTo(last.energyCounterJoules! - first.energyCounterJoules!, 6);
    expect(stats[0]!.energyJoules).toBeGreaterThan(0.99 * 250 * ((last.timeMs - own[1]!.timeMs) / 1000));
    expect(stats[0]!.energyJoules).toBeLessThan(1.01 * 250 * ((stoppedMs - first.timeMs) / 1000));
    // GPU 1, no counter: the power samples' integral.
    const power = consecutive(driver, 1, 'power', 5000);
    expect(stats[1]!.energySource).toBe('power_samples');
    expect(stats[1]!.energyJoules).toBeCloseTo((120 * (power.at(-1)! - power[0]!)) / 1e6, 6);
    // Throttle seconds hold each read state until the next read: the scenario's state at each
    // reading's time, held until the next reading.
    let held = 0;
    for (let i = 1; i < own.length; i++) held += (throttle(own[i - 1]!.timeMs - originMs) * (own[i]!.timeMs - own[i - 1]!.timeMs)) / 1000;
    const measured = stats[0]!.throttleSeconds.find((t) => t.reason === 'hw_slowdown')!.seconds;
    expect(Math.abs(measured - held)).toBeLessThan(0.01 * held);
  });

  it('hands out every driver sample exactly once', async () => {
    // Driver buffers of seconds and a ring of 20 s of readings: a loaded machine delays the
    // sampler and this reader without losing anything.
    const samples = { size: 5000 };
    useScenario({ devices: [{ utilization: 40, samples: { periodMs: 3, ...samples } }, { powerWatts: 70, samples: { periodMs: 7, ...samples } }] });
    const s = start(1, 20_000);
    let cursor = 0;
    const seen: { gpu: number; kind: string; timestampUs: number }[] = [];
    await until('200 driver samples of GPU 1 read through the cursor', async () => {
      await new Promise((r) => setTimeout(r, 20));
      const batch = s.samples(cursor);
      expect(batch.missed).toBe(false);
      cursor = batch.cursor;
      seen.push(...batch.driver);
      return seen.filter((d) => d.gpu === 1).length >= 200;
    });
    const origin = simOriginUs();
    for (const [gpu, periodUs] of [[0, 3000], [1, 7000]] as const) {
      for (const kind of ['utilization', 'power']) {
        // Consecutive samples of the scenario, none missing, none twice, each at its time.
        const ts = consecutive(seen, gpu, kind, periodUs);
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

  it('leaves no thread behind after 100 start/stop cycles', async () => {
    useScenario({ devices: [{ utilization: 10 }, { utilization: 20 }] });
    const before = samplerThreadCount();
    // A joined thread leaves /proc/self/task a moment after join returns (longer on a loaded
    // machine): wait for the count rather than reading it once.
    const threads = (n: number) => until(`${n} sampling threads (now ${samplerThreadCount()})`, () => samplerThreadCount() === n);
    for (let i = 0; i < 100; i++) {
      const s = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 1, ringSize: 16, required: true });
      await threads(before + 1);
      s.stop();
    }
    await threads(before);
  });
});
