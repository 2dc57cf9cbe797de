/**
 * The job service: what the routes call. Submitting stores the input file and the job row
 * before the caller answers 202 (or finishes the job at once from the cache); cancelling
 * ends a queued job now and stops a running one's stage in progress.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { Metrics } from '@orfeas/metrics';
import type { Logger } from 'pino';
import { cacheKey, type ResultCache } from '../cache/index.js';
import { recordGeneration } from '../pipeline/generation-metrics.js';
import type { WorkerPool } from '../queue/worker-pool.js';
import { isFinished, type ImageTo3dParams, type Job, type JobStore, type JobType, type NewJob, type TextToImageParams } from '../store/index.js';
import type { JobEvents } from './events.js';
import { jobView, resultUrl } from './view.js';

export interface JobServiceDeps {
  store: JobStore;
  cache: ResultCache;
  pool: WorkerPool;
  events: JobEvents;
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
    const cached = this.fromCache({ id, type: 'image_to_3d', params, inputPath: null, cacheKey: key, owner });
    if (cached) return cached;
    const inputPath = `uploads/${id}.${params.imageFormat}`;
    const absolute = this.deps.store.resolve(inputPath);
    // The file first, then the row: a row never points at a file that is not there. A write
    // or an insert that fails (a full disk) takes the file with it.
    try {
      const file = await fs.open(absolute, 'wx');
      try {
        await file.writeFile(image);
        await file.datasync();
      } finally {
        await file.close();
      }
      return this.enqueue({ id, type: 'image_to_3d', params, inputPath, cacheKey: key, owner });
    } catch (err) {
      await fs.rm(absolute, { force: true });
      throw err;
    }
  }

  submitTextToImage(params: TextToImageParams, owner: string | null = null): Job {
    const id = crypto.randomUUID();
    const key = cacheKey('text_to_image', this.deps.engineIdentities.text_to_image, null, { ...params });
    const job: NewJob = { id, type: 'text_to_image', params, inputPath: null, cacheKey: key, owner };
    return this.fromCache(job) ?? this.enqueue(job);
  }

  get(id: string): Job | undefined {
    return this.deps.store.get(id);
  }

  /** Why a job that is not there is gone: retention deleted it (when, and what it was finished). */
  expired(id: string) {
    return this.deps.store.expiry.tombstone(id);
  }

  view(job: Job) {
    return jobView(job, this.deps.events.current(job.id));
  }

  cancel(job: Job): CancelOutcome {
    const { store, pool, events, metrics } = this.deps;
    if (isFinished(job.state)) return { outcome: 'finished' };
    const error = { code: 'cancelled', message: 'the job was cancelled before it started' };
    if (store.cancel(job.id, 'queued', error)) {
      recordGeneration(metrics, job, { status: 'cancelled', seconds: 0 });
      pool.refreshGauges();
      events.fail({ jobId: job.id, state: 'cancelled', error });
      return { outcome: 'cancelled' };
    }
    const done = pool.cancel(job.id);
    return done ? { outcome: 'stopping', done } : { outcome: 'finished' };
  }

  private enqueue(job: NewJob): Job {
    const stored = this.deps.store.insert(job);
    this.deps.pool.notify();
    return stored;
  }

  private fromCache(job: NewJob): Job | undefined {
    const hit = this.deps.cache.lookup(job.type, job.cacheKey);
    if (!hit) return undefined;
    const id = job.id;
    const stored = this.deps.store.insertCompleted(job, hit);
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
