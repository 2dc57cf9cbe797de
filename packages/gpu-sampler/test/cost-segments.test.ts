/**
 * The cost meter's arithmetic against a fake sampler whose integrals are known rates: time
 * share between overlapping jobs, process attribution, which devices count, waiting for the
 * sampler to cover a window, and no cost without a sampler.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { GpuDevice, GpuIntegrals, GpuSamplerStats } from '../addon.js';
import { JobTimeline } from '../src/cost/timeline.js';
import { createGpuCostMeter, type CostSampler, type GpuCost } from '../src/index.js';

const T0 = 1_700_000_000_000;

interface FakeDevice {
  id: string;
  /** Busy seconds per second, watts, and our processes' busy seconds per second (undefined: not read). */
  busy: number;
  watts: number;
  attributed?: number;
  lostAtMs?: number;
}

/** A sampler whose integrals grow at fixed rates, covered up to `lagMs` before now (or `stuckAtMs`). */
function fakeSampler(devices: FakeDevice[], coverage: { lagMs: number; stuckAtMs?: number } = { lagMs: 30 }) {
  const covered = () => coverage.stuckAtMs ?? Date.now() - coverage.lagMs;
  const sampler = {
    available: true,
    setAttribution: vi.fn(),
    stats: () => ({ intervalMs: 10, slowIntervalMs: 100 }) as GpuSamplerStats,
    devices: () => devices.map((d) => ({ id: d.id, lost: d.lostAtMs !== undefined, ...(d.lostAtMs !== undefined ? { lostAtMs: d.lostAtMs } : {}) }) as GpuDevice),
    integrals: (fromMs: number, toMs: number): GpuIntegrals => ({
      devices: devices.map((d, gpu) => {
        const end = Math.min(toMs, covered(), d.lostAtMs ?? Infinity);
        const s = Math.max(0, end - fromMs) / 1000;
        return {
          gpu,
          id: d.id,
          busySeconds: d.busy * s,
          energyJoules: d.watts * s,
          ...(d.attributed !== undefined ? { attributedBusySeconds: d.attributed * s } : {}),
          coveredToMs: d.lostAtMs ?? covered(),
        };
      }),
    }),
  };
  return sampler satisfies CostSampler;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'performance'] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const at = (ms: number) => vi.setSystemTime(T0 + ms);
/** Resolves an end() while the fake clock moves on, as the sampler's coverage does. */
async function settled(cost: Promise<GpuCost | undefined>): Promise<GpuCost> {
  await vi.advanceTimersByTimeAsync(1_000);
  const c = await cost;
  if (!c) throw new Error('no cost');
  return c;
}
const device = (cost: GpuCost, gpu: string) => cost.devices.find((d) => d.gpu === gpu);

it('splits overlapping jobs by time share, segment by segment, and attributes by process where the driver reads it', async () => {
  const sampler = fakeSampler([
    { id: '0', busy: 0.5, watts: 100, attributed: 0.2 },
    { id: '1', busy: 0.8, watts: 200 },
  ]);
  const meter = createGpuCostMeter(sampler);
  expect(sampler.setAttribution).toHaveBeenCalledWith({ pids: [process.pid], names: [] });

  const a = meter.startJob(); // alone from 0 to 1 s, with b from 1 s to 2 s
  at(1_000);
  const b = meter.startJob();
  const stage = b.startStage();
  at(2_000);
  const aCost = a.end();
  at(2_500);
  const stageCost = stage.end();
  at(3_000);
  const bCost = b.end();
  const [ac, sc, bc] = [await settled(aCost), await settled(stageCost), await settled(bCost)];

  // GPU 1 (no per-process use): 1 s alone at 0.8 + 1 s shared by two.
  expect(device(ac, '1')).toEqual({ gpu: '1', attribution: 'time_share', busySeconds: expect.closeTo(0.8 + 0.4, 9), energyJoules: expect.closeTo(200 + 100, 9) });
  // GPU 0: our processes' 0.2 of its 0.5, the energy in that proportion (0.4 of 100 W).
  expect(device(ac, '0')).toEqual({ gpu: '0', attribution: 'process', busySeconds: expect.closeTo(0.2 + 0.1, 9), energyJoules: expect.closeTo(40 + 20, 9) });
  expect(ac.attribution).toBe('time_share');
  expect(ac.busySeconds).toBeCloseTo(1.5, 9);
  expect(ac.energyJoules).toBeCloseTo(360, 9);
  expect(ac).not.toHaveProperty('coveredToMs');

  expect(device(bc, '1')!.busySeconds).toBeCloseTo(0.4 + 0.8, 9);
  expect(device(bc, '0')!.energyJoules).toBeCloseTo(20 + 40, 9);
  // The stage: 1 s shared, then 0.5 s alone.
  expect(device(sc, '1')!.busySeconds).toBeCloseTo(0.4 + 0.4, 9);
  expect(device(sc, '0')!.busySeconds).toBeCloseTo(0.1 + 0.1, 9);
  // Time share hands out the device's busy seconds exactly once: 3 s at 0.8.
  expect(device(ac, '1')!.busySeconds + device(bc, '1')!.busySeconds).toBeCloseTo(2.4, 9);
});

