"""Baseline (b): the sampler's NVML calls for one GPU sample through NVIDIA's Python binding
(pynvml over ctypes) on libnvml_sim.so, for `seconds`. Prints thread CPU ns per GPU sample.

Usage: python3 pynvml-baseline.py /path/to/libnvml_sim.so seconds
"""
import ctypes
import json
import sys
import time

import pynvml

pynvml.nvmlLib = ctypes.CDLL(sys.argv[1])
seconds = float(sys.argv[2])
pynvml.nvmlInit()
handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
fans = [pynvml.nvmlDeviceGetNumFans(h) for h in handles]
last_seen = [[0, 0] for _ in handles]
clocks = (pynvml.NVML_CLOCK_SM, pynvml.NVML_CLOCK_MEM, pynvml.NVML_CLOCK_GRAPHICS, pynvml.NVML_CLOCK_VIDEO)


def read_samples(i, h, kind, slot):
    try:
        _, samples = pynvml.nvmlDeviceGetSamples(h, kind, last_seen[i][slot])
    except pynvml.NVMLError_NotFound:
        return
    if samples:
        last_seen[i][slot] = samples[-1].timeStamp


def sample_device(i):
    h = handles[i]
    pynvml.nvmlDeviceGetUtilizationRates(h)
    pynvml.nvmlDeviceGetMemoryInfo(h, pynvml.nvmlMemory_v2)
    pynvml.nvmlDeviceGetTemperature(h, pynvml.NVML_TEMPERATURE_GPU)
    pynvml.nvmlDeviceGetPowerUsage(h)
    pynvml.nvmlDeviceGetEnforcedPowerLimit(h)
    pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
    for c in clocks:
        pynvml.nvmlDeviceGetClockInfo(h, c)
    pynvml.nvmlDeviceGetCurrentClocksThrottleReasons(h)
    for f in range(fans[i]):
        pynvml.nvmlDeviceGetFanSpeed_v2(h, f)
    pynvml.nvmlDeviceGetPerformanceState(h)
    read_samples(i, h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, 0)
    read_samples(i, h, pynvml.NVML_TOTAL_POWER_SAMPLES, 1)


# Paced at 1 kHz like the sampler, so the driver sample reads see the same few new samples.
n = 0
cpu0 = time.thread_time_ns()
end = time.monotonic() + seconds
next_tick = time.monotonic()
while time.monotonic() < end:
    for i in range(len(handles)):
        sample_device(i)
        n += 1
    next_tick += 0.001
    delay = next_tick - time.monotonic()
    if delay > 0:
        time.sleep(delay)
cpu = time.thread_time_ns() - cpu0
pynvml.nvmlShutdown()
print(json.dumps({"gpuSamples": n, "cpuNsPerGpuSample": cpu / n}))
