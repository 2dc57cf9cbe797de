/**
 * Job events: what the pipeline reports while it runs a job (progress, stage_change, complete,
 * error), with the latest state of each running job kept so late subscribers and
 * GET /api/v1/jobs/:id see where it is now.
 */
import { EventEmitter } from 'node:events';
import type { Stage } from '@orfeas/metrics/catalog';
import type { Job, JobError, JobResult } from '../store/index.js';

export interface ProgressEvent {
  jobId: string;
  stage: Stage;
  stageIndex: number;
  stageCount: number;
  /** Within the current stage, 0..1. */
  stageProgress: number;
  /** Of the whole job, 0..1. */
  progress: number;
  /** Seconds left, from the mean of recent durations of the remaining stages; null before any ran. */
  etaSeconds: number | null;
}

export interface StageChangeEvent extends ProgressEvent {
  previousStage: Stage | null;
}

export interface CompleteEvent {
  jobId: string;
  result: JobResult & { url: string };
  quality: Job['quality'];
  stageTimings: Job['stageTimings'];
  cached: boolean;
}

export interface ErrorEvent {
  jobId: string;
  state: 'failed' | 'cancelled' | 'queued';
  error: JobError;
}

export interface JobEventMap {
  progress: [ProgressEvent];
  stage_change: [StageChangeEvent];
  complete: [CompleteEvent];
  error: [ErrorEvent];
}

export class JobEvents extends EventEmitter<JobEventMap> {
  private readonly live = new Map<string, ProgressEvent>();

  progress(event: ProgressEvent): void {
    this.live.set(event.jobId, event);
    this.emit('progress', event);
  }

  stageChange(event: StageChangeEvent): void {
    this.live.set(event.jobId, event);
    this.emit('stage_change', event);
  }

  complete(event: CompleteEvent): void {
    this.live.delete(event.jobId);
    this.emit('complete', event);
  }

  /** A job ended without a result, or (state 'queued') went back to the queue at shutdown. */
  fail(event: ErrorEvent): void {
    this.live.delete(event.jobId);
    // An EventEmitter throws on an 'error' nobody listens to; here it is an ordinary event.
    if (this.listenerCount('error') > 0) this.emit('error', event);
  }

  /** The latest progress of a running job. */
  current(jobId: string): ProgressEvent | undefined {
    return this.live.get(jobId);
  }
}
