/** Whether an error means the disk (or the quota) is full, from the file system or from SQLite. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

export function isStorageFull(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && FULL.has(e.code)) return true;
  }
  return false;
}
