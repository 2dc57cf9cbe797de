"""Reads nvml-sim through NVIDIA's Python binding (nvidia-ml-py): a client nobody here wrote.

Usage: python3 pynvml-reads.py /path/to/libnvml_sim.so  (scenario in NVML_SIM_SCENARIO)
Prints what pynvml read, as JSON: "not supported" / "not found" where pynvml raised those.
"""
import ctypes
import json
import os
import sys
import time

import pynvml

# pynvml loads libnvidia-ml.so.1 only when its module-level handle is unset: set it first.
pynvml.nvmlLib = ctypes.CDLL(sys.argv[1])
pynvml.nvmlInit()
time.sleep(0.1)  # let the driver sample buffer fill (the scenario's period is short)


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def attempt(read):
    """read(), or what NVML answered instead when it is one a client expects."""
    try:
        return read()
    except pynvml.NVMLError_NotSupported:
        return "not supported"
    except pynvml.NVMLError_NotFound:
        return "not found"


def processes(h):
    listed = [attempt(lambda: pynvml.nvmlDeviceGetComputeRunningProcesses(h)), attempt(lambda: pynvml.nvmlDeviceGetGraphicsRunningProcesses(h))]
    rows = [p if isinstance(p, str) else [[q.pid, q.usedGpuMemory, q.gpuInstanceId, q.computeInstanceId] for q in p] for p in listed]
    pids = sorted({row[0] for p in rows if not isinstance(p, str) for row in p})
    return {"compute": rows[0], "graphics": rows[1], "names": {str(pid): text(pynvml.nvmlSystemGetProcessName(pid)) for pid in pids}}


def process_utilization(h):
    samples = attempt(lambda: pynvml.nvmlDeviceGetProcessUtilization(h, 0))
    if isinstance(samples, str):
        return samples
    stamps = sorted({s.timeStamp for s in samples})
    by_pid = {}
    for s in samples:
        by_pid.setdefault(str(s.pid), set()).add(s.smUtil)
    return {"smUtil": {pid: sorted(v) for pid, v in by_pid.items()}, "steps": sorted({b - a for a, b in zip(stamps, stamps[1:])}),
            "otherUtil": sorted({s.memUtil + s.encUtil + s.decUtil for s in samples})}


def health(h):
    ecc = [(pynvml.NVML_MEMORY_ERROR_TYPE_CORRECTED, pynvml.NVML_VOLATILE_ECC), (pynvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, pynvml.NVML_VOLATILE_ECC),
           (pynvml.NVML_MEMORY_ERROR_TYPE_CORRECTED, pynvml.NVML_AGGREGATE_ECC), (pynvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, pynvml.NVML_AGGREGATE_ECC)]
    causes = (pynvml.NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS, pynvml.NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR)
    return {
        "ecc": attempt(lambda: [pynvml.nvmlDeviceGetTotalEccErrors(h, e, c) for e, c in ecc]),
        "retiredPages": attempt(lambda: [pynvml.nvmlDeviceGetRetiredPages(h, c) for c in causes]),
        "remappedRows": attempt(lambda: list(pynvml.nvmlDeviceGetRemappedRows(h))),
        "pcie": attempt(lambda: [pynvml.nvmlDeviceGetPcieThroughput(h, c) for c in (pynvml.NVML_PCIE_UTIL_TX_BYTES, pynvml.NVML_PCIE_UTIL_RX_BYTES)]
                        + [pynvml.nvmlDeviceGetPcieReplayCounter(h)]),
        "nvlinkStates": [attempt(lambda: pynvml.nvmlDeviceGetNvLinkState(h, link)) for link in range(3)],
    }


def nvlink_fields(h):
    ids = [(pynvml.NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX, 0), (pynvml.NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX, 0),
           (pynvml.NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX, 1), pynvml.NVML_FI_DEV_NVLINK_LINK_COUNT]
    values = pynvml.nvmlDeviceGetFieldValues(h, ids)
    return [{"return": v.nvmlReturn, "valueType": v.valueType, "value": v.value.ullVal if v.valueType == pynvml.NVML_VALUE_TYPE_UNSIGNED_LONG_LONG else v.value.uiVal,
             "timestamp": v.timestamp} for v in values]


def gpm_between(take):
    """SM and graphics utilization (and one metric the sim lacks) between two samples 50 ms apart."""
    a, b = pynvml.nvmlGpmSampleAlloc(), pynvml.nvmlGpmSampleAlloc()
    take(a)
    time.sleep(0.05)
    take(b)
    request = pynvml.c_nvmlGpmMetricsGet_t()
    request.version = pynvml.NVML_GPM_METRICS_GET_VERSION
    request.numMetrics = 3
    request.sample1, request.sample2 = a, b
    for i, metric in enumerate((pynvml.NVML_GPM_METRIC_SM_UTIL, pynvml.NVML_GPM_METRIC_GRAPHICS_UTIL, pynvml.NVML_GPM_METRIC_SM_OCCUPANCY)):
        request.metrics[i].metricId = metric
    pynvml.nvmlGpmMetricsGet(request)
    pynvml.nvmlGpmSampleFree(a)
    pynvml.nvmlGpmSampleFree(b)
    return [[m.nvmlReturn, round(m.value, 6)] for m in request.metrics[:3]]


