/**
 * Free space of the data directory, and the watermark (ORFEAS_MIN_FREE_BYTES) below which the
 * service refuses new work with 507 and its workers take no job, so that the disk never fills
 * under jobs already accepted. Read from statfs when asked: cheap, and never stale.
 */
import fs from 'node:fs';
import { ApiError } from '../errors/index.js';

export class FreeSpace {
  constructor(
    readonly dataDir: string,
    /** 0 turns the watermark off. */
    readonly minFreeBytes: number,
  ) {}

  /** Bytes the service may still write on the data directory's file system. */
  freeBytes(): number {
    const s = fs.statfsSync(this.dataDir);
    return s.bavail * s.bsize;
  }

  /** True while free space is at or above the watermark; false when it cannot be read. */
  enough(): boolean {
    if (this.minFreeBytes === 0) return true;
    try {
      return this.freeBytes() >= this.minFreeBytes;
    } catch {
      return false;
    }
  }

  /** Throws the 507 a submission gets below the watermark, naming the free and the required bytes. */
  requireRoom(): void {
    if (this.enough()) return;
    let free: number | undefined;
    try {
      free = this.freeBytes();
    } catch {
      // unreadable: said in the message
    }
    throw new ApiError(
      507,
      'insufficient_storage',
      `the data directory ${this.dataDir} has ${free ?? 'an unknown number of'} bytes free; new work needs at least ${this.minFreeBytes} (ORFEAS_MIN_FREE_BYTES)`,
      undefined,
      { freeBytes: free ?? null, requiredBytes: this.minFreeBytes },
    );
  }
}
