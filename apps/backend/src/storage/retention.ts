/**
 * Retention (ORFEAS_RETENTION): finished jobs older than the retention period are deleted,
 * their rows, uploads and result files, in batches of at most `batchSize` jobs with a turn of
 * the event loop between batches, so a large backlog never stalls requests. A result folder
 * that a job answered from the cache still refers to stays until that job goes too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metrics } from '@orfeas/metrics';
import type { Logger } from 'pino';
import type { ResultCache } from '../cache/index.js';
import { FaultLog } from '../log/fault-log.js';
import type { JobStore } from '../store/index.js';

export interface RetentionOptions {
  store: JobStore;
  cache: ResultCache;
  metrics: Metrics;
  log: Logger;
  /** How long a finished job is kept, in ms. */
  retentionMs: number;
  batchSize?: number;
}

/** A sweep runs every tenth of the retention period, at least every minute, at most every second. */
const sweepEvery = (retentionMs: number) => Math.min(60_000, Math.max(1_000, retentionMs / 10));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<{ jobs: number; bytes: number }> | undefined;
  private readonly faults: FaultLog;

  constructor(private readonly options: RetentionOptions) {
    this.faults = new FaultLog(options.log);
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), sweepEvery(this.options.retentionMs));
    this.timer.unref();
    void this.sweep();
  }

  /** Waits for a sweep in progress, and runs no more. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Deletes what has passed the retention period; resolves with how many jobs and bytes went. */
  sweep(): Promise<{ jobs: number; bytes: number }> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async run(): Promise<{ jobs: number; bytes: number }> {
    const { store, cache, metrics, retentionMs, batchSize = 100 } = this.options;
    const total = { jobs: 0, bytes: 0 };
    try {
      const before = (Date.now() - retentionMs) / 1000;
      for (;;) {
        const batch = store.expiry.expire(before, batchSize);
        if (batch.length === 0) break;
        let bytes = 0;
        for (const dir of new Set(batch.map((j) => j.resultDir).filter((d): d is string => d !== null))) {
          if (!store.expiry.inUse(dir)) bytes += await removeTree(store.resolve(dir));
        }
        for (const job of batch) if (job.inputPath) bytes += await removeTree(store.resolve(job.inputPath));
        metrics.storage.retentionDeletionsTotal.inc(batch.length);
        metrics.storage.retentionFreedBytesTotal.inc(bytes);
        total.jobs += batch.length;
        total.bytes += bytes;
        await nextTurn();
      }
      if (total.jobs > 0) cache.refreshEntries();
      // An expired id answers 410 for one more retention period, then 404.
      store.expiry.pruneTombstones(before);
      this.faults.clear('sweep', 'retention sweeps work again');
      if (total.jobs > 0) this.options.log.info(total, 'retention deleted finished jobs past the retention period');
    } catch (err) {
      this.faults.fault('sweep', { err }, 'retention sweep failed');
    }
    return total;
  }
}

/** Removes a file or a folder, returning the bytes of the files it held. */
async function removeTree(target: string): Promise<number> {
  let bytes = 0;
  try {
    const stat = await fs.lstat(target);
    if (stat.isDirectory()) {
      for (const entry of await fs.readdir(target)) bytes += await removeTree(path.join(target, entry));
      await fs.rmdir(target);
    } else {
      await fs.rm(target, { force: true });
      bytes = stat.size;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return bytes;
}
