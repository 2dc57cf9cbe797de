/**
 * nvml-sim scenarios for the end-to-end tests (format: crates/nvml-sim/README.md), passed to the
 * backend as inline JSON in NVML_SIM_SCENARIO.
 */

const GIB = 1024 ** 3;

/**
 * Every GPU field moving, one throttle reason on, and a second GPU lost after 4 s. GPU 0 also
 * has the health and process keys: the backend itself ("self", the pid that loaded nvml-sim)
 * and a model server beside it, XIDs (13, an application fault, recurring so the counter rises
 * between scrapes whenever the first scrape comes; 48 with the uncorrectable ECC error and the
 * pending row remap it causes), corrected ECC errors climbing, PCIe traffic with replays
 * climbing, two NVLinks. GPU 2 is older: it retires pages instead of remapping rows, and
 * answers NotSupported for ECC, PCIe and NVLink, so gpu_field_supported shows gaps on it. (Not
 * GPU 1: a lost GPU's gauges go with it, and the retired pages would have no series.)
 */
export const busyHost = {
  devices: [
    {
      name: 'NVIDIA A100 (simulated)',
      architecture: 'ampere',
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
      // Their utilization stays under the device's lowest (30%): together they never use more than it.
      processes: [
        { pid: 'self', utilization: 20, memoryUsedBytes: 6 * GIB },
        { pid: 4242, name: 'python3', utilization: 10, memoryUsedBytes: 4 * GIB },
      ],
      xidEvents: [
        { atMs: 3_000, xid: 13 },
        { atMs: 6_000, xid: 48 },
        { atMs: 15_000, xid: 13 },
        { atMs: 30_000, xid: 13 },
      ],
      ecc: {
        corrected: { ramp: { from: 0, to: 60, durationMs: 60_000 } },
        uncorrected: { steps: [{ atMs: 0, value: 0 }, { atMs: 6_000, value: 1 }] },
      },
      remappedRows: {
        correctable: 2,
        uncorrectable: { steps: [{ atMs: 0, value: 0 }, { atMs: 6_000, value: 1 }] },
        pending: { steps: [{ atMs: 0, value: 0 }, { atMs: 6_000, value: 1 }] },
        failed: 0,
      },
      pcie: {
        txBytesPerSecond: { sine: { mean: 2e9, amplitude: 1e9, periodMs: 20_000 } },
        rxBytesPerSecond: 6e9,
        replays: { ramp: { from: 0, to: 120, durationMs: 60_000 } },
      },
      nvlink: [
        { txBytesPerSecond: 20e9, rxBytesPerSecond: 18e9 },
        { txBytesPerSecond: { sine: { mean: 10e9, amplitude: 5e9, periodMs: 20_000 } }, rxBytesPerSecond: 9e9 },
      ],
    },
    { name: 'NVIDIA L4 (simulated)', utilization: 20, temperature: 50, lostAfterMs: 4_000 },
    {
      name: 'NVIDIA T4 (simulated)',
      architecture: 'turing',
      memoryTotalBytes: 16 * GIB,
      utilization: 35,
      memoryUsedBytes: 3 * GIB,
      temperature: 55,
      powerWatts: 45,
      powerLimitWatts: 70,
      retiredPages: { singleBit: 2, doubleBit: 1 },
    },
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
