/**
 * The worker pool: at most `concurrency` jobs run at once, taken from the store's queue in
 * order. It keeps job_queue_size and active_jobs equal to the store's counts, stops a
 * cancelled job's stage at once, and at shutdown lets running stages reach a boundary, then
 * requeues what is left.
 */
import type { Metrics } from '@orfeas/metrics';
import type { Logger } from 'pino';
import type { ClaimedJob, Job, JobStore } from '../store/index.js';
import type { JobControl } from '../jobs/executor.js';
import { FaultLog } from '../log/fault-log.js';
import { setQueueGauges, setSlotGauges, stopWithinGrace, type JobQueue, type JobSlots, type RunningJob } from './job-queue.js';

export interface WorkerPoolOptions {
  store: JobStore;
  concurrency: number;
  metrics: Metrics;
  log: Logger;
  execute: (claimed: ClaimedJob, control: JobControl) => Promise<void>;
  /** Asked before each claim: false holds the queue (the data directory below its watermark). */
  canClaim?: () => boolean;
  /** Called on each look at the queue, before claiming. */
  onPoll?: () => void;
}


/** A safety net: the pool also looks at the queue this often, in case a wake-up was missed. */
const POLL_MS = 1_000;

export class WorkerPool implements JobQueue, JobSlots {
  private readonly running = new Map<string, RunningJob>();
  private stopping = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly faults: FaultLog;

  constructor(private readonly options: WorkerPoolOptions) {
    this.faults = new FaultLog(options.log);
  }

  start(): void {
    this.poll = setInterval(() => this.notify(), POLL_MS);
    this.poll.unref();
    this.notify();
  }

  /** True while the pool takes jobs. */
  get alive(): boolean {
    return this.poll !== undefined && !this.stopping;
  }

  get activeCount(): number {
    return this.running.size;
  }

  enqueued(_job: Job): void {
    this.notify();
  }

  /** The store's row is the queue: cancelling it took the job out. */
  dropped(): void {
    this.refreshGauges();
  }

  stopRunning(jobId: string): Promise<void> | undefined {
    return this.cancel(jobId);
  }

  /** Takes queued jobs while a worker is free. */
  notify(): void {
    if (this.stopping) return;
    const { store, canClaim, onPoll } = this.options;
    try {
      onPoll?.();
      while (this.running.size < this.options.concurrency) {
        if (canClaim && !canClaim()) {
          this.faults.fault('hold', {}, 'not taking jobs: the data directory is below its free-space watermark (ORFEAS_MIN_FREE_BYTES)');
          break;
        }
        this.faults.clear('hold', 'taking jobs again: the data directory has space');
        const claimed = store.claimNext();
        if (!claimed) break;
        // A claim the store did not keep would come back as the same job: never run it twice.
        if (this.running.has(claimed.job.id)) throw new Error(`job ${claimed.job.id} was claimed while it runs`);
        this.launch(claimed);
      }
      this.faults.clear('claim', 'the queue can be read again');
    } catch (err) {
      this.faults.fault('claim', { err }, 'could not take a job from the queue');
    }
    this.refreshGauges();
  }

  /**
   * Stops a running job now: its stage in progress gets the abort (engine threads, model-server
   * requests, the export) and the job ends cancelled. Resolves once it has ended; undefined
   * when the job is not running here.
   */
  cancel(jobId: string): Promise<void> | undefined {
    const running = this.running.get(jobId);
    if (!running) return undefined;
    running.control.stop = 'cancelled';
    running.control.abort.abort();
    return running.done;
  }

  /** Stops taking jobs; running ones get `graceMs` to reach a stage boundary, the rest are requeued. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    await stopWithinGrace(this.running, graceMs);
    // What is still here after the grace and the abort is settled from outside.
    if (this.running.size > 0) {
      for (const [jobId, { control }] of this.running) {
        if (control.stop === 'cancelled') {
          // Cancelled by its client before the shutdown: a restart must not run it again.
          this.options.store.cancel(jobId, 'running', { code: 'cancelled', message: 'the job was cancelled' });
          this.options.log.warn({ jobId }, 'cancelled job ended at shutdown before its stage finished');
          continue;
        }
        this.options.store.requeue(jobId);
        this.options.log.warn({ jobId }, 'job requeued: its stage did not finish within the shutdown grace');
      }
    }
  }

  private launch(claimed: ClaimedJob): void {
    const abort = new AbortController();
    const control = { stop: null, signal: abort.signal, abort };
    // Started on the next turn of the event loop: an engine's synchronous work must not hold
    // back the 202 of the request that woke the pool.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.options.execute(claimed, control))
      .catch((err) => this.options.log.error({ err, jobId: claimed.job.id }, 'job executor failed'))
      .finally(() => {
        this.running.delete(claimed.job.id);
        if (this.stopping) return;
        this.notify();
      });
    this.running.set(claimed.job.id, { control, done });
  }

  /** Sets the queue gauges from the store, so they hold what is persisted, not what this process thinks. */
  refreshGauges(): void {
    const { metrics, store } = this.options;
    try {
      setQueueGauges(metrics, store.counts());
      setSlotGauges(metrics, this.running.size, this.options.concurrency);
      metrics.queue.queueWorkers.set(this.alive ? 1 : 0);
    } catch (err) {
      this.faults.fault('counts', { err }, 'could not read the queue counts');
    }
  }
}