it('is process-attributed only when every device counted is, leaving out devices our processes did not use', async () => {
  const meter = createGpuCostMeter(
    fakeSampler([
      { id: '0', busy: 0.5, watts: 100, attributed: 0.25 },
      { id: '0/3', busy: 0.9, watts: 0, attributed: 0 },
    ]),
    { pids: [4242], names: ['model-server'] },
  );
  const job = meter.startJob();
  at(2_000);
  const cost = await settled(job.end());
  expect(cost).toEqual({
    devices: [{ gpu: '0', attribution: 'process', busySeconds: expect.closeTo(0.5, 9), energyJoules: expect.closeTo(100, 9) }],
    busySeconds: expect.closeTo(0.5, 9),
    energyJoules: expect.closeTo(100, 9),
    attribution: 'process',
  });
});

it('leaves out a device lost before the window and counts one lost in it up to then, without waiting for it', async () => {
  const meter = createGpuCostMeter(
    fakeSampler([
      { id: '0', busy: 1, watts: 100 },
      { id: '1', busy: 1, watts: 100, lostAtMs: T0 - 1 },
      { id: '2', busy: 1, watts: 100, lostAtMs: T0 + 500 },
    ]),
  );
  const job = meter.startJob();
  at(1_000);
  const cost = await settled(job.end());
  expect(cost.devices.map((d) => [d.gpu, d.busySeconds])).toEqual([['0', 1], ['2', 0.5]]);
  expect(cost).not.toHaveProperty('coveredToMs');
});

it('waits for the sampler to cover the window at most settleMs, then counts what is covered and says how far', async () => {
  const sampler = fakeSampler([{ id: '0', busy: 1, watts: 100 }], { lagMs: 0, stuckAtMs: T0 + 600 });
  const meter = createGpuCostMeter(sampler);
  // The default: 2 slow intervals + 2 sampling intervals + 250 ms.
  expect(meter.settleMs).toBe(2 * 100 + 2 * 10 + 250);
  const job = meter.startJob();
  at(1_000);
  let cost: GpuCost | undefined;
  void job.end().then((c) => (cost = c));
  await vi.advanceTimersByTimeAsync(meter.settleMs - 50);
  expect(cost).toBeUndefined();
  await vi.advanceTimersByTimeAsync(100);
  expect(cost).toMatchObject({ busySeconds: 0.6, coveredToMs: T0 + 600 });
});

it('resolves as soon as the window is covered, and the same cost for a second end()', async () => {
  const meter = createGpuCostMeter(fakeSampler([{ id: '0', busy: 1, watts: 100 }], { lagMs: 40 }), { settleMs: 10_000 });
  const job = meter.startJob();
  at(1_000);
  const first = job.end();
  let done = false;
  void first.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(60);
  expect(done).toBe(true);
  expect(job.end()).toBe(first);
  expect((await first)!.busySeconds).toBe(1);
});

it('measures nothing without a sampler: end() resolves undefined at once', async () => {
  const sampler = { ...fakeSampler([]), available: false };
  const meter = createGpuCostMeter(sampler);
  expect(meter.available).toBe(false);
  const job = meter.startJob();
  expect(await job.startStage().end()).toBeUndefined();
  expect(await job.end()).toBeUndefined();
});

it('refuses a settleMs that is not a duration', () => {
  expect(() => createGpuCostMeter(fakeSampler([]), { settleMs: -1 })).toThrow(/settleMs must be a number of ms >= 0, got -1/);
});

it('counts a job that starts as another ends as running alone, and keeps the count across pruning', () => {
  const timeline = new JobTimeline();
  timeline.step(1); // a: 0..1000
  at(1_000);
  timeline.step(-1);
  timeline.step(1); // b: from 1000, at the same ms a ended
  at(2_000);
  expect(timeline.segments(T0 + 500, T0 + 2_000)).toEqual([
    { fromMs: T0 + 500, toMs: T0 + 1_000, jobs: 1 },
    { fromMs: T0 + 1_000, toMs: T0 + 2_000, jobs: 1 },
  ]);
  timeline.step(1); // c: from 2000
  timeline.prune(T0 + 1_000);
  at(3_000);
  expect(timeline.segments(T0 + 1_000, T0 + 3_000)).toEqual([
    { fromMs: T0 + 1_000, toMs: T0 + 2_000, jobs: 1 },
    { fromMs: T0 + 2_000, toMs: T0 + 3_000, jobs: 2 },
  ]);
  // Nothing open: only the count now is kept.
  timeline.prune(Infinity);
  expect(timeline.segments(T0 + 3_000, T0 + 4_000)).toEqual([{ fromMs: T0 + 3_000, toMs: T0 + 4_000, jobs: 2 }]);
});

it('forgets a stage cut short with its job: later jobs are still split by the jobs running', async () => {
  const meter = createGpuCostMeter(fakeSampler([{ id: '0', busy: 1, watts: 0 }]));
  const a = meter.startJob();
  a.startStage(); // never ended: the job was stopped mid-stage
  at(1_000);
  await settled(a.end());
  at(2_000);
  const b = meter.startJob();
  const c = meter.startJob();
  at(3_000);
  const [bCost, cCost] = [b.end(), c.end()];
  expect((await settled(bCost)).busySeconds).toBeCloseTo(0.5, 9);
  expect((await settled(cCost)).busySeconds).toBeCloseTo(0.5, 9);
});
