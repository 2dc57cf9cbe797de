/**
 * The SQLite schema of the job store, applied at open (idempotent): the tables, then the
 * columns later versions added (for databases made before them), then the indexes.
 */
export const TABLES = `
CREATE TABLE IF NOT EXISTS jobs (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  state         TEXT NOT NULL,
  params        TEXT NOT NULL,
  input_path    TEXT,
  cache_key     TEXT NOT NULL,
  stage         TEXT,
  stage_timings TEXT NOT NULL DEFAULT '{}',
  quality       TEXT,
  result        TEXT,
  error         TEXT,
  cached        INTEGER NOT NULL DEFAULT 0,
  attempts      INTEGER NOT NULL DEFAULT 0,
  created_at    REAL NOT NULL,
  queued_at     REAL NOT NULL,
  started_at    REAL,
  finished_at   REAL,
  result_dir    TEXT,
  owner         TEXT,
  gpu           TEXT
);

CREATE TABLE IF NOT EXISTS result_cache (
  cache_key   TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  created_at  REAL NOT NULL
);

-- Jobs deleted by retention, so their ids answer 410 expired (not 404) for a while longer.
CREATE TABLE IF NOT EXISTS expired_jobs (
  id          TEXT PRIMARY KEY,
  owner       TEXT,
  finished_at REAL,
  expired_at  REAL NOT NULL
);
`;

/** Columns added after the first version: [table, column, definition, backfill]. */
export const ADDED_COLUMNS: readonly [string, string, string, string?][] = [
  // The folder a result's files are in: a job's own, or (answered from the cache) another's.
  ['jobs', 'result_dir', 'TEXT', `UPDATE jobs SET result_dir = substr(json_extract(result, '$.path'), 1, 44) WHERE result IS NOT NULL`],
  // Who submitted it, when API keys are on (the key's name).
  ['jobs', 'owner', 'TEXT'],
  // What the job cost on the GPUs (JSON), once it finished.
  ['jobs', 'gpu', 'TEXT'],
];

export const INDEXES = `
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, queued_at);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_result_dir ON jobs (result_dir) WHERE result_dir IS NOT NULL;
CREATE INDEX IF NOT EXISTS result_cache_job ON result_cache (job_id);
CREATE INDEX IF NOT EXISTS expired_jobs_at ON expired_jobs (expired_at);
`;
