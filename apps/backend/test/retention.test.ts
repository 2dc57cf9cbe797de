/**
 * Retention: finished jobs past ORFEAS_RETENTION are deleted with their files, answer 410
 * expired over HTTP and in socket rooms, and are counted; a result folder that a job answered
 * from the cache still refers to is only freed when that job goes too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { scrape, valueOf } from './support/scrape.js';
import { socketClient, startTestServer, submitImage, waitForState } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

const RETENTION_S = 4;
let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ ORFEAS_RETENTION: `${RETENTION_S}s` }, createTestEngines());
});
afterAll(() => server?.close());

const status = async (jobId: string) => (await fetch(`${server.url}/api/v1/jobs/${jobId}`)).status;
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const folderBytes = (dir: string) => fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);

it('deletes finished jobs past the retention period, keeping files a cached job still refers to', async () => {
  const image = await subjectImage('png', 64, 120);
  const first = ((await (await submitImage(server.url, image)).json()) as any).jobId;
  await waitForState(server.url, first, ['completed']);
  const folder = server.store!.resolve(`results/${first}`);
  const bytes = folderBytes(folder);

  // Answered from the cache a while later: it refers to the first job's files, and outlives it.
  await new Promise((r) => setTimeout(r, (RETENTION_S / 2 + 0.5) * 1000));
  const cached = await waitForState(server.url, ((await (await submitImage(server.url, image)).json()) as any).jobId, ['completed']);
  expect(cached.cached).toBe(true);

  await until('the first job expires', async () => (await status(first)) === 410);
  const gone = (await (await fetch(`${server.url}/api/v1/jobs/${first}`)).json()) as any;
  expect(gone.error).toMatchObject({ code: 'expired' });
  expect(gone.error.message).toContain('past the retention period');
  expect((await fetch(`${server.url}/api/v1/jobs/${first}/result`)).status).toBe(410);
  expect(fs.existsSync(folder)).toBe(true);
  expect((await fetch(`${server.url}${cached.result.url}`)).status).toBe(200);

  const socket = await socketClient(server.url);
  const refused = await socket.emitWithAck('subscribe', { jobId: first });
  socket.close();
  expect(refused).toMatchObject({ ok: false, error: { code: 'expired' } });

  await until('the cached job expires', async () => (await status(cached.id)) === 410);
  // The job answers 410 as soon as its row is expired; its files go within the same sweep.
  await until('the shared result folder is deleted', () => Promise.resolve(!fs.existsSync(folder)));
  await until('the sweep is counted', async () => valueOf(await scrape(server.url), 'storage_retention_deletions_total') === 2);
  const samples = await scrape(server.url);
  expect(valueOf(samples, 'storage_retention_deletions_total')).toBe(2);
  expect(valueOf(samples, 'storage_retention_freed_bytes_total')).toBe(bytes);
  expect(valueOf(samples, 'cache_entries', { cache_type: 'image_to_3d' })).toBe(0);
});
