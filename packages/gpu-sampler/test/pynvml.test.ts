/**
 * nvml-sim checked by a client nobody here wrote: NVIDIA's Python binding (nvidia-ml-py)
 * loads libnvml_sim.so and reads the values the scenario sets (pynvml-reads.py prints them).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { nvmlSimLibraryPath } from '../src/index.js';
import { describeNative } from './support/sim.js';

const python = process.env.PYTHON ?? 'python3';
const probe = spawnSync(python, ['-c', 'import pynvml'], { encoding: 'utf8' });
const missing = probe.error || probe.status !== 0 ? `${python} with pynvml (pip install nvidia-ml-py)` : undefined;
const ci = process.env.CI === 'true';
if (missing && !ci) console.warn(`[gpu-sampler tests] pynvml check skipped: ${missing} is missing`);

/** What pynvml-reads.py read from nvml-sim running this scenario. */
function readWithPynvml(scenario: object) {
  expect(missing, `${missing} is missing`).toBeUndefined();
  const script = fileURLToPath(new URL('./pynvml-reads.py', import.meta.url));
  const run = spawnSync(python, [script, nvmlSimLibraryPath()], {
    env: { ...process.env, NVML_SIM_SCENARIO: JSON.stringify(scenario) },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

const NOT_AVAILABLE = 0xffff_ffff;
const GIB = 2 ** 30;

describeNative('nvml-sim through pynvml', () => {
  it.skipIf(missing !== undefined && !ci)('reads the values the scenario sets', () => {
    const scenario = {
      driverVersion: '555.42.06',
      nvmlVersion: '12.555.42.06',
      devices: [
        {
          name: 'Alert GPU', uuid: 'GPU-alert-0', memoryTotalBytes: 16 * 2 ** 30, memoryReservedBytes: 2 ** 30, memoryUsedBytes: 4 * 2 ** 30,
          utilization: 98, memoryUtilization: 40, temperature: 90, powerWatts: 250, powerLimitWatts: 300,
          clocksMhz: { graphics: 1400, sm: 1500, memory: 5000, video: 1200 }, fans: [60, 35], performanceState: 2,
          throttle: { sw_power_cap: 1, hw_thermal_slowdown: 1 }, samples: { periodMs: 2, size: 30 },
        },
        { name: 'Quiet GPU', utilization: 5, unsupported: ['fans'], samples: { periodMs: 2, size: 30 } },
      ],
    };
    const read = readWithPynvml(scenario);
    expect(read).toMatchObject({ driverVersion: '555.42.06', nvmlVersion: '12.555.42.06' });
    const [hot, quiet] = read.devices;
    expect(hot).toMatchObject({
      name: 'Alert GPU', uuid: 'GPU-alert-0', utilization: [98, 40],
      // v1 counts reserved memory as used, as the driver does; v2 reports it apart.
      memory: [16 * 2 ** 30, 5 * 2 ** 30, 11 * 2 ** 30], memoryV2: [16 * 2 ** 30, 2 ** 30, 4 * 2 ** 30, 11 * 2 ** 30],
      temperature: 90, powerMilliwatts: 250_000, powerLimitMilliwatts: 300_000,
      clocksMhz: [1400, 1500, 5000, 1200], clocksEventReasons: 0x4 | 0x40, fans: [60, 35], performanceState: 2,
      sampleValueType: 1, utilizationSampleSteps: [2000], powerSamples: [250_000],
    });
    // The driver buffer holds the newest 30; asking after a timestamp gives only newer ones.
    expect(hot.samplesBefore).toBe(30);
    expect(hot.utilizationSamples.every((v: number) => v === 98)).toBe(true);
    expect(hot.newerThanMiddle).toBeGreaterThanOrEqual(14);
    // ~100 ms at 250 W since nvmlInit.
    expect(hot.energyMillijoules).toBeGreaterThan(20_000);
    expect(quiet).toMatchObject({ name: 'Quiet GPU', utilization: [5, 0], fans: 'not supported' });
  });

  it.skipIf(missing !== undefined && !ci)('reads processes, health counters, XID events and MIG instances', () => {
    const at20 = { steps: [{ atMs: 0, value: 0 }, { atMs: 20, value: 1 }] };
    const read = readWithPynvml({
      devices: [
        {
          name: 'Health GPU', architecture: 'ampere', samples: { periodMs: 5, size: 50 },
          processes: [
            { pid: 'self', utilization: 40, memoryUsedBytes: GIB },
            { pid: 4242, name: 'python3', utilization: 30, memoryUsedBytes: GIB / 2 },
            { pid: 5151, name: 'blender', type: 'graphics', utilization: 0, memoryUsedBytes: 1024 },
          ],
          xidEvents: [{ atMs: 50, xid: 48 }],
          ecc: { corrected: 7, uncorrected: at20 },
          remappedRows: { correctable: 2, uncorrectable: 1, pending: 1, failed: 0 },
          pcie: { txBytesPerSecond: 2_048_000, rxBytesPerSecond: 1_024_000, replays: 3, throughputLatencyMs: 5 },
          nvlink: [{ txBytesPerSecond: 1_024_000, rxBytesPerSecond: 2_048_000 }, {}],
        },
        { name: 'Old GPU', architecture: 'volta', ecc: { corrected: 12 }, retiredPages: { singleBit: 2, doubleBit: 1 }, xidEvents: [{ atMs: 30, xid: 79 }] },
        {
          name: 'H100', architecture: 'hopper', utilization: 50, memoryTotalBytes: 80 * GIB,
          processes: [{ pid: 'self', gpuInstanceId: 1 }],
          mig: {
            instances: [
              { gpuInstanceId: 1, profile: '3g.40gb', memoryTotalBytes: 40 * GIB, memoryUsedBytes: 10 * GIB, utilization: 70 },
              { gpuInstanceId: 5, profile: '2g.20gb', memoryTotalBytes: 20 * GIB, utilization: 40 },
              { gpuInstanceId: 13, computeInstanceId: 1, profile: '1g.10gb', memoryTotalBytes: 10 * GIB, utilization: 20 },
            ],
          },
        },
      ],
    });
    const self = String(read.selfPid);
    const [health, old, h100] = read.devices;
    // Each XID once, in time order across the GPUs the set registered.
    expect(read.xidEvents).toEqual([{ gpu: 1, xid: 79, eventType: 8 }, { gpu: 0, xid: 48, eventType: 8 }]);

    expect(health).toMatchObject({
      index: 0, architecture: 7, mig: { mode: 'not supported' },
      processes: {
        compute: [[read.selfPid, GIB, NOT_AVAILABLE, NOT_AVAILABLE], [4242, GIB / 2, NOT_AVAILABLE, NOT_AVAILABLE]],
        graphics: [[5151, 1024, NOT_AVAILABLE, NOT_AVAILABLE]],
        names: { [self]: read.selfComm, 4242: 'python3', 5151: 'blender' },
      },
      // One sample per process and period, only for processes that used the SMs.
      processUtilization: { smUtil: { [self]: [40], 4242: [30] }, steps: [5000], otherUtil: [0] },
      ecc: [7, 1, 7, 1], remappedRows: [2, 1, 1, 0], retiredPages: 'not supported',
      pcie: [2000, 1000, 3], nvlinkStates: [1, 1, 'not supported'],
    });
    expect(Object.keys(health.processUtilization.smUtil)).not.toContain('5151');
    // NVLink KiB since nvmlInit, exact at the field's timestamp: 1 000 KiB/s on link 0's TX.
    const kib = (rate: number, field: { timestamp: number }) => Math.floor((rate * ((field.timestamp - read.simStartUs) / 1000)) / 1000 / 1024);
    const [tx0, rx0, tx1, links] = health.nvlinkFields;
    expect([tx0, rx0, tx1].map((f) => [f.return, f.valueType])).toEqual([[0, 3], [0, 3], [0, 3]]);
    expect([tx0.value, rx0.value, tx1.value]).toEqual([kib(1_024_000, tx0), kib(2_048_000, rx0), 0]);
    expect(tx0.value).toBeGreaterThan(50);
    expect(links).toMatchObject({ return: 0, valueType: 1, value: 2 });

    expect(old).toMatchObject({
      architecture: 5, ecc: [12, 0, 12, 0], retiredPages: [[0x1_0000_0000, 0x1_0000_1000], [0x2_0000_0000]],
      remappedRows: 'not supported', pcie: 'not supported', nvlinkStates: ['not supported', 'not supported', 'not supported'],
      processes: { compute: [], graphics: [] }, processUtilization: 'not found',
    });
    expect(old.nvlinkFields[0].return).toBe(3);

    // MIG: the parent hides its utilization; each instance has its ids, memory, processes and GPM.
    expect(h100).toMatchObject({
      utilization: 'not supported', utilizationSamples: 'not supported', processUtilization: 'not supported',
      mig: { mode: [1, 1], gpmSupported: 1, gpm: [[0, 50], [0, 50], [3, 0]] },
    });
    expect(h100.mig.instances).toMatchObject([
      { name: 'H100 MIG 3g.40gb', isMig: 1, parent: 2, gpuInstanceId: 1, computeInstanceId: 0, memory: [40 * GIB, 10 * GIB, 30 * GIB],
        processes: [read.selfPid], utilization: 'not supported', gpm: [[0, 70], [0, 70], [3, 0]] },
      { name: 'H100 MIG 2g.20gb', gpuInstanceId: 5, memory: [20 * GIB, 0, 20 * GIB], processes: [], gpm: [[0, 40], [0, 40], [3, 0]] },
      { name: 'H100 MIG 1g.10gb', gpuInstanceId: 13, computeInstanceId: 1, processes: [], gpm: [[0, 20], [0, 20], [3, 0]] },
    ]);
    const uuids = h100.mig.instances.map((i: { uuid: string }) => i.uuid);
    expect(new Set(uuids).size).toBe(3);
    expect(uuids.every((u: string) => u.startsWith('MIG-'))).toBe(true);
  });
});
