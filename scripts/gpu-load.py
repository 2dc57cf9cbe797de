#!/usr/bin/env python3
"""A known GPU load for the GPU probe (scripts/gpu-probe.sh): matrix multiplies with PyTorch,
duty-cycled, by default 50 % on and 50 % off in 1 s periods.

Prints one JSON object a line, flushed at once:
  {"event": "ready", ...}   CUDA is up and one matmul is timed; the periods start now
  {"event": "cycle", "on": t, "off": t}   each on-phase, Unix seconds; "off" is taken after
                            torch.cuda.synchronize(), when the GPU has finished its work
  {"event": "done", ...}    the last period ended (or SIGTERM came)
  {"event": "error", "reason": "..."}   and exit code 3: torch missing or CUDA unusable

The probe computes the busy seconds it expects in any window from the cycles, so the load
only has to say truthfully when the GPU worked.
"""
import argparse
import json
import signal
import sys
import time


def emit(**fields):
    print(json.dumps(fields), flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", type=int, default=0, help="CUDA device index (default 0)")
    p.add_argument("--seconds", type=float, default=40.0, help="how long the periods run (default 40)")
    p.add_argument("--period", type=float, default=1.0, help="period, seconds (default 1)")
    p.add_argument("--duty", type=float, default=0.5, help="share of each period spent computing (default 0.5)")
    p.add_argument("--size", type=int, default=8192, help="matrix side (default 8192)")
    args = p.parse_args()
    if not 0.0 < args.duty < 1.0 or args.period <= 0 or args.seconds <= 0 or args.size < 64:
        p.error("--duty must be between 0 and 1, --period and --seconds positive, --size at least 64")
    return args


def open_device(index):
    """The CUDA device, or None after an error line."""
    try:
        import torch
    except ImportError as e:
        emit(event="error", reason=f"torch is not installed ({e}): pip install torch")
        return None, None
    if not torch.cuda.is_available():
        emit(event="error", reason="torch cannot use CUDA (torch.cuda.is_available() is False)", torch=torch.__version__)
        return None, None
    if index >= torch.cuda.device_count():
        emit(event="error", reason=f"CUDA device {index} does not exist ({torch.cuda.device_count()} visible)")
        return None, None
    return torch, torch.device("cuda", index)


def main():
    args = parse_args()
    torch, device = open_device(args.device)
    if device is None:
        return 3
    torch.cuda.set_device(device)
    props = torch.cuda.get_device_properties(device)
    dtype = torch.float16
    a = torch.randn(args.size, args.size, device=device, dtype=dtype)
    b = torch.randn(args.size, args.size, device=device, dtype=dtype)
    c = torch.empty_like(a)
    for _ in range(3):
        torch.mm(a, b, out=c)
    torch.cuda.synchronize()
    reps = 10
    t = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b, out=c)
    torch.cuda.synchronize()
    matmul_s = (time.perf_counter() - t) / reps
    # About 5 ms of work between synchronizations: the on-phase ends within 5 ms of its time,
    # and the GPU never waits on the CPU for long.
    batch = max(1, int(0.005 / matmul_s))

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    uuid = getattr(props, "uuid", None)
    emit(
        event="ready", t=time.time(), device=args.device, name=props.name, uuid=str(uuid) if uuid is not None else None,
        torch=torch.__version__, cuda=torch.version.cuda, dtype=str(dtype).replace("torch.", ""), size=args.size,
        matmul_ms=matmul_s * 1000, batch=batch, tflops=2 * args.size ** 3 / matmul_s / 1e12,
        period_s=args.period, duty=args.duty, seconds=args.seconds,
    )
    start = time.time()
    cycles = 0
    while not stopping:
        period_start = start + cycles * args.period
        if period_start >= start + args.seconds:
            break
        wait = period_start - time.time()
        if wait > 0:
            time.sleep(wait)
        if stopping:
            break
        on_end = period_start + args.duty * args.period
        on = time.time()
        while time.time() < on_end and not stopping:
            for _ in range(batch):
                torch.mm(a, b, out=c)
            torch.cuda.synchronize()
        emit(event="cycle", on=on, off=time.time())
        cycles += 1
    emit(event="done", t=time.time(), cycles=cycles, stopped=bool(stopping))
    return 0


if __name__ == "__main__":
    sys.exit(main())
