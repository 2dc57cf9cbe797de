/**
 * The queue as the service sees it, and the job slots that take from it: the SQLite worker
 * pool on one machine, BullMQ on Redis in a fleet (../fleet).
 */
import type { Metrics } from '@orfeas/metrics';
import { GENERATION_TYPES } from '@orfeas/metrics/catalog';
import type { JobControl } from '../jobs/executor.js';
import type { Job, JobState, JobType, MaybePromise } from '../store/index.js';

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

/** A job running in one of this replica's slots: how to stop it, and its end. */
export interface RunningJob {
  control: JobControl & { abort: AbortController };
  done: Promise<void>;
}

/** After the shutdown grace, how long aborted jobs get to record their own end. */
const SETTLE_AFTER_ABORT_MS = 1_000;

/**
 * The shutdown of job slots: running jobs are asked to stop at their next stage boundary; past
 * `graceMs` their stages are aborted, and they get a moment to record how they ended.
 */
export async function stopWithinGrace(running: ReadonlyMap<string, RunningJob>, graceMs: number): Promise<void> {
  for (const { control } of running.values()) control.stop ??= 'shutdown';
  const all = Promise.allSettled([...running.values()].map((r) => r.done));
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
  const outcome = await Promise.race([all.then(() => 'done' as const), grace]);
  clearTimeout(timer);
  if (outcome === 'done') return;
  for (const { control } of running.values()) control.abort.abort();
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_ABORT_MS).unref())]);
}

/** How long to wait for something to end before going on without it. */
export function within(promise: Promise<unknown>, ms = SETTLE_AFTER_ABORT_MS): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/** Sets job_queue_size and active_jobs from the records' counts (every type, 0 where none). */
export function setQueueGauges(metrics: Metrics, counts: readonly { state: JobState; type: JobType; n: number }[]): void {
  for (const type of GENERATION_TYPES) {
    const of = (state: JobState) => counts.find((c) => c.type === type && c.state === state)?.n ?? 0;
    metrics.queue.jobQueueSize.set({ type }, of('queued'));
    metrics.queue.activeJobs.set({ type }, of('running'));
  }
}

/** Sets job_slots: this replica's slots busy running a job, and the rest. */
export function setSlotGauges(metrics: Metrics, busy: number, slots: number): void {
  metrics.queue.jobSlots.set({ state: 'busy' }, busy);
  metrics.queue.jobSlots.set({ state: 'idle' }, Math.max(0, slots - busy));
}
