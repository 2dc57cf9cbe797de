#!/usr/bin/env python3
"""NVIDIA's own readers, run by the GPU probe (scripts/gpu-probe.sh) beside the sampler:
`nvidia-smi --query-gpu` (one process per reading, as a scrape-time exporter would run it) and
pynvml (NVIDIA's Python binding, where installed), each polled for --seconds.

Writes one JSON object to --out:
  {"nvidia_smi": {"available", "reason"?, "info": [...], "rows": [...], "call_ms": [...]},
   "pynvml": {"available", "reason"?, "version"?, "rows": [...], "utilization_samples": {...}}}
Rows: {"t": Unix s, "gpu", "utilization_ratio", "power_w", "temperature_c", "memory_used_bytes",
"sm_clock_mhz"} (+ "energy_counter_j" from pynvml), None where the reader had no value.
"""
import argparse
import ctypes
import json
import os
import shutil
import subprocess
import threading
import time

QUERY = "index,utilization.gpu,power.draw,temperature.gpu,memory.used,clocks.sm"
INFO = "index,name,uuid,driver_version,pci.bus_id,memory.total,power.limit,clocks.max.sm,persistence_mode"
MIB = 1024 * 1024


def number(text):
    """A CSV cell as a float; None for [N/A], [Not Supported] and the like."""
    try:
        return float(text.strip())
    except ValueError:
        return None


def smi(command, query, timeout=10.0):
    out = subprocess.run([command, f"--query-gpu={query}", "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{command} exited with {out.returncode}: {(out.stderr or out.stdout).strip()[:300]}")
    return [[cell.strip() for cell in line.split(",")] for line in out.stdout.splitlines() if line.strip()]


def read_smi(command, seconds, interval, result):
    if not command or shutil.which(command) is None:
        result.update(available=False, reason=f"{command or 'nvidia-smi'} not found")
        return
    try:
        info = smi(command, INFO, timeout=30.0)
        keys = INFO.split(",")
        result["info"] = [dict(zip(keys, row)) for row in info]
    except Exception as e:  # a reader that fails is reported, never fatal
        result.update(available=False, reason=str(e))
        return
    result.update(available=True, rows=[], call_ms=[], errors=[])
    end = time.time() + seconds
    while time.time() < end:
        before = time.time()
        try:
            rows = smi(command, QUERY)
        except Exception as e:
            result["errors"].append(str(e)[:300])
            time.sleep(interval)
            continue
        after = time.time()
        result["call_ms"].append((after - before) * 1000)
        for cells in rows:
            if len(cells) < 6:
                continue
            used = number(cells[4])
            result["rows"].append({
                "t": (before + after) / 2,
                "gpu": int(number(cells[0]) or 0),
                "utilization_ratio": None if number(cells[1]) is None else number(cells[1]) / 100,
                "power_w": number(cells[2]),
                "temperature_c": number(cells[3]),
                "memory_used_bytes": None if used is None else used * MIB,
                "sm_clock_mhz": number(cells[5]),
            })
        time.sleep(max(0.0, interval - (time.time() - before)))


def package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # not installed under that name, or Python before 3.8
        return None


def attempt(call, *args):
    try:
        return call(*args)
    except Exception:  # pynvml raises NVMLError subclasses per return code
        return None


def read_pynvml(library, seconds, interval, result, started):
    try:
        import pynvml
    except ImportError as e:
        result.update(available=False, reason=f"pynvml is not installed ({e}): pip install nvidia-ml-py")
        return
    try:
        if library:
            # pynvml loads libnvidia-ml.so.1 only when its module-level handle is unset.
            pynvml.nvmlLib = ctypes.CDLL(library)
        pynvml.nvmlInit()
    except Exception as e:
        result.update(available=False, reason=f"nvmlInit through pynvml failed: {e}")
        return
    started()
    try:
        version = package_version("nvidia-ml-py") or package_version("pynvml")
        handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        result.update(available=True, version=version, rows=[], utilization_samples={str(i): [] for i in range(len(handles))})
        last_seen = [0] * len(handles)
        memory_v2 = getattr(pynvml, "nvmlMemory_v2", None)
        end = time.time() + seconds
        while time.time() < end:
            before = time.time()
            for i, h in enumerate(handles):
                util = attempt(pynvml.nvmlDeviceGetUtilizationRates, h)
                power = attempt(pynvml.nvmlDeviceGetPowerUsage, h)
                memory = attempt(pynvml.nvmlDeviceGetMemoryInfo, h, memory_v2) if memory_v2 is not None else None
                memory = memory or attempt(pynvml.nvmlDeviceGetMemoryInfo, h)
                energy = attempt(pynvml.nvmlDeviceGetTotalEnergyConsumption, h)
                clock = attempt(pynvml.nvmlDeviceGetClockInfo, h, pynvml.NVML_CLOCK_SM)
                result["rows"].append({
                    "t": time.time(),
                    "gpu": i,
                    "utilization_ratio": None if util is None else util.gpu / 100,
                    "power_w": None if power is None else power / 1000,
                    "temperature_c": attempt(pynvml.nvmlDeviceGetTemperature, h, pynvml.NVML_TEMPERATURE_GPU),
                    "memory_used_bytes": None if memory is None else memory.used,
                    "sm_clock_mhz": clock,
                    "energy_counter_j": None if energy is None else energy / 1000,
                })
                found = attempt(pynvml.nvmlDeviceGetSamples, h, pynvml.NVML_GPU_UTILIZATION_SAMPLES, last_seen[i])
                if found:
                    new = sorted({(s.timeStamp, s.sampleValue.uiVal) for s in found[1] if s.timeStamp > last_seen[i]})
                    if new:
                        last_seen[i] = new[-1][0]
                        result["utilization_samples"][str(i)].extend([ts, v] for ts, v in new)
            time.sleep(max(0.0, interval - (time.time() - before)))
    finally:
        attempt(pynvml.nvmlShutdown)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--nvidia-smi", default="nvidia-smi", help="the nvidia-smi command; empty to skip it")
    p.add_argument("--smi-interval", type=float, default=0.2)
    p.add_argument("--pynvml-interval", type=float, default=0.1)
    p.add_argument("--library", default="", help="the NVML library pynvml loads (default: the driver's)")
    p.add_argument("--started", default="", help="a file created once the readers are reading, so the sampler's run can start then")
    args = p.parse_args()

    def started():
        if args.started and not os.path.exists(args.started):
            open(args.started, "w").close()

    smi_result, pynvml_result = {}, {}
    thread = threading.Thread(target=read_smi, args=(args.nvidia_smi, args.seconds, args.smi_interval, smi_result), daemon=True)
    thread.start()
    try:
        read_pynvml(args.library, args.seconds, args.pynvml_interval, pynvml_result, started)
    except Exception as e:
        pynvml_result.update(available=False, reason=f"pynvml failed: {e}")
    finally:
        started()
    thread.join(timeout=args.seconds + 45)
    if thread.is_alive():
        smi_result.setdefault("reason", "nvidia-smi did not finish in time")
    with open(args.out, "w") as f:
        json.dump({"nvidia_smi": smi_result, "pynvml": pynvml_result}, f)


if __name__ == "__main__":
    main()
