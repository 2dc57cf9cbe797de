/**
 * The fleet's queue on BullMQ: FleetQueue is what the service of any replica hands jobs to
 * (and cancels them through); FleetSlots are one replica's job slots, a BullMQ Worker whose
 * processor runs the executor. Retries of a crashed replica's job are BullMQ's stalled-job
 * recovery (the lock of ORFEAS_JOB_LOCK_MS, at most MAX_ATTEMPTS runs); a cancel reaches the
 * replica running the job on a Redis channel and ends in BullMQ's own cancelJob (the
 * processor's AbortSignal). A job stopped at shutdown goes back to waiting without counting.
 */
import type { Metrics } from '@orfeas/metrics';
import { Queue, WaitingError, Worker, QueueEvents, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MAX_ATTEMPTS, type JobControl } from '../jobs/executor.js';
import type { JobEvents } from '../jobs/events.js';
import { recordGeneration } from '../pipeline/generation-metrics.js';
import { FaultLog } from '../log/fault-log.js';
import { setQueueGauges, setSlotGauges, stopWithinGrace, within, type JobQueue, type JobSlots, type RunningJob } from '../queue/job-queue.js';
import type { ClaimedJob, Job, JobRecords } from '../store/index.js';
import { isFinished } from '../store/index.js';
import type { RedisResultCache } from './cache.js';
import { queueUnavailable, type RedisJobRecords } from './records.js';

export const QUEUE_NAME = 'generations';
/** BullMQ's reason for a job whose lock lapsed more often than maxStalledCount allows. */
const STALLED_LIMIT = 'job stalled more than allowable limit';
/** How long a cancel of a job running elsewhere is watched for its end. */
const CANCEL_WATCH_MS = 2_500;
/** The queue gauges are read from Redis this often (other replicas change them too). */
export const GAUGE_REFRESH_MS = 1_000;

export interface FleetQueueOptions {
  queue: Queue;
  records: RedisJobRecords;
  cache: RedisResultCache;
  /** A fail-fast connection for the cancel channel. */
  publisher: Redis;
  cancelChannel: string;
  metrics: Metrics;
  log: Logger;
}

