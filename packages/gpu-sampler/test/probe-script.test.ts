/**
 * scripts/gpu-probe.sh (`npm run gpu:probe`) on a machine without an NVIDIA driver: it says so,
 * exits 0 and writes nothing. Then the whole probe against nvml-sim, with stand-ins for
 * nvidia-smi and the PyTorch load, so that every step and the result file are exercised here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const script = join(root, 'scripts/gpu-probe.sh');
const benchResult = join(root, 'bench/results/gpu-real.json');
const binary = join(root, 'target/debug/gpu-probe');
const simLibrary = join(root, 'target/debug/libnvml_sim.so');
const ci = process.env.CI === 'true';
const work = mkdtempSync(join(tmpdir(), 'gpu-probe-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without the probe's settings, then `env`. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GPU_PROBE_') && k !== 'ORFEAS_NVML_LIBRARY'));
  return { ...clean, ...env };
}

function probe(env: Record<string, string>, scriptPath = script, cwd = root): Run {
  const run = spawnSync('bash', [scriptPath], { cwd, env: environment(env), encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** probe() without blocking, so that the whole-probe runs (several seconds each) overlap. */
function probeAsync(env: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [script], { cwd: root, env: environment(env), timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** Whether bench/results/gpu-real.json is as it was (absent, or the same file untouched). */
function benchResultState(): string {
  return existsSync(benchResult) ? `${statSync(benchResult).mtimeMs}` : 'absent';
}

it('says there is no driver, exits 0 and writes nothing, without nvidia-smi or the binary', () => {
  // A copy of the script alone in a folder, as on a machine it was copied to.
  const folder = mkdtempSync(join(work, 'alone-'));
  copyFileSync(script, join(folder, 'gpu-probe.sh'));
  const before = benchResultState();
  const run = probe({ GPU_PROBE_NVIDIA_SMI: '/nonexistent/nvidia-smi' }, join(folder, 'gpu-probe.sh'), folder);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('gpu-probe: no NVIDIA driver (/nonexistent/nvidia-smi not found');
  expect(run.stdout).toContain('nothing written');
  expect(readdirSync(folder)).toEqual(['gpu-probe.sh']);
  expect(benchResultState()).toBe(before);
});

it('names the build command when nvidia-smi is there but the binary is not', () => {
  const folder = mkdtempSync(join(work, 'no-binary-'));
  copyFileSync(script, join(folder, 'gpu-probe.sh'));
  const smi = fakeNvidiaSmi(folder);
  const run = probe({ GPU_PROBE_NVIDIA_SMI: smi }, join(folder, 'gpu-probe.sh'), folder);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain("cargo build --release -p gpu-probe");
});

const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const cargoMissing = cargo.error || cargo.status !== 0 ? 'cargo (Rust)' : undefined;
const pythonMissing = python.error || python.status !== 0 ? 'python3' : undefined;
if (cargoMissing && !ci) console.warn(`[gpu-sampler tests] probe binary checks skipped: ${cargoMissing} is missing`);

describe.skipIf(cargoMissing !== undefined && !ci)('with the gpu-probe binary', () => {
  beforeAll(() => {
    expect(cargoMissing, `${cargoMissing} is missing`).toBeUndefined();
    const build = spawnSync('cargo', ['build', '-p', 'gpu-probe', '-p', 'nvml-sim'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
  }, 600_000);

  it('says the binary found no driver, exits 0 and writes nothing', () => {
    const out = join(work, 'no-driver.json');
    const before = benchResultState();
    const run = probe({ GPU_PROBE_BIN: binary, GPU_PROBE_LIBRARY: '/nonexistent/libnvidia-ml.so.1', GPU_PROBE_OUT: out });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('gpu-probe: no NVIDIA driver (/nonexistent/libnvidia-ml.so.1 could not be loaded: ');
    expect(run.stdout).toContain('nothing written');
    expect(existsSync(out)).toBe(false);
    expect(benchResultState()).toBe(before);
  });

  it('refuses another NVML without an output file of its own', () => {
    const run = probe({ GPU_PROBE_BIN: binary, GPU_PROBE_LIBRARY: simLibrary });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('set GPU_PROBE_OUT too');
  });

  // Each run is its own set of processes with its own sim session: they run side by side.
  describe.skipIf(pythonMissing !== undefined && !ci)('the whole probe on nvml-sim', () => {
    const scenario = {
      devices: [{ name: 'Probe GPU', utilization: 60, powerWatts: 150, temperature: 50, memoryUsedBytes: 4 * 2 ** 30, samples: { periodMs: 10, size: 200 } }],
    };
    const env = () => ({
      GPU_PROBE_BIN: binary,
      GPU_PROBE_LIBRARY: simLibrary,
      GPU_PROBE_SECONDS: '1',
      GPU_PROBE_NVIDIA_SMI: fakeNvidiaSmi(work),
      NVML_SIM_SCENARIO: JSON.stringify(scenario),
    });

    it.concurrent('writes the result with every check passed when the load is what the GPU shows', async ({ expect }) => {
      expect(pythonMissing, `${pythonMissing} is missing`).toBeUndefined();
      const out = join(work, 'sim.json');
      const run = await probeAsync({ ...env(), GPU_PROBE_OUT: out, GPU_PROBE_LOAD: fakeLoad(work, 0.6) });
      expect(run.stderr).toBe('');
      expect(run.status, run.stdout).toBe(0);
      expect(run.stdout).toContain('(simulated: nvml-sim)');
      const result = JSON.parse(readFileSync(out, 'utf8')) as ProbeResult;
      expect(result).toMatchObject({ name: 'gpu-real', source: 'sim', verdict: 'pass' });
      for (const check of ['driver', 'busy_1ms', 'busy_100ms', 'energy_1ms', 'energy_100ms', 'samples_once_1ms', 'samples_once_100ms', 'nvidia_smi']) {
        expect(result.checks[check]?.status, `${check}: ${result.checks[check]?.detail}`).toBe('pass');
      }
      expect(result.runs['1ms']?.busy.expected_share).toBeCloseTo(0.6, 2);
      expect(result.runs['100ms']?.busy.share).toBeCloseTo(0.6, 6);
      expect(result.fields[0]?.name).toBe('Probe GPU');
      expect(result.rows.length).toBeGreaterThan(4);
    });

    it.concurrent('fails the busy check when the load says the GPU worked more than it shows', async ({ expect }) => {
      const out = join(work, 'sim-off.json');
      const run = await probeAsync({ ...env(), GPU_PROBE_OUT: out, GPU_PROBE_LOAD: fakeLoad(work, 0.9) });
      expect(run.status).toBe(1);
      const result = JSON.parse(readFileSync(out, 'utf8')) as ProbeResult;
      expect(result.verdict).toBe('fail');
      expect(result.checks.busy_100ms?.status).toBe('fail');
      expect(result.checks.energy_100ms?.status).toBe('pass');
    });

    it.concurrent('writes partial results, verdict incomplete, when the load cannot start', async ({ expect }) => {
      const out = join(work, 'sim-no-torch.json');
      const load = join(work, 'no-torch.py');
      writeFileSync(load, 'import json, sys\nprint(json.dumps({"event": "error", "reason": "torch is not installed"}), flush=True)\nsys.exit(3)\n');
      const run = await probeAsync({ ...env(), GPU_PROBE_OUT: out, GPU_PROBE_LOAD: load });
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('the load did not start (torch is not installed)');
      const result = JSON.parse(readFileSync(out, 'utf8')) as ProbeResult;
      expect(result.verdict).toBe('incomplete');
      expect(result.checks.busy_1ms?.status).toBe('skipped');
      expect(result.checks.samples_once_1ms?.status).toBe('pass');
    });
  });
});

describe.skipIf(pythonMissing !== undefined && !ci)('gpu-load.py', () => {
  it('reports each on-phase as it ran, and stops at SIGTERM', async ({ expect }) => {
    expect(pythonMissing, `${pythonMissing} is missing`).toBeUndefined();
    const load = join(root, 'scripts/gpu-load.py');
    const env = { ...process.env, PYTHONPATH: fakeTorch(work) };
    const run = spawnSync('python3', [load, '--seconds', '1', '--period', '0.2', '--duty', '0.5', '--size', '64'], { env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; on?: number; off?: number; name?: string });
    expect(lines[0]).toMatchObject({ event: 'ready', name: 'Test GPU', duty: 0.5, period_s: 0.2 });
    expect(lines.at(-1)).toMatchObject({ event: 'done', cycles: 5, stopped: false });
    const cycles = lines.filter((l) => l.event === 'cycle').map((c) => ({ on: c.on ?? NaN, off: c.off ?? NaN }));
    expect(cycles).toHaveLength(5);
    // Each on-phase starts on its period's schedule and ends after it started and before the
    // next; together about half the time (a loaded machine wakes the load late, shortening them).
    const first = cycles[0]?.on ?? NaN;
    for (const [k, c] of cycles.entries()) {
      expect(c.on - first).toBeGreaterThanOrEqual(k * 0.2 - 0.01);
      expect(c.on - first).toBeLessThan(k * 0.2 + 0.1);
      expect(c.off).toBeGreaterThan(c.on);
      expect(c.off).toBeLessThanOrEqual(cycles[k + 1]?.on ?? Infinity);
    }
    const on = cycles.reduce((sum, c) => sum + c.off - c.on, 0);
    expect(on / 5).toBeGreaterThan(0.05);
    expect(on / 5).toBeLessThan(0.15);

    const child = spawn('python3', [load, '--seconds', '60', '--period', '0.2'], { env });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await new Promise((done) => setTimeout(done, 1000));
    const sent = Date.now();
    child.kill('SIGTERM');
    const status = await new Promise((done) => child.on('close', done));
    expect(status).toBe(0);
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(stdout.trim().split('\n').at(-1)).toContain('"stopped": true');
  });
});

/** A torch module with what gpu-load.py calls, without a GPU: a matmul takes 1 ms. */
function fakeTorch(folder: string): string {
  const dir = join(folder, 'fake-torch');
  mkdirSync(join(dir, 'torch'), { recursive: true });
  writeFileSync(
    join(dir, 'torch/__init__.py'),
    `import time, types
__version__ = "0.0-test"
float16 = "torch.float16"
version = types.SimpleNamespace(cuda="12.test")
def device(kind, index): return (kind, index)
def randn(*shape, device=None, dtype=None): return object()
def empty_like(x): return object()
def mm(a, b, out=None): time.sleep(0.001)
props = types.SimpleNamespace(name="Test GPU", uuid="5157a000-0000-4000-8000-000000000000")
cuda = types.SimpleNamespace(is_available=lambda: True, device_count=lambda: 1, set_device=lambda d: None,
                             get_device_properties=lambda d: props, synchronize=lambda: None)
`,
  );
  return dir;
}

interface ProbeResult {
  name: string;
  source: string;
  verdict: string;
  checks: Record<string, { status: string; detail: string } | undefined>;
  runs: Record<string, { busy: { share: number; expected_share: number } } | undefined>;
  fields: { name: string }[];
  rows: unknown[];
}

/** nvidia-smi answering the scenario's values, as the real one prints them with nounits. */
function fakeNvidiaSmi(folder: string): string {
  const path = join(folder, 'nvidia-smi');
  writeFileSync(
    path,
    `#!/usr/bin/env bash
case "$*" in
  *--query-gpu=index,name,*) echo "0, Probe GPU, GPU-5157a000-0000-4000-8000-000000000000, 550.54.15, 00000000:00:00.0, 24576, 300.00, 1410, Enabled" ;;
  *--query-gpu=index,utilization.gpu,*) echo "0, 60, 150.00, 50, 4096, 1410" ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
`,
    { mode: 0o755 },
  );
  return path;
}

/** A load that reports 10 ms periods, `duty` of each on (gpu-load.py's protocol, no GPU). */
function fakeLoad(folder: string, duty: number): string {
  const path = join(folder, `load-${duty}.py`);
  writeFileSync(
    path,
    `import json, signal, time
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
print(json.dumps({"event": "ready", "t": time.time(), "uuid": None}), flush=True)
start, k = time.time(), 0
while not stop and k < 6000:
    on = start + k * 0.01
    while time.time() < on + 0.01 * ${duty}:
        time.sleep(0.001)
    print(json.dumps({"event": "cycle", "on": on, "off": on + 0.01 * ${duty}}), flush=True)
    k += 1
print(json.dumps({"event": "done", "t": time.time()}), flush=True)
`,
  );
  return path;
}
