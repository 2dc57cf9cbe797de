/**
 * @orfeas/metrics and @orfeas/gpu-sampler as another team gets them: packed into tarballs,
 * installed in a fresh project outside the repository with no cargo or rustc on the PATH, and
 * used by a small Hono service (fixtures/service.mjs) whose /metrics must show the HTTP family
 * and simulated GPUs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from './support/needs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const native = join(root, 'packages/gpu-sampler/native');
const missing =
  existsSync(native) && readdirSync(native).some((f) => f.endsWith('.node')) && existsSync(join(native, 'libnvml_sim.so'))
    ? undefined
    : `the gpu-sampler addon is not built in ${native}: run \`npm run build -w @orfeas/gpu-sampler\` (needs Rust's cargo)`;

const work = mkdtempSync(join(tmpdir(), 'orfeas-packages-'));
const packs = join(work, 'packs');
const project = join(work, 'service');
const services: ChildProcess[] = [];
let env: NodeJS.ProcessEnv = {};
let identity = '';

function findOnPath(name: string, path: string): string | undefined {
  return path.split(delimiter).map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/**
 * The environment of a machine without Rust: PATH without the folders holding cargo or rustc
 * (node and npm linked into a folder of their own in case they shared one), and nothing that
 * points back into this repository (npm's settings of the run that started vitest, ORFEAS_*).
 */
function withoutRust(): NodeJS.ProcessEnv {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const npm = findOnPath('npm', process.env.PATH ?? '');
  if (!npm) throw new Error(`npm is not on the PATH (${process.env.PATH})`);
  symlinkSync(npm, join(bin, 'npm'));
  const kept = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir && !existsSync(join(dir, 'cargo')) && !existsSync(join(dir, 'rustc')));
  // npm's cache, registry and proxy settings are the machine's and stay; the rest of npm_* is the running script's.
  const machineNpm = /^npm_config_(cache|registry|userconfig|globalconfig|https?_proxy|proxy|noproxy|cafile|strict_ssl)$/i;
  const inherited = Object.entries(process.env).filter(
    ([key]) => machineNpm.test(key) || !/^(npm_|INIT_CWD$|ORFEAS_|NVML_SIM_|NODE_OPTIONS$|NODE_PATH$|VITEST)/i.test(key),
  );
  return { ...Object.fromEntries(inherited), PATH: [bin, ...kept].join(delimiter) };
}

function sh(command: string, args: string[], cwd: string): string {
  const run = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Starts fixtures/service.mjs in the project; resolves with its base URL and what it wrote to stderr. */
async function startService(): Promise<{ url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['service.mjs'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  services.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not listen within 30 s:\n${stdout}\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const listening = /listening on (\d+)/.exec(stdout);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, stderr: () => stderr };
}

/** /metrics once it shows `until` (the sampler's first tick may come after the port opens). */
async function scrape(url: string, until: RegExp): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (until.test(text) || Date.now() > end) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  if (missing) return;
  env = withoutRust();
  mkdirSync(packs);
  sh('npm', ['pack', '-w', '@orfeas/metrics', '--pack-destination', packs], root);
  sh('npm', ['run', 'pack', '-w', '@orfeas/gpu-sampler', '--', packs], root);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  identity = tarballs.map((f) => /^orfeas-gpu-sampler-(linux-.+)-\d+\.\d+\.\d+\.tgz$/.exec(f)?.[1]).find(Boolean) ?? '';

  // Hono from the registry, in the versions @orfeas/metrics is developed against.
  const devDeps = JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8')).devDependencies;
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'orfeas-packages-check', private: true, type: 'module' }));
  copyFileSync(fileURLToPath(new URL('./fixtures/service.mjs', import.meta.url)), join(project, 'service.mjs'));
  sh(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs.map((f) => join(packs, f)), `hono@${devDeps.hono}`, `@hono/node-server@${devDeps['@hono/node-server']}`],
    project,
  );
});

afterAll(() => {
  for (const child of services) child.kill();
  rmSync(work, { recursive: true, force: true });
});

it('installs from the tarballs without Rust: the addon and nvml-sim from the platform package', (ctx) => {
  needs(ctx, missing);
  expect(findOnPath('cargo', env.PATH!)).toBeUndefined();
  expect(findOnPath('rustc', env.PATH!)).toBeUndefined();
  expect(identity).toMatch(/^linux-(x64|arm64)-(gnu|musl)$/);
  const installed = join(project, 'node_modules/@orfeas');
  // The main package holds no native code; npm picked the platform package beside it.
  expect(existsSync(join(installed, 'gpu-sampler/native'))).toBe(false);
  expect(readdirSync(join(installed, `gpu-sampler-${identity}`)).sort()).toEqual(
    [`gpu-sampler.${identity}.node`, 'libnvml_sim.so', 'nvml-sim-default.json', 'package.json', 'README.md'].sort(),
  );
  const manifest = JSON.parse(readFileSync(join(installed, 'gpu-sampler/package.json'), 'utf8'));
  expect(Object.keys(manifest.optionalDependencies).sort()).toEqual(
    ['linux-arm64-gnu', 'linux-arm64-musl', 'linux-x64-gnu', 'linux-x64-musl'].map((p) => `@orfeas/gpu-sampler-${p}`),
  );
  expect(Object.values(manifest.optionalDependencies)).toEqual(Array(4).fill(manifest.version));
  const metrics = JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8'));
  expect(manifest.dependencies['@orfeas/metrics']).toBe(`^${metrics.version}`);
});

it('serves HTTP metrics by route pattern and simulated GPU metrics from the installed packages', async (ctx) => {
  needs(ctx, missing);
  const { url, stderr } = await startService();
  const item = await fetch(`${url}/items/42`);
  expect(item.status).toBe(200);
  expect(await item.json()).toEqual({ id: '42' });

  const metrics = await scrape(url, /^gpu_utilization_ratio\{/m);
  expect(stderr()).not.toContain('no GPU telemetry');
  expect(metrics).toContain('http_requests_total{method="GET",route="/items/:id",status="200"} 1\n');
  expect(metrics).toMatch(/^gpu_sampler_up 1$/m);
  expect(metrics).toMatch(/^gpu_info\{gpu="0",[^}]*source="sim"[^}]*\} 1$/m);
  const utilization = /^gpu_utilization_ratio\{gpu="0"\} (\S+)$/m.exec(metrics);
  expect(utilization, metrics).not.toBeNull();
  expect(Number(utilization![1])).toBeGreaterThanOrEqual(0);
  expect(Number(utilization![1])).toBeLessThanOrEqual(1);
});

it('runs without GPU telemetry, saying which package is missing, when the platform package is left out', async (ctx) => {
  needs(ctx, missing);
  rmSync(join(project, `node_modules/@orfeas/gpu-sampler-${identity}`), { recursive: true });
  const { url, stderr } = await startService();
  const metrics = await scrape(url, /^gpu_sampler_up /m);
  expect(metrics).toMatch(/^gpu_sampler_up 0$/m);
  expect(metrics).not.toMatch(/^gpu_info\{/m);
  // The service wrote the reason before listening; the pipe may deliver it a moment later.
  for (const end = Date.now() + 5_000; !stderr().includes('no GPU telemetry') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
  expect(stderr()).toContain(`no GPU telemetry: the addon for ${identity} is missing: the platform package @orfeas/gpu-sampler-${identity} is not installed`);
});
