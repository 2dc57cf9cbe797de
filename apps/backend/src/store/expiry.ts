/**
 * Retention's queries on the job store: finished jobs past their time are deleted in bounded
 * batches and leave a tombstone (so their ids answer 410 expired, not 404); a result folder
 * is only freed once no job row refers to it (jobs answered from the cache share their source's).
 */
import type Database from 'better-sqlite3';

/** A job retention deleted: what of it may still be on disk. */
export interface ExpiredJob {
  id: string;
  resultDir: string | null;
  inputPath: string | null;
}

export class JobExpiry {
  constructor(private readonly db: Database.Database) {}

  /** Deletes up to `limit` jobs that finished before `before` (Unix s), leaving tombstones. */
  expire(before: number, limit: number): ExpiredJob[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT id, owner, finished_at, result_dir, input_path FROM jobs
           WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at LIMIT ?`,
        )
        .all(before, limit) as { id: string; owner: string | null; finished_at: number; result_dir: string | null; input_path: string | null }[];
      const tombstone = this.db.prepare('INSERT OR REPLACE INTO expired_jobs (id, owner, finished_at, expired_at) VALUES (?, ?, ?, ?)');
      const remove = this.db.prepare('DELETE FROM jobs WHERE id = ?');
      const dropCached = this.db.prepare('DELETE FROM result_cache WHERE job_id = ?');
      const t = Date.now() / 1000;
      for (const row of rows) {
        tombstone.run(row.id, row.owner, row.finished_at, t);
        remove.run(row.id);
        dropCached.run(row.id);
      }
      return rows.map((r) => ({ id: r.id, resultDir: r.result_dir, inputPath: r.input_path }));
    })();
  }

  /** True while some job still refers to the files of a result folder. */
  inUse(resultDir: string): boolean {
    return this.db.prepare('SELECT 1 FROM jobs WHERE result_dir = ? LIMIT 1').get(resultDir) !== undefined;
  }

  /** When a job was deleted by retention (Unix s), and whose it was; undefined if it never was. */
  tombstone(id: string): { expiredAt: number; finishedAt: number | null; owner: string | null } | undefined {
    const row = this.db.prepare('SELECT expired_at, finished_at, owner FROM expired_jobs WHERE id = ?').get(id) as
      | { expired_at: number; finished_at: number | null; owner: string | null }
      | undefined;
    return row ? { expiredAt: row.expired_at, finishedAt: row.finished_at, owner: row.owner } : undefined;
  }

  /** Forgets tombstones older than `before`: those ids answer 404 from then on. */
  pruneTombstones(before: number): number {
    return this.db.prepare('DELETE FROM expired_jobs WHERE expired_at < ?').run(before).changes;
  }
}
