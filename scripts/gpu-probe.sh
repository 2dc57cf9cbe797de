#!/usr/bin/env bash
# The GPU probe (`npm run gpu:probe`): checks the ORFEAS GPU sampler against this machine's
# NVIDIA driver in about a minute and writes bench/results/gpu-real.json (see README.md, "GPU
# probe"). It needs the gpu-probe binary (cargo build --release -p gpu-probe), bash, coreutils,
# python3 with PyTorch for the load (pynvml optional) and nvidia-smi; no Node, no cargo. To run
# it on another machine, copy this script, gpu-load.py, gpu-readers.py, gpu-probe-report.py and
# the binary into one folder there.
#
# Settings (environment):
#   GPU_PROBE_BIN        the binary (default: target/release/gpu-probe, else next to this script)
#   GPU_PROBE_OUT        the result file (default: bench/results/gpu-real.json of the repository,
#                        or ./gpu-real.json when run from a copied folder)
#   GPU_PROBE_SECONDS    length of each sampling run's window (default 15)
#   GPU_PROBE_DEVICE     the CUDA device the load runs on (default 0)
#   GPU_PROBE_PYTHON     python3 with torch (default python3)
#   GPU_PROBE_NVIDIA_SMI nvidia-smi (default nvidia-smi)
#   GPU_PROBE_LIBRARY    another NVML library, e.g. nvml-sim's (then GPU_PROBE_OUT is required)
#   GPU_PROBE_LOAD       the load script (default gpu-load.py next to this script)
#   GPU_PROBE_KEEP=1     keep the work folder with every step's raw output
#
# Exit codes: 0 every check passed, or there is no NVIDIA driver (then nothing is written);
# 1 results written, but a check failed or could not run (the file says which and why);
# 2 the probe cannot run here (binary, python3 or timeout missing, or a bad setting).
# A normal run takes about a minute; every step has a time limit, and the limits add up to
# under 5 minutes, so a hung driver call or load cannot keep it longer.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -f $here/../Cargo.toml && -d $here/../crates/gpu-probe ]]; then
  root=$(cd "$here/.." && pwd)
  default_out=$root/bench/results/gpu-real.json
else
  root=$here
  default_out=$PWD/gpu-real.json
fi
run_seconds=${GPU_PROBE_SECONDS:-15}
device=${GPU_PROBE_DEVICE:-0}
python=${GPU_PROBE_PYTHON:-python3}
smi=${GPU_PROBE_NVIDIA_SMI:-nvidia-smi}
load=${GPU_PROBE_LOAD:-$here/gpu-load.py}
library=${GPU_PROBE_LIBRARY:-}
# The probe is about the driver: the sampler's own override must not send it elsewhere.
unset ORFEAS_NVML_LIBRARY

say() { printf 'gpu-probe: %s\n' "$*"; }
die() {
  local code=$1
  shift
  printf 'gpu-probe: %s\n' "$*" >&2
  exit "$code"
}

