/**
 * nvml-sim scenarios for the end-to-end tests (format: crates/nvml-sim/README.md), passed to the
 * backend as inline JSON in NVML_SIM_SCENARIO.
 */

const GIB = 1024 ** 3;

/** Every GPU field moving, one throttle reason on, and a second GPU lost after 4 s. */
export const busyHost = {
  devices: [
    {
      name: 'NVIDIA A100 (simulated)',
      memoryTotalBytes: 40 * GIB,
      utilization: { sine: { mean: 60, amplitude: 30, periodMs: 20_000 } },
      memoryUtilization: 35,
      memoryUsedBytes: 12 * GIB,
      temperature: 70,
      powerWatts: { sine: { mean: 250, amplitude: 50, periodMs: 20_000 } },
      powerLimitWatts: 400,
      clocksMhz: { sm: 1410, graphics: 1410, memory: 1215, video: 1275 },
      fans: [55],
      performanceState: 0,
      throttle: { sw_power_cap: 1 },
    },
    { name: 'NVIDIA L4 (simulated)', utilization: 20, temperature: 50, lostAfterMs: 4_000 },
  ],
};

/**
 * The alert demo: GPU 0 at 98% utilization and 90 °C; GPU 1 lost after 3 s (so its
 * telemetry goes stale, an alert that GpuLost must inhibit).
 */
export const hotGpu = {
  devices: [
    {
      name: 'NVIDIA A100 (simulated, hot)',
      memoryTotalBytes: 40 * GIB,
      utilization: 98,
      memoryUtilization: 60,
      memoryUsedBytes: 20 * GIB,
      temperature: 90,
      powerWatts: 380,
      powerLimitWatts: 400,
    },
    { name: 'NVIDIA L4 (simulated, lost)', utilization: 10, temperature: 45, lostAfterMs: 3_000 },
  ],
};
