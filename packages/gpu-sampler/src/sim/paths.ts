/**
 * Where nvml-sim is: used by the backend for ORFEAS_GPU=sim, by tests and by the benchmark,
 * which load it through the same path as the real driver. It is native code like the addon,
 * so it lives where the addon does: native/ in this repository, the platform package when
 * installed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nativeDir, platformPackageDir } from '../native/binding.js';

const SIM_LIBRARY = 'libnvml_sim.so';
const simDir = existsSync(join(nativeDir, SIM_LIBRARY)) ? nativeDir : (platformPackageDir() ?? nativeDir);

/** Absolute path of libnvml_sim.so (built by `npm run build -w @orfeas/gpu-sampler`, or installed with the platform package). */
export function nvmlSimLibraryPath(): string {
  return join(simDir, SIM_LIBRARY);
}

/** The default scenario (2 GPUs, a workload that rises and falls), for NVML_SIM_SCENARIO. */
export const defaultSimScenarioPath: string = join(simDir, 'nvml-sim-default.json');