if ! [[ $run_seconds =~ ^[0-9]{1,3}$ ]] || ((10#$run_seconds < 1 || 10#$run_seconds > 120)); then
  die 2 "GPU_PROBE_SECONDS must be a whole number from 1 to 120, got '$run_seconds'"
fi
run_seconds=$((10#$run_seconds))
[[ $device =~ ^[0-9]+$ ]] || die 2 "GPU_PROBE_DEVICE must be a CUDA device index (0, 1, ...), got '$device'"
if [[ -n $library && -z ${GPU_PROBE_OUT:-} ]]; then
  die 2 "GPU_PROBE_LIBRARY points the probe at another NVML ($library): set GPU_PROBE_OUT too, so that its figures never land in $default_out"
fi
out=${GPU_PROBE_OUT:-$default_out}

find_binary() {
  if [[ -n ${GPU_PROBE_BIN:-} ]]; then
    [[ -x $GPU_PROBE_BIN ]] || die 2 "GPU_PROBE_BIN=$GPU_PROBE_BIN is not an executable file"
    printf '%s\n' "$GPU_PROBE_BIN"
    return
  fi
  local candidate
  for candidate in "$root/target/release/gpu-probe" "$here/gpu-probe"; do
    if [[ -x $candidate ]]; then
      printf '%s\n' "$candidate"
      return
    fi
  done
}

bin=$(find_binary)
have_smi=false
if command -v "$smi" >/dev/null 2>&1; then have_smi=true; fi
if [[ -z $bin ]]; then
  if ! $have_smi; then
    say "no NVIDIA driver ($smi not found, and no gpu-probe binary to ask NVML): nothing written"
    exit 0
  fi
  die 2 "the gpu-probe binary is missing (looked for \$GPU_PROBE_BIN, $root/target/release/gpu-probe, $here/gpu-probe): build it with 'cargo build --release -p gpu-probe' or copy it next to this script"
fi
command -v timeout >/dev/null 2>&1 || die 2 "timeout (GNU coreutils) is missing: every step runs under it so that none can hang"
lib_args=()
if [[ -n $library ]]; then lib_args=(--library "$library"); fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-probe.XXXXXX")
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${GPU_PROBE_KEEP:-} == 1 ]]; then
    say "work folder kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$work/steps.tsv"; }

# step NAME LIMIT_S OUTPUT CMD...: runs CMD under timeout, stdout to OUTPUT, stderr to NAME.err;
# records its exit code and returns it.
step() {
  local name=$1 limit=$2 output=$3 t0=$SECONDS rc=0
  shift 3
  timeout -k 5 "$limit" "$@" >"$output" 2>"$work/$name.err" || rc=$?
  record "$name" "$rc" "$((SECONDS - t0))"
  return "$rc"
}

# 1. The driver, every NVML call the sampler makes, and their latencies.
say "NVML calls and their latency ..."
rc=0
step fields 60 "$work/fields.json" "$bin" ${lib_args[@]+"${lib_args[@]}"} fields || rc=$?
if ((rc == 3)); then
  say "$(tail -n 1 "$work/fields.err" | sed 's/^gpu-probe: //'): nothing written"
  exit 0
fi
driver_ok=true
if ((rc != 0)); then
  driver_ok=false
  say "gpu-probe fields failed (exit $rc): $(tail -n 1 "$work/fields.err")"
fi
$have_smi || say "$smi not found: the comparison with nvidia-smi is skipped"
for helper in gpu-readers.py gpu-probe-report.py; do
  [[ -f $here/$helper ]] || die 2 "$here/$helper is missing: copy it with this script (it comes from the repository's scripts/ folder)"
done

write_fallback() {
  # Without python3 the report cannot be assembled: still leave what is known.
  mkdir -p "$(dirname "$out")"
  {
    printf '{"name": "gpu-real", "verdict": "incomplete", "reason": "%s",\n "fields": ' "$1"
    if [[ -s $work/fields.json ]]; then cat "$work/fields.json"; else printf 'null'; fi
    printf '}\n'
  } >"$out.tmp" && mv "$out.tmp" "$out"
  say "verdict incomplete ($1); wrote $out"
}
if ! command -v "$python" >/dev/null 2>&1; then
  write_fallback "python3 not found: it runs the load and assembles the results"
  exit 1
fi

if $driver_ok; then
  # 2. The load: a duty-cycled matmul, long enough for both sampling runs.
  load_seconds=$((2 * (run_seconds + 4) + 12))
  say "starting the load on CUDA device $device (50 % on, 50 % off in 1 s periods, ${load_seconds} s) ..."
  load_t0=$SECONDS
  # Not under timeout: it ends by itself after --seconds, and is stopped here by its own pid
  # (a signal to a timeout wrapper would not reach it once the wrapper is killed).
  CUDA_DEVICE_ORDER=PCI_BUS_ID "$python" "$load" --device "$device" --seconds "$load_seconds" --period 1 --duty 0.5 \
    >"$work/load.jsonl" 2>"$work/load.err" &
  load_pid=$!
  pids+=("$load_pid")
  load_state=starting
  for _ in $(seq 1 300); do # 60 s for CUDA to come up
    if grep -q '"event": "ready"' "$work/load.jsonl" 2>/dev/null; then
      load_state=ready
      break
    fi
    if ! kill -0 "$load_pid" 2>/dev/null; then
      load_state=exited
      break
    fi
    sleep 0.2
  done
  if [[ $load_state != ready ]]; then
    rc=0
    if [[ $load_state == exited ]]; then
      wait "$load_pid" || rc=$?
    else
      # Still not up after 60 s: it must not start loading the GPU in the middle of the runs.
      kill -KILL "$load_pid" 2>/dev/null || true
      wait "$load_pid" 2>/dev/null || true
      rc=124
    fi
    record load "$rc" "$((SECONDS - load_t0))"
    if ((rc == 124)); then
      reason="not ready after 60 s"
    else
      reason=$(grep -o '"reason": "[^"]*"' "$work/load.jsonl" 2>/dev/null | head -n 1 | cut -d'"' -f4 || true)
      reason=${reason:-exit $rc: $(tail -n 1 "$work/load.err" 2>/dev/null || true)}
    fi
    say "the load did not start ($reason): sampling an unloaded GPU, busy checks skipped"
  fi

  # 3. Sampling at 1 ms, then at 100 ms with NVIDIA's readers alongside.
  say "sampling at 1 ms for ${run_seconds} s ..."
  step sample-1ms $((run_seconds + 30)) "$work/sample-1ms.json" "$bin" ${lib_args[@]+"${lib_args[@]}"} sample --interval-ms 1 --seconds "$run_seconds" || true
  say "sampling at 100 ms for ${run_seconds} s, with nvidia-smi and pynvml ..."
  readers_t0=$SECONDS
  timeout -k 5 $((run_seconds + 45)) "$python" "$here/gpu-readers.py" --seconds $((run_seconds + 4)) --nvidia-smi "$smi" \
    --library "$library" --out "$work/readers.json" --started "$work/readers.started" >/dev/null 2>"$work/readers.err" &
  readers_pid=$!
  pids+=("$readers_pid")
  # The sampler's window must fall inside the readers' time: wait until they are reading.
  for _ in $(seq 1 100); do
    [[ -e $work/readers.started ]] && break
    kill -0 "$readers_pid" 2>/dev/null || break
    sleep 0.2
  done
  step sample-100ms $((run_seconds + 30)) "$work/sample-100ms.json" "$bin" ${lib_args[@]+"${lib_args[@]}"} sample --interval-ms 100 --seconds "$run_seconds" \
    --series "$work/series-100ms.jsonl" || true
  rc=0
  wait "$readers_pid" || rc=$?
  record readers "$rc" "$((SECONDS - readers_t0))"

  # 4. Stop the load (it handles SIGTERM between two batches of about 5 ms, and exits 0).
  if [[ $load_state == ready ]]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$load_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$load_pid" 2>/dev/null || true
    rc=0
    wait "$load_pid" || rc=$?
    # 137: it ignored SIGTERM for 10 s and was killed.
    record load "$rc" "$((SECONDS - load_t0))"
  fi
fi

# 5. The result file and the summary.
# Its exit code: 0 written with verdict pass, 10 written with another verdict, else it failed.
rc=0
timeout -k 5 30 "$python" "$here/gpu-probe-report.py" --dir "$work" --out "$out" --device "$device" --started "$started" 2>"$work/report.err" || rc=$?
case $rc in
  0) exit 0 ;;
  10) exit 1 ;;
  *)
    say "the report failed (exit $rc): $(tail -n 3 "$work/report.err")"
    write_fallback "the report script failed (exit $rc)"
    exit 1
    ;;
esac