def mig(h):
    mode = attempt(lambda: pynvml.nvmlDeviceGetMigMode(h))
    if isinstance(mode, str):
        return {"mode": mode}
    gpm = pynvml.nvmlGpmQueryDeviceSupport(h).isSupportedDevice
    instances = []
    for i in range(pynvml.nvmlDeviceGetMaxMigDeviceCount(h)):
        m = pynvml.nvmlDeviceGetMigDeviceHandleByIndex(h, i)
        gi = pynvml.nvmlDeviceGetGpuInstanceId(m)
        mem = pynvml.nvmlDeviceGetMemoryInfo(m)
        instances.append({
            "name": text(pynvml.nvmlDeviceGetName(m)), "uuid": text(pynvml.nvmlDeviceGetUUID(m)),
            "isMig": pynvml.nvmlDeviceIsMigDeviceHandle(m).value, "parent": pynvml.nvmlDeviceGetIndex(pynvml.nvmlDeviceGetDeviceHandleFromMigDeviceHandle(m)),
            "gpuInstanceId": gi, "computeInstanceId": pynvml.nvmlDeviceGetComputeInstanceId(m), "memory": [mem.total, mem.used, mem.free],
            "processes": [p.pid for p in pynvml.nvmlDeviceGetComputeRunningProcesses(m)],
            "utilization": attempt(lambda: pynvml.nvmlDeviceGetUtilizationRates(m).gpu),
            "gpm": gpm_between(lambda s: pynvml.nvmlGpmMigSampleGet(h, gi, s)) if gpm else "not supported",
        })
    return {"mode": mode, "instances": instances, "gpmSupported": gpm,
            "gpm": gpm_between(lambda s: pynvml.nvmlGpmSampleGet(h, s)) if gpm else "not supported"}


def xid_events(handles):
    """Every XID event of every device, until none comes for 200 ms."""
    events = pynvml.nvmlEventSetCreate()
    for h in handles:
        if attempt(lambda: pynvml.nvmlDeviceGetSupportedEventTypes(h)) != "not supported":
            pynvml.nvmlDeviceRegisterEvents(h, pynvml.nvmlEventTypeXidCriticalError, events)
    seen = []
    while True:
        try:
            e = pynvml.nvmlEventSetWait(events, 200)
        except pynvml.NVMLError_Timeout:
            break
        seen.append({"gpu": pynvml.nvmlDeviceGetIndex(e.device), "xid": e.eventData, "eventType": e.eventType})
    pynvml.nvmlEventSetFree(events)
    return seen


def driver_samples(h):
    """The driver sample buffer (utilization samples are not supported on a GPU in MIG mode)."""
    read = attempt(lambda: pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, 0))
    _, power_samples = pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_TOTAL_POWER_SAMPLES, 0)
    power = {"powerSamples": sorted({s.sampleValue.uiVal for s in power_samples})}
    if isinstance(read, str):
        return {"utilizationSamples": read, **power}
    sample_type, samples = read
    _, newer = pynvml.nvmlDeviceGetSamples(h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, samples[len(samples) // 2].timeStamp)
    return {
        "sampleValueType": sample_type,
        "utilizationSamples": [s.sampleValue.uiVal for s in samples],
        "utilizationSampleSteps": sorted({samples[k + 1].timeStamp - samples[k].timeStamp for k in range(len(samples) - 1)}),
        "newerThanMiddle": len(newer),
        "samplesBefore": len(samples),
        **power,
    }


devices = []
handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
for h in handles:
    mem = pynvml.nvmlDeviceGetMemoryInfo(h)
    mem2 = pynvml.nvmlDeviceGetMemoryInfo(h, pynvml.nvmlMemory_v2)
    fans = attempt(lambda: [pynvml.nvmlDeviceGetFanSpeed_v2(h, f) for f in range(pynvml.nvmlDeviceGetNumFans(h))])
    devices.append({
        "index": pynvml.nvmlDeviceGetIndex(h),
        "architecture": pynvml.nvmlDeviceGetArchitecture(h),
        "name": text(pynvml.nvmlDeviceGetName(h)),
        "uuid": text(pynvml.nvmlDeviceGetUUID(h)),
        "utilization": attempt(lambda: [(u := pynvml.nvmlDeviceGetUtilizationRates(h)).gpu, u.memory]),
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
        **driver_samples(h),
        "processes": processes(h),
        "processUtilization": process_utilization(h),
        **health(h),
        "nvlinkFields": nvlink_fields(h),
        "mig": mig(h),
    })
sim_start = ctypes.CDLL(sys.argv[1]).nvmlSimInitTimestampUs
sim_start.restype = ctypes.c_uint64
print(json.dumps({
    "simStartUs": sim_start(),
    "selfPid": os.getpid(),
    "selfComm": open("/proc/self/comm").read().strip(),
    "xidEvents": xid_events(handles),
    "driverVersion": text(pynvml.nvmlSystemGetDriverVersion()),
    "nvmlVersion": text(pynvml.nvmlSystemGetNVMLVersion()),
    "devices": devices,
}))
pynvml.nvmlShutdown()
