/**
 * Job endings the store could not write because its disk was full. Kept here and written on
 * the pool's next polls, so a job that failed for lack of space is recorded failed once (not
 * left "running", to be run again at the next start) as soon as any space is back.
 */
import type { Logger } from 'pino';
import { isStorageFull } from '../storage/full.js';
import type { MaybePromise } from '../store/index.js';

export class UnrecordedEndings {
  private readonly pending = new Map<string, () => MaybePromise<boolean>>();

  constructor(private readonly log: Logger) {}

  /**
   * Writes an ending now and returns what the write returned, or keeps it for later when the
   * disk is full (true: it will be written). Other errors are thrown.
   */
  async record(jobId: string, write: () => MaybePromise<boolean>): Promise<boolean> {
    try {
      return await write();
    } catch (err) {
      if (!isStorageFull(err)) throw err;
      this.log.warn({ jobId }, 'the data directory is full: this job\'s ending is written once space is back');
      this.pending.set(jobId, write);
      return true;
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** Writes what is pending, oldest first, until the disk refuses again. */
  async retry(): Promise<void> {
    for (const [jobId, write] of this.pending) {
      try {
        await write();
      } catch (err) {
        if (isStorageFull(err)) return;
        this.log.error({ err, jobId }, 'a job ending kept for a full disk cannot be written; dropped');
      }
      this.pending.delete(jobId);
    }
  }
}
