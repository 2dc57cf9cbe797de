/**
 * One service per data directory. A second backend on the same directory would requeue the
 * first one's running jobs and run them twice, so it stops instead. The lock is SQLite's own
 * exclusive lock on `orfeas.instance.lock`, held for the life of the process: the operating
 * system releases it when the holder dies (SIGKILL, a container restart), whatever pid the
 * next process gets. A pid in a file cannot tell a dead holder from PID 1 started again.
 * The holder's pid is written to `orfeas.pid` only so that a refusal can name it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const LOCK_FILE = 'orfeas.instance.lock';
const PID_FILE = 'orfeas.pid';
/** The lock of earlier versions: a pid in a file, ignored (and removed) now. */
const LEGACY_LOCK_FILE = 'orfeas.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `the data directory ${dataDir} is in use by another ORFEAS backend${pid ? ` (process ${pid})` : ''}; ` +
        'stop it or set ORFEAS_DATA_DIR to another directory',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Takes the lock of a data directory; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  // timeout 0: a held lock is an answer now, not after SQLite's busy wait.
  const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // Never committed: the exclusive lock lasts until close() or the process's end.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(dataDir, holderPid(dataDir));
    throw err;
  }
  fs.writeFileSync(path.join(dataDir, PID_FILE), `${process.pid}\n`);
  fs.rmSync(path.join(dataDir, LEGACY_LOCK_FILE), { force: true });
  return () => {
    if (!db.open) return;
    fs.rmSync(path.join(dataDir, PID_FILE), { force: true });
    db.close();
  };
}

function holderPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
