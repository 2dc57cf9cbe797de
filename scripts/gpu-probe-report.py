#!/usr/bin/env python3
"""Turns what one GPU probe run left in its work folder (scripts/gpu-probe.sh) into
bench/results/gpu-real.json, and prints a short summary.

Inputs in --dir (any may be missing: a failed step gives partial results, never none):
  steps.tsv          name, exit code, seconds of each step
  fields.json        gpu-probe fields
  sample-1ms.json, sample-100ms.json   gpu-probe sample runs; series-100ms.jsonl its readings
  load.jsonl         gpu-load.py's ready / cycle / done lines
  readers.json       gpu-readers.py: nvidia-smi and pynvml
  *.err              each step's stderr

The verdict: "pass" when every check ran and passed, "fail" when one failed, "incomplete"
when one could not run (a step failed, a tool was missing). Exit code 0 for pass, 10 for
another verdict (the file is written either way); anything else means it failed.
"""
import argparse
import bisect
import datetime
import json
import os
import platform
import socket
import statistics
import sys

GIB = 1024 ** 3
# How far the measured busy share may be from the load's duty cycle (share of the window).
BUSY_TOLERANCE = 0.05
# Energy: ∫power against the counter, relative.
ENERGY_TOLERANCE = 0.05
ESSENTIAL = ("busy_1ms", "busy_100ms", "energy_1ms", "energy_100ms", "samples_once_1ms", "samples_once_100ms", "nvidia_smi")


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_lines(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return rows


def tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).strip()
    except OSError:
        return ""


def check(status, detail, **figures):
    return {"status": status, "detail": detail, **figures}


def r(x, digits=4):
    return None if x is None else round(x, digits)


def steps_of(folder):
    steps = []
    try:
        with open(os.path.join(folder, "steps.tsv")) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3:
                    continue
                name, rc, seconds = parts[0], int(parts[1]), float(parts[2])
                status = "ok" if rc == 0 else "timed out" if rc in (124, 137) else "failed"
                step = {"name": name, "rc": rc, "seconds": seconds, "status": status}
                if rc != 0 and tail(os.path.join(folder, f"{name}.err")):
                    step["stderr"] = tail(os.path.join(folder, f"{name}.err"))
                steps.append(step)
    except OSError:
        pass
    return steps


