/**
 * The queue as the service sees it, and the job slots that take from it: the SQLite worker
 * pool on one machine, BullMQ on Redis in a fleet (../fleet).
 */
import type { Job, MaybePromise } from '../store/index.js';

export interface JobQueue {
  /** A job was stored queued: wake the slots (SQLite), or hand it to the shared queue (BullMQ). */
  enqueued(job: Job): MaybePromise<void>;
  /** A queued job was cancelled: take it out of the queue. */
  dropped(jobId: string): MaybePromise<void>;
  /**
   * Stops a running job now, wherever it runs: its stage in progress gets the abort and the job
   * ends cancelled. Resolves once it has ended (or stopped waiting for that); undefined when no
   * slot runs it.
   */
  stopRunning(jobId: string): Promise<void> | undefined;
  /** Sets the queue gauges from the records. */
  refreshGauges(): void;
}

export interface JobSlots {
  start(): void;
  /** Stops taking jobs; running ones get `graceMs` to reach a stage boundary, the rest are requeued. */
  stop(graceMs: number): Promise<void>;
  /** True while the slots take jobs (an API-only replica, with none, is alive until it stops). */
  readonly alive: boolean;
}
