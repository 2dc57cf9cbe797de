/**
 * Result cache: a finished job's result keyed by a hash of the engine that made it (name,
 * version, output-changing settings), its input and its parameters, so the same request to the
 * same engine completes at once. A result a fallback engine made is never cached. Kept in the
 * job store's database, so it survives a restart; an entry whose result file is gone counts as
 * a miss and is dropped. At most `maxEntries` entries are kept: the least recently used go
 * first; their files go with the last job that refers to them (retention).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Metrics } from '@orfeas/metrics';
import type { Job, JobStore, JobType, MaybePromise } from '../store/index.js';

/** The cache key of a request: its type, the engine's identity, a hash of its input bytes and its canonical parameters. */
export function cacheKey(type: JobType, engine: string, input: Uint8Array | null, params: Record<string, unknown>): string {
  const hash = crypto.createHash('sha256').update(type).update('\0').update(engine).update('\0');
  if (input) hash.update(input);
  hash.update('\0');
  const canonical = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  hash.update(JSON.stringify(canonical));
  return hash.digest('hex');
}

export const DEFAULT_CACHE_ENTRIES = 10_000;
export const CACHE_TYPES = ['image_to_3d', 'text_to_image'] as const;
const TYPES = CACHE_TYPES;

/** What the service and the executor need of a result cache: SQLite's below, or Redis's in a fleet. */
export interface JobCache {
  /** The finished job holding the result for a key, counting a hit or a miss. */
  lookup(type: JobType, key: string): MaybePromise<Job | undefined>;
  put(job: Job): MaybePromise<void>;
}

export class ResultCache implements JobCache {
  constructor(
    private readonly store: JobStore,
    private readonly metrics: Metrics,
    private readonly maxEntries = DEFAULT_CACHE_ENTRIES,
  ) {
    this.evict();
    this.refreshEntries();
    // Every cache type's counters exist from the start: rate() works before the first lookup.
    for (const type of TYPES) {
      metrics.cache.hitsTotal.inc({ cache_type: type }, 0);
      metrics.cache.missesTotal.inc({ cache_type: type }, 0);
    }
  }

  /** The finished job holding the result for a key, counting a hit or a miss. */
  lookup(type: JobType, key: string): Job | undefined {
    const row = this.store.db.prepare('SELECT job_id FROM result_cache WHERE cache_key = ?').get(key) as
      | { job_id: string }
      | undefined;
    const job = row ? this.store.get(row.job_id) : undefined;
    const usable = job?.state === 'completed' && job.result && fs.existsSync(this.store.resolve(job.result.path));
    if (usable) {
      // created_at doubles as the last use, so eviction keeps what is asked for.
      this.store.db.prepare('UPDATE result_cache SET created_at = ? WHERE cache_key = ?').run(Date.now() / 1000, key);
      this.metrics.cache.hitsTotal.inc({ cache_type: type });
      return job;
    }
    if (row) {
      this.store.db.prepare('DELETE FROM result_cache WHERE cache_key = ?').run(key);
      this.refreshEntries(type);
    }
    this.metrics.cache.missesTotal.inc({ cache_type: type });
    return undefined;
  }

  put(job: Job): void {
    // Made by a fallback (the model server was down): not what the engine asked for would make.
    if (job.result?.fallback) return;
    this.store.db
      .prepare('INSERT OR REPLACE INTO result_cache (cache_key, type, job_id, created_at) VALUES (?, ?, ?, ?)')
      .run(job.cacheKey, job.type, job.id, Date.now() / 1000);
    if (this.evict() > 0) this.refreshEntries();
    else this.refreshEntries(job.type);
  }

  /** Drops the least recently used entries past maxEntries; returns how many went. */
  private evict(): number {
    return this.store.db
      .prepare(
        `DELETE FROM result_cache WHERE cache_key IN (
           SELECT cache_key FROM result_cache ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      )
      .run(this.maxEntries).changes;
  }

  /** Sets cache_entries from the store, for one type or (entries dropped elsewhere, by retention) all. */
  refreshEntries(only?: JobType): void {
    for (const type of only ? [only] : TYPES) {
      const { n } = this.store.db.prepare('SELECT COUNT(*) AS n FROM result_cache WHERE type = ?').get(type) as { n: number };
      this.metrics.cache.entries.set({ cache_type: type }, n);
    }
  }
}
