/** The SQLite schema of the job store, applied at open (idempotent). */
export const SCHEMA = `
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
  finished_at   REAL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, queued_at);

CREATE TABLE IF NOT EXISTS result_cache (
  cache_key   TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  created_at  REAL NOT NULL
);
`;
