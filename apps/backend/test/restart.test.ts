/**
 * Nothing acknowledged with 202 is lost: the built server is killed (SIGKILL) with jobs
 * queued and running, started again on the same data directory, and every job finishes.
 * SIGTERM stops it gracefully: running stages reach a boundary or the job is requeued.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { subjectImage } from './support/images.js';
import { spawnBackend, type BackendProcess } from './support/process.js';
import { scrape, valueOf } from './support/scrape.js';
import { submitImage, tempDataDir, waitForState } from './support/server.js';

let backend: BackendProcess | undefined;
afterEach(() => {
  backend?.child.kill('SIGKILL');
});

async function submitJobs(url: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await submitImage(url, await subjectImage('png', 256, i * 40), { format: i % 2 ? 'glb' : 'ply', quality: 'high' });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as any).jobId);
  }
  return ids;
}

// Real engines at high quality in child processes: minutes of margin for a loaded 2-core CI machine.
const SLOW = { timeout: 180_000 };

it('finishes every acknowledged job after a SIGKILL and a restart', SLOW, async () => {
  const dataDir = tempDataDir();
  const env = { ORFEAS_DATA_DIR: dataDir, WORKER_CONCURRENCY: '1' };
  backend = await spawnBackend(env);
  const ids = await submitJobs(backend.url, 5);
  await waitForState(backend.url, ids[0]!, ['running', 'completed']);
  const before = await Promise.all(ids.map(async (id) => ((await (await fetch(`${backend!.url}/api/v1/jobs/${id}`)).json()) as any).state));
  expect(before.filter((s) => s !== 'completed').length).toBeGreaterThan(0);

  backend.child.kill('SIGKILL');
  expect((await backend.exited).signal).toBe('SIGKILL');

  backend = await spawnBackend(env);
  for (const id of ids) {
    const job = await waitForState(backend.url, id, ['completed', 'failed'], 60_000);
    expect(job.state).toBe('completed');
    const file = await fetch(`${backend.url}/api/v1/jobs/${id}/result`);
    expect(file.status).toBe(200);
    expect(['model/gltf-binary', 'application/x-ply', 'application/ply']).toContain(file.headers.get('content-type'));
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(100);
  }
  // Finished jobs' uploads are gone; their results stay.
  expect(fs.readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  expect(fs.readdirSync(path.join(dataDir, 'results')).sort()).toEqual([...ids].sort());
  const samples = await scrape(backend.url);
  expect(valueOf(samples, 'job_queue_size')).toBe(0);
  expect(valueOf(samples, 'active_jobs')).toBe(0);
});

it('stops on SIGTERM without losing running or queued jobs', SLOW, async () => {
  const dataDir = tempDataDir();
  const env = { ORFEAS_DATA_DIR: dataDir, WORKER_CONCURRENCY: '1' };
  backend = await spawnBackend(env);
  const ids = await submitJobs(backend.url, 3);
  await waitForState(backend.url, ids[0]!, ['running', 'completed']);
  backend.child.kill('SIGTERM');
  expect(await backend.exited).toEqual({ code: 0, signal: null });
  expect(backend.output()).toContain('shutting down');

  backend = await spawnBackend(env);
  for (const id of ids) expect((await waitForState(backend.url, id, ['completed', 'failed'], 60_000)).state).toBe('completed');
});
