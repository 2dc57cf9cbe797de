/** No NVML, a failing nvmlInit, a missing addon, bad options: a reason and a code to branch on. */
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { loadBinding } from '../src/native/binding.js';
import { BUILD_COMMAND, GpuSamplerError, createGpuSampler, nvmlSimLibraryPath } from '../src/index.js';
import { describeNative, useScenario } from './support/sim.js';

const ADDON_ENV = 'ORFEAS_GPU_SAMPLER_ADDON';
afterEach(() => {
  delete process.env[ADDON_ENV];
});

/** What `f` threw (it must throw). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

it('names the build command when the addon is missing', () => {
  process.env[ADDON_ENV] = '/nonexistent/gpu-sampler.linux-x64-gnu.node';
  const sampler = createGpuSampler();
  expect(sampler).toMatchObject({ available: false, code: 'addon' });
  expect(sampler.reason).toContain(BUILD_COMMAND);
  expect(sampler.latest()).toEqual([]);
  const error = thrown(() => createGpuSampler({ required: true }));
  expect(error).toBeInstanceOf(GpuSamplerError);
  expect(error).toMatchObject({ name: 'GpuSamplerError', code: 'addon' });
  expect((error as Error).message).toContain(BUILD_COMMAND);
});

it('refuses bad options whatever the host', () => {
  expect(() => createGpuSampler({ intervalMs: 0.5 })).toThrow('intervalMs must be a number from 1 to 3600000 (an hour), got 0.5');
  expect(() => createGpuSampler({ intervalMs: 1e30 })).toThrow('got 1e+30');
  expect(() => createGpuSampler({ ringSize: 0 })).toThrow('ringSize must be an integer from 1 to 10000000, got 0');
  expect(thrown(() => createGpuSampler({ ringSize: 1.5 }))).toMatchObject({ name: 'GpuSamplerError', code: 'options' });
});

describeNative('without a usable NVML', () => {
  it('is unavailable when the library is missing (code load), and throws only when required', () => {
    const sampler = createGpuSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1' });
    expect(sampler).toMatchObject({ available: false, code: 'load' });
    expect(sampler.reason).toContain('the NVML library /nonexistent/libnvidia-ml.so.1 could not be loaded');
    expect(sampler.stats()).toMatchObject({ running: false, devices: [] });
    const error = thrown(() => createGpuSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1', required: true }));
    expect(error).toBeInstanceOf(GpuSamplerError);
    expect(error).toMatchObject({ code: 'load' });
    expect((error as Error).message).toContain('could not be loaded');
  });

  it('is unavailable when nvmlInit fails (code init)', () => {
    useScenario({ initFailure: 'DRIVER_NOT_LOADED', devices: [] });
    const sampler = createGpuSampler({ libraryPath: nvmlSimLibraryPath() });
    expect(sampler).toMatchObject({ available: false, code: 'init' });
    expect(sampler.reason).toMatch(/nvmlInit failed with .*driver/i);
  });

  it('the addon throws its start errors with their code', () => {
    const loaded = loadBinding();
    if ('reason' in loaded) throw new Error(loaded.reason);
    const { startSampler } = loaded.binding;
    expect(thrown(() => startSampler({ intervalMs: 0.5 }))).toMatchObject({ code: 'options', message: 'intervalMs must be a number from 1 to 3600000 (an hour), got 0.5' });
    expect(thrown(() => startSampler({ ringSize: 0 }))).toMatchObject({ code: 'options', message: 'ringSize must be an integer from 1 to 10000000, got 0' });
    expect(thrown(() => startSampler({ libraryPath: '/nonexistent/libnvidia-ml.so.1' }))).toMatchObject({ code: 'load' });
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
