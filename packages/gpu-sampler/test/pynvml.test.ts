/**
 * nvml-sim checked by a client nobody here wrote: NVIDIA's Python binding (nvidia-ml-py)
 * loads libnvml_sim.so and reads the values the scenario sets.
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

describeNative('nvml-sim through pynvml', () => {
  it.skipIf(missing !== undefined && !ci)('reads the values the scenario sets', () => {
    expect(missing, `${missing} is missing`).toBeUndefined();
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
    const script = fileURLToPath(new URL('./pynvml-reads.py', import.meta.url));
    const run = spawnSync(python, [script, nvmlSimLibraryPath()], {
      env: { ...process.env, NVML_SIM_SCENARIO: JSON.stringify(scenario) },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const read = JSON.parse(run.stdout);
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
});
