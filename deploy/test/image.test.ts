/**
 * The container image as an operator runs it: built from the root Dockerfile (`npm run image`),
 * started with a volume on a read-only root file system, a real image-to-3D job through the API,
 * stopped with SIGTERM, and started again on the same volume (tini is PID 1 and the data
 * directory's lock must not outlive the container). Needs podman, runc, debootstrap and cargo.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, IMAGE } from '../image/build.mjs';
import { missingTools, podman, PODMAN_RUN } from '../image/podman.mjs';
import { freePort, parseExposition, waitFor } from './support/http.js';
import { subjectPng } from './support/image.js';
import { needs } from './support/needs.js';
import { workspaceDirs } from './support/workspaces.js';

const root = new URL('../../', import.meta.url);
const missing = (() => {
  const tools = missingTools();
  if (tools.length > 0) return `podman, runc and debootstrap (apt-get install -y ${tools.join(' ')})`;
  if (spawnSync('cargo', ['--version']).status !== 0) return 'cargo (Rust), mounted into the image build';
  return undefined;
})();

const suffix = `${process.pid}-${Date.now().toString(36)}`;
const volume = `orfeas-image-test-${suffix}`;
const containers: string[] = [];

/** Starts the image detached with the data volume; returns its URL once /health answers. */
async function start(name: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const envArgs = Object.entries({ PORT: String(port), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  podman(['run', '-d', '--name', name, ...PODMAN_RUN, '--read-only', '--tmpfs', '/tmp', '-v', `${volume}:/data`, ...envArgs, IMAGE]);
  containers.push(name);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} to answer /health`, 60_000, async () => {
    const state = podman(['inspect', '--format', '{{.State.Status}}', name]).trim();
    if (state !== 'running') throw new Error(`${name} is ${state}: ${podman(['logs', name]).slice(-2000)}`);
    return (await fetch(`${url}/health`).catch(() => undefined))?.ok;
  });
  return url;
}

/** podman stop (SIGTERM, then SIGKILL after 10 s); the exit code and what the last lines said. */
function stop(name: string): { exitCode: number; seconds: number; logs: string } {
  const begin = performance.now();
  podman(['stop', '-t', '10', name]);
  const seconds = (performance.now() - begin) / 1000;
  const exitCode = Number(podman(['inspect', '--format', '{{.State.ExitCode}}', name]).trim());
  return { exitCode, seconds, logs: podman(['logs', name]) };
}

async function metrics(url: string) {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

let built: ReturnType<typeof buildImage> | undefined;
beforeAll(() => {
  if (missing) return;
  built = buildImage();
  console.log(`image: ${IMAGE} ${(built.bytes / 2 ** 20).toFixed(0)} MiB, built in ${built.seconds.toFixed(0)} s`);
  podman(['volume', 'create', volume]);
});

afterAll(() => {
  if (missing) return;
  for (const name of containers) spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'rm', '-f', name]);
  spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'volume', 'rm', '-f', volume]);
});

it('copies the manifest of every workspace before npm ci', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
  const dirs = workspaceDirs(new URL('package.json', root));
  expect(dirs.length).toBeGreaterThan(4);
  for (const dir of dirs) expect(dockerfile, `Dockerfile misses ${dir}/package.json`).toContain(`COPY ${dir}/package.json ${dir}/`);
});

describe('the image', () => {
  let jobId = '';
  let result: ArrayBuffer | undefined;

  it('declares a non-root user, production, the NVIDIA capability NVML needs, a health check and OCI labels', (ctx) => {
    needs(ctx, missing);
    const inspected = JSON.parse(podman(['image', 'inspect', IMAGE]))[0];
    const config = inspected.Config;
    expect(config.User).toBe('10001:10001');
    expect(config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'ORFEAS_DATA_DIR=/data', 'NVIDIA_VISIBLE_DEVICES=all', 'NVIDIA_DRIVER_CAPABILITIES=utility']));
    expect(Object.keys(config.Volumes ?? {})).toEqual(['/data']);
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--']);
    expect(inspected.Healthcheck?.Test?.join(' ')).toContain('/health');
    for (const label of ['title', 'description', 'version', 'revision', 'created', 'source']) {
      expect(config.Labels?.[`org.opencontainers.image.${label}`], label).toBeTruthy();
    }
  });

  // A real job on the CPU engines, with podman's start and stop around it: minutes of margin on a loaded 2-core machine.
  const SLOW = { timeout: 300_000 };

  it('without a driver reports gpu_sampler_up 0 and no device series, runs a real job as non-root, and stops on SIGTERM with exit 0', SLOW, async (ctx) => {
    needs(ctx, missing);
    const name = `orfeas-auto-${suffix}`;
    const url = await start(name, { ORFEAS_GPU: 'auto', WORKER_CONCURRENCY: '1' });
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const studio = await fetch(`${url}/`);
    expect(studio.status).toBe(200);
    expect(studio.headers.get('content-type')).toMatch(/^text\/html/);
    const samples = await metrics(url);
    expect(samples.find((s) => s.name === 'gpu_sampler_up')?.value).toBe(0);
    expect(samples.filter((s) => s.labels.gpu !== undefined)).toEqual([]);
    expect(await (await fetch(`${url}/api/v1/gpu`)).json()).toMatchObject({ available: false, source: 'unavailable' });

    // Every process in the container (tini and node) runs as the image's user.
    const users = podman(['top', name, 'user']).trim().split('\n').slice(1).map((line) => line.trim());
    expect(users.length).toBeGreaterThanOrEqual(2);
    expect(new Set(users)).toEqual(new Set(['orfeas']));
    expect(spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', 'healthcheck', 'run', name]).status).toBe(0);

    const form = new FormData();
    form.set('image', new Blob([await subjectPng(128)], { type: 'image/png' }), 'subject.png');
    form.set('format', 'glb');
    form.set('quality', 'low');
    const accepted = await fetch(`${url}/api/v1/generations`, { method: 'POST', body: form });
    expect(accepted.status).toBe(202);
    jobId = ((await accepted.json()) as { jobId: string }).jobId;
    const job = await waitFor(`job ${jobId} to end`, 120_000, async () => {
      const view = (await (await fetch(`${url}/api/v1/jobs/${jobId}`)).json()) as { state: string };
      return ['completed', 'failed', 'cancelled'].includes(view.state) ? view : undefined;
    });
    expect(job.state).toBe('completed');
    const file = await fetch(`${url}/api/v1/jobs/${jobId}/result`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('model/gltf-binary');
    result = await file.arrayBuffer();
    expect(Buffer.from(result).subarray(0, 4).toString('latin1')).toBe('glTF');
    const after = await metrics(url);
    expect(after.find((s) => s.name === 'model_3d_generations_total' && s.labels.status === 'success' && s.labels.format === 'glb')?.value).toBe(1);

    const stopped = stop(name);
    console.log(`image: podman stop took ${stopped.seconds.toFixed(1)} s`);
    expect(stopped.exitCode, stopped.logs.slice(-2000)).toBe(0);
    expect(stopped.logs).toContain('"msg":"stopped"');
  });

  it('starts again on the same volume with the job still there, and with ORFEAS_GPU=sim labels the simulated GPUs', SLOW, async (ctx) => {
    needs(ctx, missing);
    expect(jobId, 'the first run made a job').not.toBe('');
    const name = `orfeas-sim-${suffix}`;
    const url = await start(name, { ORFEAS_GPU: 'sim' });
    const job = (await (await fetch(`${url}/api/v1/jobs/${jobId}`)).json()) as { state: string };
    expect(job.state).toBe('completed');
    const file = await fetch(`${url}/api/v1/jobs/${jobId}/result`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(result!))).toBe(true);

    const samples = await waitFor('the simulated GPUs to be sampled', 10_000, async () => {
      const s = await metrics(url);
      return s.some((x) => x.name === 'gpu_utilization_ratio') ? s : undefined;
    });
    expect(samples.find((s) => s.name === 'gpu_sampler_up')?.value).toBe(1);
    const info = samples.filter((s) => s.name === 'gpu_info');
    expect(info.length).toBeGreaterThan(0);
    expect(new Set(info.map((s) => s.labels.source))).toEqual(new Set(['sim']));
    expect(stop(name).exitCode).toBe(0);
  });
});
