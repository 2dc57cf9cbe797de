"""Reads nvml-sim through NVIDIA's Python binding (nvidia-ml-py): a client nobody here wrote.

Usage: python3 pynvml-reads.py /path/to/libnvml_sim.so  (scenario in NVML_SIM_SCENARIO)
Prints what pynvml read, as JSON.
"""
import ctypes
import json
import sys
import time

import pynvml

# pynvml loads libnvidia-ml.so.1 only when its module-level handle is unset: set it first.
pynvml.nvmlLib = ctypes.CDLL(sys.argv[1])
pynvml.nvmlInit()
time.sleep(0.1)  # let the driver sample buffer fill (the scenario's period is short)


def text(v):
    return v.decode() if isinstance(v, bytes) else v


devices = []
for i in range(pynvml.nvmlDeviceGetCount()):
    h = pynvml.nvmlDeviceGetHandleByIndex(i)
    util = pynvml.nvmlDeviceGetUtilizationRates(h)
    mem = pynvml.nvmlDeviceGetMemoryInfo(h)
    mem2 = pynvml.nvmlDeviceGetMemoryInfo(h, pynvml.nvmlMemory_v2)
    sample_type, samples = pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, 0)
    _, newer = pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, samples[len(samples) // 2].timeStamp)
    _, power_samples = pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_TOTAL_POWER_SAMPLES, 0)
    try:
        fans = [pynvml.nvmlDeviceGetFanSpeed_v2(h, f) for f in range(pynvml.nvmlDeviceGetNumFans(h))]
    except pynvml.NVMLError_NotSupported:
        fans = "not supported"
    devices.append({
        "name": text(pynvml.nvmlDeviceGetName(h)),
        "uuid": text(pynvml.nvmlDeviceGetUUID(h)),
        "utilization": [util.gpu, util.memory],
        "memory": [mem.total, mem.used, mem.free],
        "memoryV2": [mem2.total, mem2.reserved, mem2.used, mem2.free],
        "temperature": pynvml.nvmlDeviceGetTemperature(h, pynvml.NVML_TEMPERATURE_GPU),
        "powerMilliwatts": pynvml.nvmlDeviceGetPowerUsage(h),
        "powerLimitMilliwatts": pynvml.nvmlDeviceGetEnforcedPowerLimit(h),
        "energyMillijoules": pynvml.nvmlDeviceGetTotalEnergyConsumption(h),
        "clocksMhz": [pynvml.nvmlDeviceGetClockInfo(h, c) for c in (pynvml.NVML_CLOCK_GRAPHICS, pynvml.NVML_CLOCK_SM, pynvml.NVML_CLOCK_MEM, pynvml.NVML_CLOCK_VIDEO)],
        "clocksEventReasons": pynvml.nvmlDeviceGetCurrentClocksEventReasons(h),
        "fans": fans,
        "performanceState": pynvml.nvmlDeviceGetPerformanceState(h),
        "sampleValueType": sample_type,
        "utilizationSamples": [s.sampleValue.uiVal for s in samples],
        "utilizationSampleSteps": sorted({samples[k + 1].timeStamp - samples[k].timeStamp for k in range(len(samples) - 1)}),
        "newerThanMiddle": len(newer),
        "samplesBefore": len(samples),
        "powerSamples": sorted({s.sampleValue.uiVal for s in power_samples}),
    })
print(json.dumps({
    "driverVersion": text(pynvml.nvmlSystemGetDriverVersion()),
    "nvmlVersion": text(pynvml.nvmlSystemGetNVMLVersion()),
    "devices": devices,
}))
pynvml.nvmlShutdown()