def host():
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split("=", 1)[-1].split(":", 1)[-1].strip().strip('"')
        except OSError:
            return None
        return None

    return {
        "hostname": socket.gethostname(),
        "os": first("/etc/os-release", "PRETTY_NAME"),
        "kernel": platform.release(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def fields_table(fields):
    if not fields:
        return []
    table = []
    for d in fields.get("devices", []):
        calls = [{
            "field": c.get("field"), "call": c["call"], "status": c["status"], "error": c.get("error"),
            "calls": c["latency"]["calls"], "median_us": r(c["latency"]["median_us"], 2), "p99_us": r(c["latency"]["p99_us"], 2),
            "first_us": r(c["latency"]["first_us"], 2), "value": c.get("value"),
        } for c in d.get("calls", [])]
        table.append({"index": d["index"], "name": d.get("name"), "uuid": d.get("uuid"), "driver_samples": d.get("driver_samples"), "calls": calls})
    return table


def value_of(device_fields, call):
    for c in device_fields.get("calls", []):
        if c["call"] == call and c["status"] == "ok":
            return c.get("value")
    return None


def field_support(table, sample, device):
    """Each field as the direct calls found it (supported when one of its calls answered) and as
    the sampler reports it (gpu_field_supported); where they differ, the sampler may be wrong."""
    rows = next((d["calls"] for d in table if d["index"] == device), [])
    direct = {}
    for c in rows:
        if c["field"]:
            direct[c["field"]] = direct.get(c["field"], False) or c["status"] == "ok"
    ours = next((g.get("fields_supported") for g in (sample or {}).get("devices", []) if g["index"] == device), None) or {}
    differ = sorted(f for f in set(direct) & set(ours) if direct[f] != ours[f])
    return {"device": device, "direct": direct, "sampler": ours, "differ": differ}


def load_of(lines):
    ready = next((l for l in lines if l.get("event") == "ready"), None)
    error = next((l for l in lines if l.get("event") == "error"), None)
    cycles = [(l["on"], l["off"]) for l in lines if l.get("event") == "cycle"]
    done = next((l for l in lines if l.get("event") == "done"), None)
    return ready, error, cycles, done


def on_seconds(cycles, start, end):
    """Seconds of [start, end] the load spent computing."""
    return sum(max(0.0, min(off, end) - max(on, start)) for on, off in cycles)


def normalized_uuid(u):
    return (u or "").lower().replace("gpu-", "").strip()


def loaded_index(ready, devices, fallback):
    """The NVML index of the GPU the load ran on: by UUID where torch gives it."""
    if ready and ready.get("uuid"):
        for d in devices:
            if normalized_uuid(d.get("uuid")) == normalized_uuid(ready["uuid"]):
                return d["index"], "uuid"
    return fallback, "index"


def run_summary(name, sample, cycles, load_ok, device):
    """One sampling run: the loaded GPU's busy share against the load, energy, samples once."""
    checks = {}
    label = name.replace("ms", " ms")
    if sample is None:
        for key in ("busy", "energy", "samples_once"):
            checks[f"{key}_{name}"] = check("skipped", f"the {label} sampling run gave no result")
        return None, checks
    devices = {d["index"]: d for d in sample["devices"]}
    d = devices.get(device)
    summary = {
        "interval_ms": sample["interval_ms"], "window_s": r((sample["window"]["end_ms"] - sample["window"]["start_ms"]) / 1000, 3),
        "ticks": sample["ticks"], "expected_ticks": r(sample["expected_ticks"], 1),
        "tick_ratio": r(sample["ticks"] / sample["expected_ticks"], 4) if sample["expected_ticks"] else None,
        "missed": sample["missed"], "seq_repeats": sample["seq_repeats"], "panics": sample["panics"],
        "start_ms": r(sample["start_ms"], 2), "stop_ms": r(sample["stop_ms"], 2), "direct_errors": sample["direct_errors"],
        "device": device,
    }
    # Samples once: every GPU, every kind the driver offers.
    onces = [(g["index"], kind, o) for g in sample["devices"] for kind, o in g["samples_once"].items() if o is not None]
    # Without the independent record (its reads failed) "none missing" would prove nothing.
    unverified = [f"GPU {i} {kind}" for i, kind, o in onces if o["direct"] == 0 and o["sampler"] > 0]
    onces = [(i, kind, o) for i, kind, o in onces if o["direct"] > 0 or o["sampler"] == 0]
    bad = [f"GPU {i} {kind}: {o['missing']} missing, {o['duplicates']} twice" for i, kind, o in onces if not o["exactly_once"]]
    if sample["missed"]:
        bad.append("a drain was told entries fell out of a ring")
    if sample["seq_repeats"]:
        bad.append(f"{sample['seq_repeats']} sequence numbers handed out twice")
    if not onces and unverified:
        checks[f"samples_once_{name}"] = check("skipped", f"no independent record of the driver's buffer for {', '.join(unverified)}: {sample['direct_errors'][:3]}")
    elif not onces:
        checks[f"samples_once_{name}"] = check("unsupported", "the driver offers no utilization or power samples (nvmlDeviceGetSamples)")
    else:
        counted = sum(o["sampler"] for _, _, o in onces)
        detail = "; ".join(bad) if bad else f"{counted} driver samples on {len(sample['devices'])} GPU(s), each passed on once"
        checks[f"samples_once_{name}"] = check("fail" if bad else "pass", detail)
    if d is None:
        checks[f"busy_{name}"] = check("skipped", f"NVML has no GPU {device}")
        checks[f"energy_{name}"] = check("skipped", f"NVML has no GPU {device}")
        return summary, checks
    summary.update(errors=d["errors"], disabled_fields=d["disabled_fields"], fields_supported=d.get("fields_supported"), readings=d["readings"],
                   means=d["means"], samples_once=d["samples_once"], slow_ticks=sample.get("slow_ticks"))
    summary["other_devices"] = [{"index": g["index"], "busy_share": r(g["busy"]["share"])} for g in sample["devices"] if g["index"] != device]

    busy = d["busy"]
    w = busy["window"]
    window_s = (w["end_ms"] - w["start_ms"]) / 1000
    # Driver sample timestamps are Unix µs on Linux; were they on another clock, the window
    # is moved to the probe's clock (to within a poll) before the load's times are laid on it.
    offset_s = (sample["window"]["end_ms"] - w["end_ms"]) / 1000
    shift = offset_s if abs(offset_s) > 10 else 0.0
    start, end = w["start_ms"] / 1000 + shift, w["end_ms"] / 1000 + shift
    expected = on_seconds(cycles, start, end) if load_ok else None
    covered = load_ok and cycles and cycles[0][0] <= start + 1.0 and cycles[-1][1] >= end - 1.0
    share_of = lambda s: None if s is None or window_s <= 0 else s / window_s
    summary["busy"] = {
        "sampler_s": r(busy["sampler_s"]), "window_source": busy["window_source"], "window_s": r(window_s, 3),
        "share": r(busy["share"]), "expected_s": r(expected), "expected_share": r(share_of(expected)),
        "from_driver_samples_share": r(share_of(busy["from_driver_samples_s"])), "from_direct_record_share": r(share_of(busy["from_direct_record_s"])),
        "from_readings_share": r(share_of(busy["from_readings_s"])),
        "driver_clock_offset_s": r(shift, 3) if shift else None,
    }
    if not load_ok:
        checks[f"busy_{name}"] = check("skipped", "no load ran (see load)")
    elif not covered:
        checks[f"busy_{name}"] = check("skipped", "the load did not run through the whole window")
    elif busy["share"] is None:
        checks[f"busy_{name}"] = check("skipped", "the window is empty")
    else:
        diff = busy["share"] - share_of(expected)
        status = "pass" if abs(diff) <= BUSY_TOLERANCE else "fail"
        checks[f"busy_{name}"] = check(
            status, f"busy share {busy['share']:.3f} ({busy['sampler_s']:.2f} s of {window_s:.2f} s, from {busy['window_source']}) "
            f"against the load's {share_of(expected):.3f}: difference {diff:+.3f}, allowed ±{BUSY_TOLERANCE}", difference=r(diff))

    e = d["energy"]
    summary["energy"] = {
        "sampler_source": e["sampler_source"], "window_s": r((e["window"]["end_ms"] - e["window"]["start_ms"]) / 1000, 3),
        "counter_j": r(e["counter_j"], 2), "power_readings_j": r(e["power_readings_j"], 2), "sampler_j": r(e["sampler_j"], 2),
        "mean_w": {k: r(v, 2) for k, v in e["mean_w"].items()},
        "power_readings_vs_counter": r(e["power_readings_vs_counter"]), "power_samples_vs_counter": r(e["power_samples_vs_counter"]),
        "sampler_vs_counter": r(e["sampler_vs_counter"]),
    }
    if e["counter_j"] is None:
        checks[f"energy_{name}"] = check("unsupported", "no energy counter (nvmlDeviceGetTotalEnergyConsumption) on this GPU")
    else:
        ratios = {k: e[k] for k in ("power_readings_vs_counter", "power_samples_vs_counter", "sampler_vs_counter") if e[k] is not None}
        off = {k: v for k, v in ratios.items() if abs(v - 1) > ENERGY_TOLERANCE}
        shown = ", ".join(f"{k.replace('_vs_counter', '')} {v:.3f}" for k, v in ratios.items())
        checks[f"energy_{name}"] = check(
            "fail" if off or not ratios else "pass",
            f"against the counter's {e['counter_j']:.1f} J ({e['mean_w']['counter'] or 0:.1f} W): {shown or 'no power to compare'}; allowed ±{ENERGY_TOLERANCE}")
    return summary, checks


METRICS = {
    # metric: the tolerance, as a function of the reference's mean. Paired readings agree when
    # either the median |difference| or the mean difference is within it: under the duty cycle
    # utilization, power and clocks jump twice a second, so pairs a few tens of ms apart differ
    # near each edge, but without bias; a wrong scale or field shows in both.
    "utilization_ratio": lambda mean: 0.05,
    "power_w": lambda mean: max(0.05 * mean, 10.0),
    "temperature_c": lambda mean: 2.0,
    "memory_used_bytes": lambda mean: 1.0 * GIB,
    "sm_clock_mhz": lambda mean: max(0.05 * mean, 50.0),
}


def paired(reference, series, max_dt):
    """Each reference row with the sampler's reading of the same GPU nearest in time."""
    by_gpu = {}
    for s in series:
        by_gpu.setdefault(s["gpu"], []).append(s)
    for rows in by_gpu.values():
        rows.sort(key=lambda s: s["t_ms"])
    out = []
    for ref in reference:
        rows = by_gpu.get(ref["gpu"])
        if not rows:
            continue
        times = [s["t_ms"] / 1000 for s in rows]
        k = bisect.bisect_left(times, ref["t"])
        near = min((j for j in (k - 1, k) if 0 <= j < len(rows)), key=lambda j: abs(times[j] - ref["t"]))
        if abs(times[near] - ref["t"]) <= max_dt:
            out.append((ref, rows[near]))
    return out


def compare(name, reference, series, max_dt):
    pairs = paired(reference, series, max_dt)
    metrics, failed = {}, []
    for metric, tolerance_of in METRICS.items():
        values = [(a[metric], b[metric]) for a, b in pairs if a.get(metric) is not None and b.get(metric) is not None]
        if len(values) < 3:
            metrics[metric] = {"pairs": len(values), "status": "skipped"}
            continue
        ref_mean = statistics.mean(a for a, _ in values)
        median_abs = statistics.median(abs(a - b) for a, b in values)
        bias = statistics.mean(b - a for a, b in values)
        tolerance = tolerance_of(abs(ref_mean))
        ok = min(median_abs, abs(bias)) <= tolerance
        metrics[metric] = {
            "pairs": len(values), "reference_mean": r(ref_mean, 3), "sampler_mean": r(statistics.mean(b for _, b in values), 3),
            "median_abs_difference": r(median_abs, 4), "mean_difference": r(bias, 4), "tolerance": r(tolerance, 4), "status": "pass" if ok else "fail",
        }
        if not ok:
            failed.append(f"{metric} differs by {median_abs:.3g} (median |difference|), {bias:+.3g} on average (allowed {tolerance:.3g})")
    compared = [m for m, v in metrics.items() if v["status"] != "skipped"]
    if not compared:
        return metrics, check("skipped", f"no readings of {name} to pair with the sampler's")
    detail = "; ".join(failed) if failed else f"{', '.join(compared)} agree over {len(pairs)} paired readings"
    return metrics, check("fail" if failed else "pass", detail)


def energy_rate(rows, start, end):
    """Mean watts from an energy counter's rows ({"t" s, "energy_counter_j"}) within [start, end]."""
    inside = [x for x in rows if start <= x["t"] <= end and x.get("energy_counter_j") is not None]
    if len(inside) < 2 or inside[-1]["t"] <= inside[0]["t"]:
        return None
    return (inside[-1]["energy_counter_j"] - inside[0]["energy_counter_j"]) / (inside[-1]["t"] - inside[0]["t"])


def held(samples, start_us, end_us):
    """∫ of driver utilization samples ([ts µs, percent]) over (start, end], in seconds."""
    points = sorted({(ts, v) for ts, v in samples if start_us < ts <= end_us})
    total, previous = 0.0, start_us
    for ts, v in points:
        total += v / 100 * (ts - previous)
        previous = ts
    return total / 1e6, points


def comparisons(readers, series, sample_100ms, device):
    out, checks = {}, {}
    smi = (readers or {}).get("nvidia_smi") or {}
    if not smi.get("available"):
        checks["nvidia_smi"] = check("skipped", smi.get("reason") or "the readers did not run")
        out["nvidia_smi"] = {"available": False, "reason": checks["nvidia_smi"]["detail"]}
    else:
        metrics, checks["nvidia_smi"] = compare("nvidia-smi", smi.get("rows", []), series, 0.15)
        calls = smi.get("call_ms") or []
        out["nvidia_smi"] = {"available": True, "info": smi.get("info"), "rows": len(smi.get("rows", [])), "errors": smi.get("errors", [])[:5],
                             "call_ms_median": r(statistics.median(calls), 2) if calls else None, "metrics": metrics}
    py = (readers or {}).get("pynvml") or {}
    if not py.get("available"):
        checks["pynvml"] = check("skipped", py.get("reason") or "the readers did not run")
        out["pynvml"] = {"available": False, "reason": checks["pynvml"]["detail"]}
        return out, checks
    rows = py.get("rows", [])
    metrics, verdict = compare("pynvml", rows, series, 0.075)
    entry = {"available": True, "version": py.get("version"), "rows": len(rows), "metrics": metrics}
    problems = [] if verdict["status"] != "fail" else [verdict["detail"]]
    # The energy counter read by both, as mean watts over the time both were reading.
    ours = [{"t": s["t_ms"] / 1000, "energy_counter_j": s.get("energy_counter_j")} for s in series if s["gpu"] == device]
    theirs = [x for x in rows if x["gpu"] == device]
    if ours and theirs:
        start, end = max(ours[0]["t"], theirs[0]["t"]), min(ours[-1]["t"], theirs[-1]["t"])
        a, b = energy_rate(theirs, start, end), energy_rate(ours, start, end)
        if a and b:
            entry["energy_counter_w"] = {"pynvml": r(a, 2), "sampler": r(b, 2), "ratio": r(b / a)}
            if abs(b / a - 1) > 0.03:
                problems.append(f"energy counter rate {b:.1f} W against pynvml's {a:.1f} W")
    # The same driver utilization samples, read by pynvml: the same busy seconds.
    d = next((g for g in (sample_100ms or {}).get("devices", []) if g["index"] == device), None)
    samples = (py.get("utilization_samples") or {}).get(str(device), [])
    if d and samples and d["busy"]["window_source"] == "driver_samples":
        w = d["busy"]["window"]
        start_us, end_us = round(w["start_ms"] * 1000), round(w["end_ms"] * 1000)
        busy, points = held(samples, start_us, end_us)
        first = min(ts for ts, _ in samples)
        if first <= start_us and points:
            entry["busy_s"] = {"pynvml": r(busy), "sampler": r(d["busy"]["sampler_s"])}
            if abs(busy - d["busy"]["sampler_s"]) > max(0.01 * busy, 0.05):
                problems.append(f"busy seconds from the same driver samples: {d['busy']['sampler_s']:.3f} s against pynvml's {busy:.3f} s")
        else:
            entry["busy_s"] = {"pynvml": None, "reason": "pynvml's samples do not cover the window"}
    out["pynvml"] = entry
    if verdict["status"] == "skipped" and not problems:
        checks["pynvml"] = verdict
    else:
        checks["pynvml"] = check("fail" if problems else "pass", "; ".join(problems) if problems else verdict["detail"] + ", and so do busy seconds and the energy counter")
    return out, checks


def bench_rows(runs, fields_devices, device):
    rows = []
    for key, s in runs.items():
        if not s or "busy" not in s:
            continue
        name = key.replace("ms", " ms")
        b, e = s["busy"], s["energy"]
        if b["expected_share"] is not None:
            rows.append({"case": f"busy share at {name} vs the load's duty cycle (GPU {device})", "value": b["share"], "unit": "ratio",
                         "ratio": r(b["share"] / b["expected_share"]) if b["expected_share"] else None, "target": f"within ±{BUSY_TOLERANCE} of {b['expected_share']:.3f}",
                         "met": abs(b["share"] - b["expected_share"]) <= BUSY_TOLERANCE})
        if e["power_readings_vs_counter"] is not None:
            rows.append({"case": f"∫power of readings / energy counter at {name}", "value": e["mean_w"]["power_readings"], "unit": "W",
                         "ratio": e["power_readings_vs_counter"], "target": f"1 ± {ENERGY_TOLERANCE}", "met": abs(e["power_readings_vs_counter"] - 1) <= ENERGY_TOLERANCE})
        for kind, o in (s.get("samples_once") or {}).items():
            if o:
                rows.append({"case": f"{kind} driver samples lost or repeated at {name}", "value": o["missing"] + o["duplicates"], "unit": f"of {o['direct']}",
                             "target": "0", "met": o["exactly_once"]})
        if s.get("tick_ratio") is not None:
            rows.append({"case": f"sampling ticks achieved at {name}", "value": s["ticks"], "unit": "ticks", "ratio": s["tick_ratio"]})
    for d in fields_devices[:1]:
        for c in d["calls"]:
            if c["call"] in ("nvmlDeviceGetUtilizationRates", "nvmlDeviceGetPowerUsage", "nvmlDeviceGetSamples(NVML_GPU_UTILIZATION_SAMPLES, lastSeen)", "nvmlDeviceGetPcieThroughput(TX_BYTES)") and c["status"] == "ok":
                rows.append({"case": f"{c['call']} median latency", "value": c["median_us"], "unit": "µs"})
    return rows


def verdict_of(checks):
    statuses = {k: v["status"] for k, v in checks.items()}
    if any(s == "fail" for s in statuses.values()):
        return "fail"
    if any(statuses.get(k, "skipped") == "skipped" for k in ESSENTIAL):
        return "incomplete"
    return "pass"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", type=int, default=0, help="the CUDA index the load was given")
    p.add_argument("--started", type=float, default=None, help="Unix time the probe started")
    args = p.parse_args()
    folder = args.dir
    path = lambda name: os.path.join(folder, name)

    steps = steps_of(folder)
    fields = read_json(path("fields.json"))
    samples = {"1ms": read_json(path("sample-1ms.json")), "100ms": read_json(path("sample-100ms.json"))}
    series = read_lines(path("series-100ms.jsonl"))
    ready, load_error, cycles, done = load_of(read_lines(path("load.jsonl")))
    readers = read_json(path("readers.json"))

    checks = {}
    table = fields_table(fields)
    if fields:
        supported = sum(c["status"] == "ok" for d in table for c in d["calls"])
        total = sum(len(d["calls"]) for d in table)
        checks["driver"] = check("pass", f"NVML {fields.get('nvml_version')} answers {supported} of {total} calls on {fields['device_count']} GPU(s)")
    else:
        fields_step = next((s for s in steps if s["name"] == "fields"), None)
        checks["driver"] = check("fail", f"gpu-probe fields gave no result: {(fields_step or {}).get('stderr') or 'not run'}")

    device, matched_by = loaded_index(ready, (fields or {}).get("devices", []), args.device)
    load_ok = ready is not None and bool(cycles)
    duty = on_seconds(cycles, cycles[0][0], cycles[-1][1]) / (cycles[-1][1] - cycles[0][0]) if len(cycles) > 1 else None
    load = {
        "ran": load_ok, "device": device, "matched_by": matched_by, "ready": ready, "cycles": len(cycles), "done": done,
        "measured_duty": r(duty),
        "error": (load_error or {}).get("reason") or (None if load_ok else tail(path("load.err")) or "the load did not start (not ready in time, or no output)"),
    }

    runs = {}
    for name, sample in samples.items():
        runs[name], found = run_summary(name, sample, cycles, load_ok, device)
        checks.update(found)
    compared, found = comparisons(readers, series, samples["100ms"], device)
    checks.update(found)
    verdict = verdict_of(checks)

    gpus = []
    for d in (fields or {}).get("devices", []):
        gpus.append({"index": d["index"], "name": d.get("name"), "uuid": d.get("uuid"), "pci_bus_id": value_of(d, "nvmlDeviceGetPciInfo_v3"),
                     "architecture": value_of(d, "nvmlDeviceGetArchitecture"), "memory": value_of(d, "nvmlDeviceGetMemoryInfo_v2"),
                     "power_limit_mw": (value_of(d, "nvmlDeviceGetEnforcedPowerLimit") or {}).get("milliwatts"),
                     "mig_mode": value_of(d, "nvmlDeviceGetMigMode")})
    names = sorted({g["name"] or "?" for g in gpus})
    machine = socket.gethostname()
    if fields:
        machine += f": {len(gpus)} × {', '.join(names) or 'no GPU'}, driver {fields.get('driver_version')}"
    now = datetime.datetime.now(datetime.timezone.utc)
    result = {
        "name": "gpu-real",
        "description": "The GPU sampler against this machine's NVIDIA driver (npm run gpu:probe): NVML call support and latency; "
                       "sampling at 1 ms and 100 ms under a duty-cycled PyTorch matmul; busy seconds against the duty cycle, the energy "
                       "counter against ∫power, every driver sample passed on once; the readings against nvidia-smi and pynvml.",
        "date": now.isoformat().replace("+00:00", "Z"),
        "machine": machine,
        "source": (fields or {}).get("source"),
        "verdict": verdict,
        "checks": checks,
        "rows": bench_rows(runs, table, device),
        "host": host(),
        "driver": {k: (fields or {}).get(k) for k in ("library", "driver_version", "nvml_version", "cuda_driver_version", "init_us")},
        "gpus": gpus,
        "fields": table,
        "field_support": field_support(table, samples["100ms"] or samples["1ms"], device),
        "load": load,
        "runs": runs,
        "comparisons": compared,
        "steps": steps,
        "duration_s": r(now.timestamp() - args.started, 1) if args.started else None,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    partial = args.out + ".tmp"
    with open(partial, "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(partial, args.out)
    summarize(result, args.out)
    return 0 if verdict == "pass" else 10


def summarize(result, out):
    print(f"gpu-probe: {result['machine']}" + (" (simulated: nvml-sim)" if result["source"] == "sim" else ""))
    for name, c in result["checks"].items():
        print(f"  {c['status']:<11} {name}: {c['detail']}")
    differ = result["field_support"]["differ"]
    if differ:
        print(f"  note        the sampler and the direct calls disagree on whether these fields are supported: {', '.join(differ)}")
    failed_steps = [s for s in result["steps"] if s["status"] != "ok"]
    for s in failed_steps:
        why = s.get("stderr") or (result["load"]["error"] if s["name"] == "load" else "")
        print(f"  step {s['name']} {s['status']} (exit {s['rc']})" + (f": {why[:200]}" if why else ""))
    print(f"gpu-probe: verdict {result['verdict']}; wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
