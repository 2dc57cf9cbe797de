/**
 * JobRecords: what the service, the executor and the routes need of the job records, in either
 * mode. The SQLite JobStore answers synchronously (one machine); Redis records answer with
 * promises (a fleet), so callers await every call.
 */
import type { Stage } from '@orfeas/metrics/catalog';
import type { ProgressEvent } from '../jobs/events.js';
import type { Job, JobError, JobGpuCost, JobResult, JobState, JobType } from './job.js';

export type MaybePromise<T> = T | Promise<T>;

export interface NewJob {
  id: string;
  type: JobType;
  params: Job['params'];
  inputPath: string | null;
  cacheKey: string;
  /** The API key's name, when keys are on. */
  owner?: string | null;
}

/** A job a job slot has taken, with how long it waited in the queue. */
export interface ClaimedJob {
  job: Job;
  waitSeconds: number;
}

/** A job retention deleted: when, and whose it was. */
export interface Tombstone {
  expiredAt: number;
  finishedAt: number | null;
  owner: string | null;
}

export interface JobRecords {
  /** Absolute path of a file the records refer to by a data-directory-relative path. */
  resolve(relative: string): string;
  insert(job: NewJob): MaybePromise<Job>;
  /** Records a job answered from the cache: finished at once with the cached result. */
  insertCompleted(job: NewJob, from: Job): MaybePromise<Job>;
  get(id: string): MaybePromise<Job | undefined>;
  /** Why a job that is not there is gone: retention deleted it. */
  tombstone(id: string): MaybePromise<Tombstone | undefined>;
  setStage(id: string, stage: Stage, timings: Job['stageTimings']): MaybePromise<void>;
  /** Ends a running job as completed; false (and nothing written) when it is no longer running. */
  complete(id: string, result: JobResult, quality: Job['quality'], timings: Job['stageTimings'], gpu?: JobGpuCost | null): MaybePromise<boolean>;
  /** Ends a running job as failed or cancelled; false when it is no longer running. */
  finish(id: string, state: 'failed' | 'cancelled', error: JobError, timings: Job['stageTimings'], gpu?: JobGpuCost | null): MaybePromise<boolean>;
  /** Records the GPU cost of a job that ended before it was measured (a cancelled one). */
  setGpu(id: string, gpu: JobGpuCost): MaybePromise<void>;
  /** Cancels a job that is still `from`; false when it is no longer in that state. */
  cancel(id: string, from: 'queued' | 'running', error: JobError): MaybePromise<boolean>;
  /** Puts a running job back in the queue at shutdown; an orderly stop does not count as an attempt. */
  requeue(id: string): MaybePromise<void>;
  /** Jobs by state and type, for the queue gauges. */
  counts(): MaybePromise<{ state: JobState; type: JobType; n: number }[]>;
  /** True while the records take writes. */
  writable(): MaybePromise<boolean>;
  /** False once closed: late writes of a job ending after the shutdown are skipped. */
  readonly open: boolean;
}

/** Where a running job is now, for late subscribers and GET /api/v1/jobs/:id on any replica. */
export type LiveProgress = (jobId: string) => MaybePromise<ProgressEvent | undefined>;
