/**
 * The job store: jobs in SQLite (better-sqlite3, WAL) under the data directory, uploads and
 * results as files beside it. Every state change is one statement, so a crash at any point
 * leaves each job either queued, running (requeued at the next start) or finished.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Stage } from '@orfeas/metrics/catalog';
import { lockDataDir } from './lock.js';
import { ADDED_COLUMNS, INDEXES, TABLES } from './schema.js';
import { JobExpiry } from './expiry.js';
import type { Job, JobError, JobGpuCost, JobParams, JobResult, JobState, JobType } from './job.js';
import type { ClaimedJob, JobRecords, NewJob, Tombstone } from './records.js';

export * from './job.js';
export type { ClaimedJob, JobRecords, LiveProgress, MaybePromise, NewJob, Tombstone } from './records.js';
export { DataDirInUseError } from './lock.js';

interface Row {
  id: string;
  type: JobType;
  state: JobState;
  params: string;
  input_path: string | null;
  cache_key: string;
  stage: Stage | null;
  stage_timings: string;
  quality: string | null;
  result: string | null;
  error: string | null;
  gpu: string | null;
  cached: number;
  attempts: number;
  owner: string | null;
  created_at: number;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
}

const now = () => Date.now() / 1000;
/** The folder of a result's files (results/<job id>, relative to the data directory), or null for any other path. */
function resultDirOf(result: JobResult | null): string | null {
  const dir = typeof result?.path === 'string' ? path.dirname(result.path) : null;
  return dir && /^results\/[^/]+$/.test(dir) ? dir : null;
}
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function toJob(row: Row): Job {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    params: JSON.parse(row.params) as JobParams,
    inputPath: row.input_path,
    cacheKey: row.cache_key,
    stage: row.stage,
    stageTimings: JSON.parse(row.stage_timings) as Job['stageTimings'],
    quality: row.quality ? (JSON.parse(row.quality) as Job['quality']) : null,
    result: row.result ? (JSON.parse(row.result) as JobResult) : null,
    error: row.error ? (JSON.parse(row.error) as JobError) : null,
    gpu: row.gpu ? (JSON.parse(row.gpu) as JobGpuCost) : null,
    cached: row.cached === 1,
    attempts: row.attempts,
    owner: row.owner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export class JobStore implements JobRecords {
  readonly db: Database.Database;
  /** Retention's queries: finished jobs past their time, tombstones, result folders in use. */
  readonly expiry: JobExpiry;
  private readonly unlock: () => void;

  private constructor(readonly dataDir: string) {
    this.unlock = lockDataDir(dataDir);
    try {
      for (const dir of ['uploads', 'results']) fs.mkdirSync(path.join(dataDir, dir), { recursive: true });
      this.db = new Database(path.join(dataDir, 'orfeas.db'));
      this.db.pragma('journal_mode = WAL');
      // NORMAL keeps committed rows through a process crash; only an OS crash can lose the last ones.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
      this.expiry = new JobExpiry(this.db);
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  private migrate(): void {
    this.db.exec(TABLES);
    for (const [table, column, definition, backfill] of ADDED_COLUMNS) {
      const columns = this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
      if (columns.some((c) => c.name === column)) continue;
      this.db.transaction(() => {
        this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
        if (backfill) this.db.exec(backfill);
      })();
    }
    this.db.exec(INDEXES);
  }

  static open(dataDir: string): JobStore {
    fs.mkdirSync(dataDir, { recursive: true });
    return new JobStore(dataDir);
  }

  /** Absolute path of a file the store refers to by a data-directory-relative path. */
  resolve(relative: string): string {
    return path.join(this.dataDir, relative);
  }

  insert(job: NewJob): Job {
    const t = now();
    this.db
      .prepare(
        `INSERT INTO jobs (id, type, state, params, input_path, cache_key, owner, created_at, queued_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(job.id, job.type, JSON.stringify(job.params), job.inputPath, job.cacheKey, job.owner ?? null, t, t);
    return this.get(job.id)!;
  }

  /** Records a job answered from the cache: finished at once with the cached result. */
  insertCompleted(job: NewJob, from: Job): Job {
    const t = now();
    this.db
      .prepare(
        `INSERT INTO jobs (id, type, state, params, input_path, cache_key, stage_timings, quality, result, result_dir,
                           cached, owner, created_at, queued_at, started_at, finished_at)
         VALUES (?, ?, 'completed', ?, ?, ?, '{}', ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.id, job.type, JSON.stringify(job.params), job.inputPath, job.cacheKey, json(from.quality), json(from.result),
        resultDirOf(from.result), job.owner ?? null, t, t, t, t,
      );
    return this.get(job.id)!;
  }

  tombstone(id: string): Tombstone | undefined {
    return this.expiry.tombstone(id);
  }

  get open(): boolean {
    return this.db.open;
  }

  get(id: string): Job | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Takes the oldest queued job for a worker, atomically. */
  claimNext(): ClaimedJob | undefined {
    const t = now();
    const claim = this.db.prepare(
      `UPDATE jobs SET state = 'running', started_at = ?, attempts = attempts + 1, stage = NULL, stage_timings = '{}'
       WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY queued_at, rowid LIMIT 1)
       RETURNING *`,
    );
    // In a transaction of its own: a statement's autocommit can fail after RETURNING gave the
    // row (SQLITE_FULL), and .get() would hand out a claim that was rolled back, the same job
    // again and again. The COMMIT throws instead.
    const row = this.db.transaction(() => claim.get(t) as Row | undefined)();
    return row ? { job: toJob(row), waitSeconds: Math.max(0, t - row.queued_at) } : undefined;
  }

  /** At start: jobs a previous process left running go back to the front of the queue. */
  requeueRunning(): number {
    return this.db
      .prepare(`UPDATE jobs SET state = 'queued', stage = NULL WHERE state = 'running'`)
      .run().changes;
  }

  /** Puts a running job back in the queue at shutdown; an orderly stop does not count as an attempt. */
  requeue(id: string): void {
    this.db
      .prepare(`UPDATE jobs SET state = 'queued', stage = NULL, attempts = MAX(attempts - 1, 0) WHERE id = ? AND state = 'running'`)
      .run(id);
  }

  setStage(id: string, stage: Stage, timings: Job['stageTimings']): void {
    this.db.prepare('UPDATE jobs SET stage = ?, stage_timings = ? WHERE id = ?').run(stage, JSON.stringify(timings), id);
  }

  /** Ends a running job as completed; false (and nothing written) when it is no longer running. */
  complete(id: string, result: JobResult, quality: Job['quality'], timings: Job['stageTimings'], gpu: JobGpuCost | null = null): boolean {
    const input = this.inputOf(id);
    const ended =
      this.db
        .prepare(
          `UPDATE jobs SET state = 'completed', stage = NULL, result = ?, result_dir = ?, quality = ?, stage_timings = ?,
                           gpu = ?, finished_at = ?, input_path = NULL
           WHERE id = ? AND state = 'running'`,
        )
        .run(JSON.stringify(result), resultDirOf(result), json(quality), JSON.stringify(timings), json(gpu), now(), id).changes === 1;
    if (ended) this.removeFile(input);
    return ended;
  }

  /**
   * Ends a running job as failed or cancelled; false when it is no longer running, so a late
   * error can never turn a finished job into a failed one.
   */
  finish(id: string, state: 'failed' | 'cancelled', error: JobError, timings: Job['stageTimings'], gpu: JobGpuCost | null = null): boolean {
    const input = this.inputOf(id);
    const ended =
      this.db
        .prepare(`UPDATE jobs SET state = ?, error = ?, stage_timings = ?, gpu = ?, finished_at = ?, input_path = NULL WHERE id = ? AND state = 'running'`)
        .run(state, JSON.stringify(error), JSON.stringify(timings), json(gpu), now(), id).changes === 1;
    if (ended) this.removeFile(input);
    return ended;
  }

  /** Records the GPU cost of a job that ended before it was measured (a cancelled one). */
  setGpu(id: string, gpu: JobGpuCost): void {
    this.db.prepare('UPDATE jobs SET gpu = ? WHERE id = ? AND gpu IS NULL').run(JSON.stringify(gpu), id);
  }

  /**
   * Cancels a job that is still `from`: queued (no worker has taken it), or running (ended at
   * shutdown, keeping its stage timings). False when it is no longer in that state.
   */
  cancel(id: string, from: 'queued' | 'running', error: JobError): boolean {
    const input = this.inputOf(id);
    const cancelled =
      this.db
        .prepare(`UPDATE jobs SET state = 'cancelled', error = ?, finished_at = ?, input_path = NULL WHERE id = ? AND state = ?`)
        .run(JSON.stringify(error), now(), id, from).changes === 1;
    if (cancelled) this.removeFile(input);
    return cancelled;
  }

  private inputOf(id: string): string | null {
    const row = this.db.prepare('SELECT input_path FROM jobs WHERE id = ?').get(id) as { input_path: string | null } | undefined;
    return row?.input_path ?? null;
  }

  /** A finished job's upload is no longer needed: removed after its row says so (a crash between leaves only a stray file). */
  private removeFile(relative: string | null): void {
    if (relative) fs.rmSync(this.resolve(relative), { force: true });
  }

  /** Jobs by state and type, for the queue gauges. */
  counts(): { state: JobState; type: JobType; n: number }[] {
    return this.db
      .prepare(`SELECT state, type, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY state, type`)
      .all() as { state: JobState; type: JobType; n: number }[];
  }

  /** Durations of the latest finished stages, to seed the ETA estimates after a restart. */
  recentStageTimings(limit: number): Job['stageTimings'][] {
    const rows = this.db
      .prepare(`SELECT stage_timings FROM jobs WHERE state = 'completed' AND cached = 0 ORDER BY finished_at DESC LIMIT ?`)
      .all(limit) as { stage_timings: string }[];
    return rows.map((r) => JSON.parse(r.stage_timings) as Job['stageTimings']).reverse();
  }

  /** True when both the database and the data directory accept writes. */
  writable(): boolean {
    try {
      this.db.prepare('CREATE TEMP TABLE IF NOT EXISTS ready_probe (x)').run();
      this.db.exec('BEGIN IMMEDIATE; ROLLBACK;');
      fs.accessSync(this.dataDir, fs.constants.W_OK);
      return this.db.open;
    } catch {
      return false;
    }
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A full disk cannot take the checkpoint; the WAL keeps every commit and the next open replays it.
    } finally {
      this.db.close();
      this.unlock();
    }
  }
}
