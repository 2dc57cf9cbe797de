/**
 * Full disks, on a real small file system: a tmpfs this test mounts, which needs root (as in
 * CI). Below the free-space watermark submissions get 507 naming the free and the required
 * bytes, /ready says storage: false, the queue waits. A job that meets ENOSPC or SQLITE_FULL
 * fails once as storage_full, with no retry loop, bounded logs and a flat heap; once space is
 * back the service takes work again and nothing acknowledged earlier is lost.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { loadConfig, startServer, type RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { needs } from './support/needs.js';
import { scrape, valueOf } from './support/scrape.js';
import { submitImage, waitForState } from './support/server.js';
import { createEngineControl, createTestEngines } from './support/test-engines.js';

const MiB = 1024 * 1024;
const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-full-disk-'));
let mounted = false;
const servers: RunningServer[] = [];
afterAll(async () => {
  try {
    for (const server of servers) await server.close();
  } finally {
    if (mounted) execFileSync('umount', ['-l', mount]);
  }
});

/** Log lines a server writes, parsed. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function start(dataDir: string, env: Record<string, string>, engines = createTestEngines()) {
  const { logger, lines } = capturedLogger();
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', ORFEAS_RATE_LIMIT: '0', WORKER_CONCURRENCY: '1', ...env });
  const server = await startServer(config, { engines, logger });
  servers.push(server);
  return { server, lines };
}

/** Writes into `file` until the file system has no room left. */
function fillUp(file: string): void {
  const chunk = Buffer.alloc(256 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  try {
    for (let size = chunk.length; size >= 512; ) {
      try {
        fs.writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

const textToImage = (url: string) =>
  fetch(`${url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a full disk', style: 'sketch', width: 64, height: 64, seed: 3 }),
  });

it('refuses work below the watermark, fails a job that meets a full disk once, and recovers', async (ctx) => {
  needs(ctx, process.getuid?.() === 0 ? undefined : 'mounting a small tmpfs needs root');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
  mounted = true;

  const control = createEngineControl();
  const { server, lines } = await start(path.join(mount, 'guarded'), { ORFEAS_MIN_FREE_BYTES: String(4 * MiB) }, createTestEngines(control));
  // With the watermark off the disk itself refuses: that answer must be 507 too, not 500, and
  // its workers meet SQLITE_FULL when they claim a job.
  const unguardedControl = createEngineControl();
  const { server: unguarded, lines: unguardedLines } = await start(path.join(mount, 'unguarded'), { ORFEAS_MIN_FREE_BYTES: '0' }, createTestEngines(unguardedControl));
  const url = server.url;
  unguardedControl.hold.add('background_removal');
  const unguardedEntered = unguardedControl.entered('background_removal');
  const unguardedJobs = [];
  for (const hue of [6, 7]) unguardedJobs.push(((await (await submitImage(unguarded.url, await subjectImage('png', 64, hue))).json()) as any).jobId as string);
  await unguardedEntered;

  const done = ((await (await submitImage(url, await subjectImage('png', 64, 1))).json()) as any).jobId;
  await waitForState(url, done, ['completed']);
  control.hold.add('export');
  const entered = control.entered('export');
  const failing = ((await (await submitImage(url, await subjectImage('png', 64, 2))).json()) as any).jobId;
  const waiting = ((await (await submitImage(url, await subjectImage('png', 64, 3))).json()) as any).jobId;
  await entered;

  const filler = path.join(mount, 'filler');
  fillUp(filler);
  const heapBefore = process.memoryUsage().heapUsed;
  const faultsBefore = lines.filter((l) => l.level >= 40).length;

  const refused = await textToImage(url);
  expect(refused.status).toBe(507);
  const body = ((await refused.json()) as any).error;
  expect(body).toMatchObject({ code: 'insufficient_storage', requiredBytes: 4 * MiB });
  expect(body.freeBytes).toBeLessThan(4 * MiB);
  expect(body.message).toContain(`${body.freeBytes} bytes free`);
  expect((await submitImage(url, await subjectImage('png', 64, 4))).status).toBe(507);
  const ready = await fetch(`${url}/ready`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as any).checks).toMatchObject({ storage: false, store: expect.any(Boolean), workers: true });
  const samples = await scrape(url);
  expect(valueOf(samples, 'storage_free_bytes')).toBeLessThan(valueOf(samples, 'storage_min_free_bytes'));
  expect(valueOf(samples, 'storage_min_free_bytes')).toBe(4 * MiB);

  const uploads = () => fs.readdirSync(path.join(mount, 'unguarded', 'uploads')).sort();
  const uploadsBefore = uploads();
  const upload = await submitImage(unguarded.url, await subjectImage('png', 200, 5));
  expect(upload.status).toBe(507);
  expect(((await upload.json()) as any).error.code).toBe('insufficient_storage');
  // The refused upload left nothing behind.
  expect(uploads()).toEqual(uploadsBefore);

  // The held jobs go on now, with nowhere to write their stage or result.
  const unguardedFaultsBefore = unguardedLines.filter((l) => l.level >= 40).length;
  control.release('export');
  unguardedControl.release('background_removal');
  for (let i = 0; i < 30; i++) await textToImage(url);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  // No loop: the heap stays flat and a handful of fault lines, not one per poll or request.
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * MiB);
  expect(lines.filter((l) => l.level >= 40).length - faultsBefore).toBeLessThan(10);
  expect(unguardedLines.filter((l) => l.level >= 40).length - unguardedFaultsBefore).toBeLessThan(10);
  expect(((await (await fetch(`${url}/api/v1/jobs/${waiting}`)).json()) as any).state).toBe('queued');

  fs.rmSync(filler);
  const failed = await waitForState(url, failing, ['failed', 'completed']);
  expect(failed).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'storage_full' } });
  expect((await waitForState(url, waiting, ['completed', 'failed'])).state).toBe('completed');
  const again = ((await (await textToImage(url)).json()) as any).jobId;
  expect((await waitForState(url, again, ['completed', 'failed'])).state).toBe('completed');
  expect((await fetch(`${url}/api/v1/jobs/${done}/result`)).status).toBe(200);
  expect((await fetch(`${url}/ready`)).status).toBe(200);
  const after = await scrape(url);
  expect(valueOf(after, 'failed_generations_total', { reason: 'storage_full' })).toBe(1);
  // Each unguarded job ended once (the one that met the full disk as storage_full), none ran twice.
  for (const id of unguardedJobs) {
    const job = await waitForState(unguarded.url, id, ['completed', 'failed']);
    expect(job.attempts).toBe(1);
    if (job.state === 'failed') expect(job.error.code).toBe('storage_full');
  }
});
