/**
 * Retention's sweep over a backlog: every job past its time goes, in batches with turns of
 * the event loop between them, and the bytes it frees are the bytes that were on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMetrics } from '@orfeas/metrics';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { ResultCache } from '../cache/index.js';
import { JobStore } from '../store/index.js';
import { Retention } from './retention.js';

let store: JobStore | undefined;
afterEach(() => store?.close());

it('deletes a backlog in bounded batches without holding the event loop', async () => {
  store = JobStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-retention-test-')));
  const metrics = createMetrics({ defaultMetrics: false });
  let bytes = 0;
  for (let i = 0; i < 250; i++) {
    const id = crypto.randomUUID();
    store.insert({ id, type: 'text_to_image', params: { prompt: `p${i}`, style: 'sketch', width: 64, height: 64, seed: i }, inputPath: null, cacheKey: `k${i}` });
    store.claimNext();
    fs.mkdirSync(store.resolve(`results/${id}`));
    const data = Buffer.alloc(100 + i);
    fs.writeFileSync(store.resolve(`results/${id}/${id}.png`), data);
    bytes += data.length;
    store.complete(id, { path: `results/${id}/${id}.png`, name: `${id}.png`, contentType: 'image/png', sizeBytes: data.length }, null, {});
  }
  const recent = crypto.randomUUID();
  store.insert({ id: recent, type: 'text_to_image', params: { prompt: 'new', style: 'sketch', width: 64, height: 64, seed: 1 }, inputPath: null, cacheKey: 'recent' });
  // All but the last finished a day ago.
  store.db.prepare('UPDATE jobs SET finished_at = finished_at - 86400 WHERE finished_at IS NOT NULL').run();

  const retention = new Retention({ store, cache: new ResultCache(store, metrics), metrics, log: pino({ level: 'silent' }), retentionMs: 3_600_000, batchSize: 100 });
  let turns = 0;
  const counting = setInterval(() => turns++, 0);
  const swept = await retention.sweep();
  clearInterval(counting);

  expect(swept).toEqual({ jobs: 250, bytes });
  expect(turns).toBeGreaterThanOrEqual(2);
  expect(fs.readdirSync(store.resolve('results'))).toEqual([]);
  expect(store.get(recent)?.state).toBe('queued');
  const counted = await metrics.registry.getSingleMetric('storage_retention_deletions_total')!.get();
  expect(counted.values[0]!.value).toBe(250);
  expect(store.expiry.tombstone(store.db.prepare('SELECT id FROM expired_jobs LIMIT 1').pluck().get() as string)).toBeDefined();
});