export class FleetQueue implements JobQueue {
  private readonly faults: FaultLog;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FleetQueueOptions) {
    this.faults = new FaultLog(options.log);
  }

  start(): void {
    this.timer = setInterval(() => this.refreshGauges(), GAUGE_REFRESH_MS);
    this.timer.unref();
    this.refreshGauges();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async enqueued(job: Job): Promise<void> {
    try {
      // The record's id is BullMQ's: an add of an id already there is a no-op, never a second job.
      await this.options.queue.add(job.type, { id: job.id }, { jobId: job.id, attempts: 1, removeOnComplete: true, removeOnFail: { count: 1_000 } });
    } catch (err) {
      // Never acknowledged: the record goes too, so no queued job waits for a queue entry that is not there.
      await this.options.records.remove(job.id).catch(() => {});
      throw queueUnavailable(err);
    }
  }

  async dropped(jobId: string): Promise<void> {
    // A job a slot took meanwhile is locked and stays: its claim sees the record cancelled and ends it.
    await this.options.queue.remove(jobId).catch(() => 0);
  }

  stopRunning(jobId: string): Promise<void> | undefined {
    const { publisher, cancelChannel, records } = this.options;
    return (async () => {
      await publisher.publish(cancelChannel, jobId);
      const deadline = Date.now() + CANCEL_WATCH_MS;
      for (;;) {
        const job = await records.get(jobId);
        if (!job || isFinished(job.state) || job.state === 'queued' || Date.now() > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
  }

  /** Reads the fleet-wide gauges from Redis now (also done every GAUGE_REFRESH_MS: other replicas change them too). */
  refreshGauges(): void {
    void this.readGauges();
  }

  private async readGauges(): Promise<void> {
    const { metrics, records, queue, cache } = this.options;
    try {
      setQueueGauges(metrics, await records.counts());
      metrics.queue.queueWorkers.set(await queue.getWorkersCount());
      await cache.refreshEntries();
      this.faults.clear('gauges', 'the queue gauges are read from Redis again');
    } catch (err) {
      // No stale figures while Redis is away: the series go until they can be read (job_queue_up says why).
      metrics.queue.jobQueueSize.reset();
      metrics.queue.activeJobs.reset();
      metrics.queue.queueWorkers.reset();
      metrics.cache.entries.reset();
      this.faults.fault('gauges', { err }, 'the queue gauges cannot be read from Redis');
    }
  }
}

export interface FleetSlotsOptions {
  /** A connection that waits for Redis rather than fail (BullMQ needs maxRetriesPerRequest: null). */
  connection: Redis;
  /** Subscribed to the cancel channel. */
  subscriber: Redis;
  cancelChannel: string;
  prefix: string;
  concurrency: number;
  lockMs: number;
  /** The records a job slot writes through: they wait for Redis rather than fail a running job. */
  records: RedisJobRecords;
  events: JobEvents;
  metrics: Metrics;
  log: Logger;
  execute: (claimed: ClaimedJob, control: JobControl, records: JobRecords) => Promise<void>;
  /** Asked before each job: false holds this replica's slots (its data directory below the watermark). */
  canClaim: () => boolean;
}


export class FleetSlots implements JobSlots {
  private worker: Worker | undefined;
  private queueEvents: QueueEvents | undefined;
  private readonly running = new Map<string, RunningJob>();
  private stopping = false;
  private readonly faults: FaultLog;
  private hold: NodeJS.Timeout | undefined;

  constructor(private readonly options: FleetSlotsOptions) {
    this.faults = new FaultLog(options.log);
  }

  get alive(): boolean {
    return !this.stopping && (this.options.concurrency === 0 || (this.worker?.isRunning() ?? false));
  }

  get busy(): number {
    return this.running.size;
  }

  start(): void {
    const { connection, prefix, concurrency, lockMs, subscriber, cancelChannel, log } = this.options;
    this.refreshSlots();
    if (concurrency === 0) return;
    this.worker = new Worker(QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection,
      prefix,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A job runs at most MAX_ATTEMPTS times: its replica may die twice, the third stall fails it.
      maxStalledCount: MAX_ATTEMPTS - 1,
    });
    // Below the data directory's watermark this replica takes no jobs: the others (or space) will.
    this.hold = setInterval(() => this.holdForSpace(), GAUGE_REFRESH_MS);
    this.hold.unref();
    this.worker.on('error', (err) => this.faults.fault('worker', { err }, 'the BullMQ worker lost Redis; it reconnects by itself'));
    this.worker.on('ready', () => this.faults.clear('worker', 'the BullMQ worker is connected to Redis'));
    // BullMQ fails a job past its stalled limit without a processor: its record is ended here.
    this.queueEvents = new QueueEvents(QUEUE_NAME, { connection: connection.duplicate(), prefix });
    this.queueEvents.on('failed', ({ jobId, failedReason }) => {
      if (failedReason.includes(STALLED_LIMIT)) void this.failStalled(jobId).catch((err: unknown) => log.warn({ err, jobId }, 'a stalled job could not be ended'));
    });
    this.queueEvents.on('error', (err) => this.faults.fault('events', { err }, 'BullMQ queue events lost Redis; they reconnect by themselves'));
    void subscriber.subscribe(cancelChannel);
    subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === cancelChannel && this.running.has(jobId)) this.worker?.cancelJob(jobId, 'cancelled by its client');
    });
  }

  private async process(bull: BullJob, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const { records, execute, log } = this.options;
    const jobId = bull.id!;
    const claim = await records.claim(jobId);
    // Cancelled before a slot took it, or ended by an earlier run: nothing to do.
    if (!claim) return;
    const job = (await records.get(jobId))!;
    const abort = new AbortController();
    const control: RunningJob['control'] = { stop: null, signal: abort.signal, abort };
    signal?.addEventListener('abort', () => {
      control.stop ??= 'cancelled';
      abort.abort();
    });
    const done = execute({ job, waitSeconds: claim.waitSeconds }, control, records.forAttempt(claim.attempt)).catch((err: unknown) =>
      log.error({ err, jobId }, 'job executor failed'),
    );
    this.running.set(jobId, { control, done });
    this.refreshSlots();
    try {
      await done;
    } finally {
      this.running.delete(jobId);
      this.refreshSlots();
    }
    if (control.stop === 'shutdown' && (await records.get(jobId))?.state === 'queued') {
      // Requeued at shutdown: back to waiting for the next slot, not a failure and not a stall.
      await bull.moveToWait(token);
      throw new WaitingError();
    }
  }

  private holdForSpace(): void {
    const worker = this.worker;
    if (!worker || this.stopping) return;
    if (!this.options.canClaim()) {
      if (!worker.isPaused()) {
        this.faults.fault('hold', {}, 'not taking jobs: the data directory is below its free-space watermark (ORFEAS_MIN_FREE_BYTES)');
        void worker.pause(true);
      }
    } else if (worker.isPaused()) {
      this.faults.clear('hold', 'taking jobs again: the data directory has space');
      worker.resume();
    }
  }

  private async failStalled(jobId: string): Promise<void> {
    const { records, metrics, events } = this.options;
    const error = {
      code: 'too_many_attempts',
      message: `the job's replica stopped while running it ${MAX_ATTEMPTS} times (BullMQ's stalled-job limit); it is not retried again`,
    };
    const job = await records.failStalled(jobId, error);
    if (!job) return;
    recordGeneration(metrics, job, { status: 'failure', seconds: 0, reason: error.code });
    events.fail({ jobId, state: 'failed', error });
  }

  private refreshSlots(): void {
    setSlotGauges(this.options.metrics, this.running.size, this.options.concurrency);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.hold);
    const worker = this.worker;
    if (!worker) return;
    // No new jobs from here on; running ones are asked to stop at their next stage boundary.
    const closing = worker.close();
    await stopWithinGrace(this.running, graceMs);
    // A processor still not back leaves its job locked: BullMQ's stalled check hands it on.
    await within(closing);
    if (this.running.size > 0) await worker.close(true);
    await this.queueEvents?.close();
    this.options.subscriber.disconnect();
  }
}
