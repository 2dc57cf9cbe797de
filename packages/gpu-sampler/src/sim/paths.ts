/**
 * Where the build put nvml-sim: used by the backend for ORFEAS_GPU=sim, by tests and by the
 * benchmark, which load it through the same path as the real driver.
 */
import { join } from 'node:path';
import { nativeDir } from '../native/binding.js';

/** Absolute path of libnvml_sim.so as built by `npm run build -w @orfeas/gpu-sampler`. */
export function nvmlSimLibraryPath(): string {
  return join(nativeDir, 'libnvml_sim.so');
}

/** The default scenario (2 GPUs, a workload that rises and falls), for NVML_SIM_SCENARIO. */
export const defaultSimScenarioPath: string = join(nativeDir, 'nvml-sim-default.json');
