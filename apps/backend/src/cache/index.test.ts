/** The result cache's size: bounded, least recently used entries go first, the gauge follows. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMetrics } from '@orfeas/metrics';
import { afterEach, expect, it } from 'vitest';
import { JobStore } from '../store/index.js';
import { ResultCache, cacheKey } from './index.js';

let store: JobStore | undefined;
const tick = () => new Promise((r) => setTimeout(r, 5));
afterEach(() => store?.close());

/** A completed text-to-image job for `prompt`, with its result file on disk. */
function completedJob(store: JobStore, prompt: string) {
  const params = { prompt, style: 'sketch', width: 64, height: 64, seed: 1 };
  const id = crypto.randomUUID();
  store.insert({ id, type: 'text_to_image', params, inputPath: null, cacheKey: cacheKey('text_to_image', 'test-text@1', null, params) });
  store.claimNext();
  const file = path.join('results', `${id}.png`);
  fs.writeFileSync(store.resolve(file), 'png');
  store.complete(id, { path: file, name: `${id}.png`, contentType: 'image/png', sizeBytes: 3 }, null, {});
  return store.get(id)!;
}

it('keeps at most maxEntries, dropping the least recently used', async () => {
  store = JobStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-cache-test-')));
  const metrics = createMetrics();
  const cache = new ResultCache(store, metrics, 3);
  const jobs = ['a', 'b', 'c'].map((p) => completedJob(store!, p));
  for (const job of jobs) cache.put(job);
  // Entries are ordered by their time of use (ms): let the clock move between uses.
  await tick();
  // `a` is used again, so `b` is now the least recently used.
  expect(cache.lookup('text_to_image', jobs[0]!.cacheKey)?.id).toBe(jobs[0]!.id);
  await tick();
  const d = completedJob(store, 'd');
  cache.put(d);

  expect(cache.lookup('text_to_image', jobs[1]!.cacheKey)).toBeUndefined();
  for (const job of [jobs[0]!, jobs[2]!, d]) expect(cache.lookup('text_to_image', job.cacheKey)?.id).toBe(job.id);
  const entries = (await metrics.registry.getSingleMetric('cache_entries')!.get()).values.find((v) => v.labels.cache_type === 'text_to_image');
  expect(entries?.value).toBe(3);
});
