/** No NVML, a failing nvmlInit, a missing addon: available false with the reason. */
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { BUILD_COMMAND, createGpuSampler, nvmlSimLibraryPath } from '../src/index.js';
import { describeNative, useScenario } from './support/sim.js';

const ADDON_ENV = 'ORFEAS_GPU_SAMPLER_ADDON';
afterEach(() => {
  delete process.env[ADDON_ENV];
});

it('names the build command when the addon is missing', () => {
  process.env[ADDON_ENV] = '/nonexistent/gpu-sampler.linux-x64-gnu.node';
  const sampler = createGpuSampler();
  expect(sampler.available).toBe(false);
  expect(sampler.reason).toContain(BUILD_COMMAND);
  expect(sampler.latest()).toEqual([]);
  expect(() => createGpuSampler({ required: true })).toThrow(BUILD_COMMAND);
});

it('refuses bad options whatever the host', () => {
  expect(() => createGpuSampler({ intervalMs: 0.5 })).toThrow('intervalMs must be a number from 1 to 3600000 (an hour), got 0.5');
  expect(() => createGpuSampler({ intervalMs: 1e30 })).toThrow('got 1e+30');
  expect(() => createGpuSampler({ ringSize: 0 })).toThrow('ringSize must be an integer');
});

describeNative('without a usable NVML', () => {
  it('is unavailable when the library is missing, and throws only when required', () => {
    const sampler = createGpuSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1' });
    expect(sampler.available).toBe(false);
    expect(sampler.reason).toContain('the NVML library /nonexistent/libnvidia-ml.so.1 could not be loaded');
    expect(sampler.stats()).toMatchObject({ running: false, devices: [] });
    expect(() => createGpuSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1', required: true })).toThrow('could not be loaded');
  });

  it('is unavailable when nvmlInit fails', () => {
    useScenario({ initFailure: 'DRIVER_NOT_LOADED', devices: [] });
    const sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath() });
    expect(sampler.available).toBe(false);
    expect(sampler.reason).toMatch(/nvmlInit failed with .*driver/i);
  });

  it('lets the process exit on its own while sampling', () => {
    const script = `
      const { createGpuSampler, nvmlSimLibraryPath } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const s = createGpuSampler({ libraryPath: nvmlSimLibraryPath(), intervalMs: 1, required: true });
      // Waits for the first tick (the thread may start late on a loaded machine), then returns
      // to an empty event loop with the sampler still running: the process must exit.
      const poll = setInterval(() => { if (s.stats().ticks > 0) { clearInterval(poll); console.log('sampled'); } }, 5);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NVML_SIM_SCENARIO: JSON.stringify({ devices: [{ utilization: 5 }] }) },
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(child.stdout.trim()).toBe('sampled');
    expect(child.status).toBe(0);
  });
});
