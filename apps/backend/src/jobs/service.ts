/**
 * The job service: what the routes and the WebSocket module call. Submitting stores the input
 * file and the job record before the caller answers 202 (or finishes the job at once from the
 * cache); cancelling ends a queued job now and stops a running one's stage in progress,
 * wherever in the fleet it runs. Every call is awaited: the records are SQLite's on one
 * machine, Redis's in a fleet.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { Metrics } from '@orfeas/metrics';
import type { Logger } from 'pino';
import { cacheKey, type JobCache } from '../cache/index.js';
import { recordGeneration } from '../pipeline/generation-metrics.js';
import type { JobQueue } from '../queue/job-queue.js';
import {
  isFinished,
  type ImageTo3dParams,
  type Job,
  type JobRecords,
  type JobType,
  type LiveProgress,
  type NewJob,
  type TextToImageParams,
} from '../store/index.js';
import type { JobEvents } from './events.js';
import { jobView, resultUrl } from './view.js';

export interface JobServiceDeps {
  records: JobRecords;
  cache: JobCache;
  queue: JobQueue;
  events: JobEvents;
  /** Where a running job is now: this process's events (SQLite), or the shared record (Redis). */
  live: LiveProgress;
  metrics: Metrics;
  log: Logger;
  /** The identity of the engine each job type runs on, part of its cache key. */
  engineIdentities: Record<JobType, string>;
}

/** cancelled: it had not started; stopping: it was running and is being stopped (`done` once it has); finished: too late. */
export type CancelOutcome = { outcome: 'cancelled' | 'finished' } | { outcome: 'stopping'; done: Promise<void> };

export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  /** `owner`: the name of the caller's API key (null with keys off). */
  async submitImageTo3d(image: Uint8Array, params: ImageTo3dParams, owner: string | null = null): Promise<Job> {
    const id = crypto.randomUUID();
    const key = cacheKey('image_to_3d', this.deps.engineIdentities.image_to_3d, image, { format: params.format, quality: params.quality });
    const cached = await this.fromCache({ id, type: 'image_to_3d', params, inputPath: null, cacheKey: key, owner });
    if (cached) return cached;
    const inputPath = `uploads/${id}.${params.imageFormat}`;
    const absolute = this.deps.records.resolve(inputPath);
    // The file first, then the record: a record never points at a file that is not there. A
    // write or an insert that fails (a full disk, Redis gone) takes the file with it.
    try {
      const file = await fs.open(absolute, 'wx');
      try {
        await file.writeFile(image);
        await file.datasync();
      } finally {
        await file.close();
      }
      return await this.enqueue({ id, type: 'image_to_3d', params, inputPath, cacheKey: key, owner });
    } catch (err) {
      await fs.rm(absolute, { force: true });
      throw err;
    }
  }

  async submitTextToImage(params: TextToImageParams, owner: string | null = null): Promise<Job> {
    const id = crypto.randomUUID();
    const key = cacheKey('text_to_image', this.deps.engineIdentities.text_to_image, null, { ...params });
    const job: NewJob = { id, type: 'text_to_image', params, inputPath: null, cacheKey: key, owner };
    return (await this.fromCache(job)) ?? (await this.enqueue(job));
  }

  async get(id: string): Promise<Job | undefined> {
    return this.deps.records.get(id);
  }

  /** Why a job that is not there is gone: retention deleted it (when, and what it was finished). */
  async expired(id: string) {
    return this.deps.records.tombstone(id);
  }

  async view(job: Job) {
    return jobView(job, job.state === 'running' ? await this.deps.live(job.id) : undefined);
  }

  /** Where a running job is now (stage, progress, ETA), for a late subscriber. */
  async live(jobId: string) {
    return this.deps.live(jobId);
  }

  async cancel(job: Job): Promise<CancelOutcome> {
    const { records, queue, events, metrics } = this.deps;
    if (isFinished(job.state)) return { outcome: 'finished' };
    const error = { code: 'cancelled', message: 'the job was cancelled before it started' };
    if (await records.cancel(job.id, 'queued', error)) {
      await queue.dropped(job.id);
      recordGeneration(metrics, job, { status: 'cancelled', seconds: 0 });
      queue.refreshGauges();
      events.fail({ jobId: job.id, state: 'cancelled', error });
      return { outcome: 'cancelled' };
    }
    const done = queue.stopRunning(job.id);
    return done ? { outcome: 'stopping', done } : { outcome: 'finished' };
  }

  private async enqueue(job: NewJob): Promise<Job> {
    const stored = await this.deps.records.insert(job);
    await this.deps.queue.enqueued(stored);
    return stored;
  }

  private async fromCache(job: NewJob): Promise<Job | undefined> {
    const hit = await this.deps.cache.lookup(job.type, job.cacheKey);
    if (!hit) return undefined;
    const id = job.id;
    const stored = await this.deps.records.insertCompleted(job, hit);
    this.deps.events.complete({
      jobId: id,
      result: { ...stored.result!, url: resultUrl(id) },
      quality: stored.quality,
      stageTimings: {},
      cached: true,
    });
    this.deps.log.info({ jobId: id, from: hit.id }, 'job answered from the result cache');
    return stored;
  }
}
