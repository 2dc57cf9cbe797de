/**
 * Baseline (a): the sampler's NVML calls for one GPU sample, made from the JS thread through
 * koffi on the same libnvml_sim.so: utilization, memory v2, temperature, power, power limit,
 * energy, four clocks, clock-event reasons, fan speeds, P-state, and the two
 * nvmlDeviceGetSamples reads with their last-seen timestamps (count, then fetch when new).
 */
import koffi from 'koffi';

export function koffiSampler(libraryPath) {
  const lib = koffi.load(libraryPath);
  // Registered by name: the function prototypes below refer to these structs.
  koffi.struct('nvmlUtilization_t', { gpu: 'uint', memory: 'uint' });
  koffi.struct('nvmlMemory_v2_t', { version: 'uint', total: 'ulonglong', reserved: 'ulonglong', free: 'ulonglong', used: 'ulonglong' });
  const sample = koffi.struct('nvmlSample_t', { timeStamp: 'ulonglong', sampleValue: 'ulonglong' });
  const f = {
    init: lib.func('int nvmlInit_v2()'),
    shutdown: lib.func('int nvmlShutdown()'),
    count: lib.func('int nvmlDeviceGetCount_v2(_Out_ uint *count)'),
    handle: lib.func('int nvmlDeviceGetHandleByIndex_v2(uint index, _Out_ void **device)'),
    util: lib.func('int nvmlDeviceGetUtilizationRates(void *device, _Out_ nvmlUtilization_t *u)'),
    memory: lib.func('int nvmlDeviceGetMemoryInfo_v2(void *device, _Inout_ nvmlMemory_v2_t *m)'),
    temperature: lib.func('int nvmlDeviceGetTemperature(void *device, int sensor, _Out_ uint *t)'),
    power: lib.func('int nvmlDeviceGetPowerUsage(void *device, _Out_ uint *p)'),
    limit: lib.func('int nvmlDeviceGetEnforcedPowerLimit(void *device, _Out_ uint *p)'),
    energy: lib.func('int nvmlDeviceGetTotalEnergyConsumption(void *device, _Out_ ulonglong *e)'),
    clock: lib.func('int nvmlDeviceGetClockInfo(void *device, int type, _Out_ uint *c)'),
    reasons: lib.func('int nvmlDeviceGetCurrentClocksThrottleReasons(void *device, _Out_ ulonglong *r)'),
    fans: lib.func('int nvmlDeviceGetNumFans(void *device, _Out_ uint *n)'),
    fan: lib.func('int nvmlDeviceGetFanSpeed_v2(void *device, uint fan, _Out_ uint *s)'),
    pstate: lib.func('int nvmlDeviceGetPerformanceState(void *device, _Out_ int *p)'),
    samples: lib.func('int nvmlDeviceGetSamples(void *device, int type, ulonglong lastSeen, _Out_ int *valueType, _Inout_ uint *count, nvmlSample_t *samples)'),
  };
  if (f.init() !== 0) throw new Error('nvmlInit_v2 failed');
  const count = [0];
  f.count(count);
  const devices = Array.from({ length: count[0] }, (_, i) => {
    const h = [null];
    f.handle(i, h);
    const n = [0];
    f.fans(h[0], n);
    return { handle: h[0], fans: n[0], lastSeen: [0, 0] };
  });
  const out = [0];
  const valueType = [0];

  function readSamples(d, type, slot) {
    const n = [0];
    if (f.samples(d.handle, type, d.lastSeen[slot], valueType, n, null) !== 0 || n[0] === 0) return;
    const buffer = koffi.alloc(sample, n[0]);
    f.samples(d.handle, type, d.lastSeen[slot], valueType, n, buffer);
    const read = koffi.decode(buffer, koffi.array(sample, n[0]));
    koffi.free(buffer);
    if (read.length > 0) d.lastSeen[slot] = read.at(-1).timeStamp;
  }

  /** One sample of device i: every field the Rust sampler reads per tick. */
  function sampleDevice(i) {
    const d = devices[i];
    const h = d.handle;
    f.util(h, {});
    f.memory(h, { version: (40 | (2 << 24)) >>> 0, total: 0, reserved: 0, free: 0, used: 0 });
    f.temperature(h, 0, out);
    f.power(h, out);
    f.limit(h, out);
    f.energy(h, out);
    for (let c = 0; c < 4; c++) f.clock(h, c, out);
    f.reasons(h, out);
    for (let fan = 0; fan < d.fans; fan++) f.fan(h, fan, out);
    f.pstate(h, out);
    readSamples(d, 1, 0);
    readSamples(d, 0, 1);
  }

  return { devices: devices.length, sampleDevice, close: () => f.shutdown() };
}
