/**
 * The cost meter against nvml-sim through the real addon: a job's busy seconds and joules
 * from the sampler's integrals over its window, its own processes' share where the driver
 * reports per-process use, time share between overlapping jobs, time share where it does not.
 */
import { afterEach, expect, it } from 'vitest';
import { createGpuCostMeter, createGpuSampler, nvmlSimLibraryPath, type GpuCost, type GpuSampler } from '../src/index.js';
import { describeNative, until, useScenario } from './support/sim.js';

let sampler: GpuSampler | undefined;
afterEach(() => sampler?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Driver samples every 5 ms, kept for 10 s: nothing is lost between the slow loop's reads. */
const samples = { periodMs: 5, size: 2000 };

async function start(devices: object[]): Promise<GpuSampler> {
  useScenario({ devices });
  sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 10, slowIntervalMs: 100, required: true });
  const s = sampler;
  // The window starts once every quantity is being integrated, per-process use included (the
  // slow loop's reads; a window from the very start is the test below).
  await until('the slow loop', () => s.stats().slowTicks >= 3);
  return s;
}

/** Runs a job of `ms`, returning its cost and the window actually slept, s. */
async function job(meter: ReturnType<typeof createGpuCostMeter>, ms: number): Promise<{ cost: GpuCost; seconds: number }> {
  const t0 = Date.now();
  const j = meter.startJob();
  await sleep(ms);
  const ended = j.end();
  const seconds = (Date.now() - t0) / 1000;
  return { cost: (await ended)!, seconds };
}

const within = (value: number, expected: number, ratio: number) =>
  expect(Math.abs(value - expected) / expected, `${value} against ${expected}: more than ${ratio * 100} % off`).toBeLessThan(ratio);

describeNative('createGpuCostMeter against nvml-sim', () => {
  it('charges a job alone on a GPU at 60 % for 2 s 1.2 busy-seconds', async () => {
    const s = await start([{ utilization: 60, powerWatts: 200, samples, processes: [{ pid: 'self', name: 'orfeas-test', utilization: 60 }] }]);
    const meter = createGpuCostMeter(s);
    const { cost, seconds } = await job(meter, 2_000);
    expect(cost.attribution).toBe('process');
    expect(cost).not.toHaveProperty('coveredToMs');
    expect(cost.devices.map((d) => d.gpu)).toEqual(['0']);
    within(cost.busySeconds, 0.6 * seconds, 0.02);
    within(cost.busySeconds, 1.2, 0.02);
    // All of the GPU's use was ours: all of its energy.
    within(cost.energyJoules, 200 * seconds, 0.02);
  });

  it('charges only the job\'s own processes when a stranger shares the GPU', async () => {
    const s = await start([
      {
        utilization: 70,
        powerWatts: 210,
        samples,
        processes: [
          { pid: 'self', name: 'orfeas-test', utilization: 40 },
          { pid: 7777, name: 'stranger', utilization: 30 },
        ],
      },
    ]);
    const meter = createGpuCostMeter(s);
    const { cost, seconds } = await job(meter, 1_500);
    expect(cost.attribution).toBe('process');
    within(cost.busySeconds, 0.4 * seconds, 0.03);
    // Energy in proportion: 40 of the 70 busy percent.
    within(cost.energyJoules, 210 * seconds * (40 / 70), 0.03);
  });

  it('counts the GPU use of the model servers named', async () => {
    const s = await start([{ utilization: 50, samples, processes: [{ pid: 8888, name: 'hunyuan3d', utilization: 50 }] }]);
    const alone = await job(createGpuCostMeter(s), 500);
    // Only this process counts by default, and it did not use the GPU: no device is charged.
    expect(alone.cost).toMatchObject({ devices: [], busySeconds: 0, attribution: 'process' });
    const { cost, seconds } = await job(createGpuCostMeter(s, { names: ['hunyuan3d'] }), 1_000);
    within(cost.busySeconds, 0.5 * seconds, 0.03);
  });

  it('splits two overlapping jobs by time share', async () => {
    const s = await start([{ utilization: 60, powerWatts: 100, samples, unsupported: ['processUtilization'] }]);
    const meter = createGpuCostMeter(s);
    const tA = Date.now();
    const a = meter.startJob();
    await sleep(700);
    const tB = Date.now();
    const b = meter.startJob();
    await sleep(700);
    const tAEnd = Date.now();
    const aCost = a.end();
    await sleep(700);
    const tBEnd = Date.now();
    const bCost = b.end();
    const [ac, bc] = [(await aCost)!, (await bCost)!];
    expect([ac.attribution, bc.attribution]).toEqual(['time_share', 'time_share']);
    within(ac.busySeconds, 0.6 * ((tB - tA) / 1000 + (tAEnd - tB) / 2000), 0.03);
    within(bc.busySeconds, 0.6 * ((tAEnd - tB) / 2000 + (tBEnd - tAEnd) / 1000), 0.03);
    // Between them, the GPU's busy seconds once.
    within(ac.busySeconds + bc.busySeconds, 0.6 * ((tBEnd - tA) / 1000), 0.02);
    within(ac.energyJoules + bc.energyJoules, 100 * ((tBEnd - tA) / 1000), 0.02);
  });

  it('falls back to time share on a GPU that does not report per-process use', async () => {
    const s = await start([
      { utilization: 60, samples, processes: [{ pid: 'self', name: 'orfeas-test', utilization: 60 }] },
      { utilization: 50, powerWatts: 150, samples, unsupported: ['processUtilization'], processes: [{ pid: 'self', name: 'orfeas-test', utilization: 50 }] },
    ]);
    const meter = createGpuCostMeter(s);
    const { cost, seconds } = await job(meter, 1_000);
    expect(cost.attribution).toBe('time_share');
    const [gpu0, gpu1] = cost.devices;
    expect(gpu0).toMatchObject({ gpu: '0', attribution: 'process' });
    expect(gpu1).toMatchObject({ gpu: '1', attribution: 'time_share' });
    within(gpu1!.busySeconds, 0.5 * seconds, 0.03);
    within(gpu1!.energyJoules, 150 * seconds, 0.03);
    expect(s.devices()[1]!.fields).toContainEqual({ field: 'process_utilization', supported: false });
  });

  it('charges a job that starts with the sampler its whole window, not only what follows the first process read', async () => {
    useScenario({ devices: [{ utilization: 70, samples: { periodMs: 10, size: 2000 }, processes: [{ pid: 'self', name: 'orfeas-test', utilization: 60 }] }] });
    // The default slow interval (1 s): the job's window opens before the slow loop's second read.
    sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 10, required: true });
    const { cost, seconds } = await job(createGpuCostMeter(sampler), 800);
    expect(cost.attribution).toBe('process');
    within(cost.busySeconds, 0.6 * seconds, 0.05);
  });

  it('measures each stage inside its job', async () => {
    const s = await start([{ utilization: { steps: [{ atMs: 0, value: 20 }] }, samples, unsupported: ['processUtilization'] }]);
    const meter = createGpuCostMeter(s);
    const j = meter.startJob();
    const t0 = Date.now();
    const stage = j.startStage();
    await sleep(600);
    const stageCost = stage.end();
    const stageSeconds = (Date.now() - t0) / 1000;
    await sleep(300);
    const jobCost = (await j.end())!;
    within((await stageCost)!.busySeconds, 0.2 * stageSeconds, 0.03);
    expect(jobCost.busySeconds).toBeGreaterThan((await stageCost)!.busySeconds);
  });
});
