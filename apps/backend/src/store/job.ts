/**
 * The job record: what a client submitted, where it is in the pipeline and how it ended.
 * One shape for the store, the routes and the WebSocket events.
 */
import type { ModelFormat, ModelQuality, QualityReport } from '@orfeas/engines';
import type { Stage } from '@orfeas/metrics/catalog';

export type JobType = 'image_to_3d' | 'text_to_image';
export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINISHED_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled'];

export interface ImageTo3dParams {
  format: ModelFormat;
  quality: ModelQuality;
  imageFormat: 'png' | 'jpeg' | 'webp';
}

export interface TextToImageParams {
  prompt: string;
  style: string;
  width: number;
  height: number;
  seed: number;
}

export type JobParams = ImageTo3dParams | TextToImageParams;

export interface JobError {
  code: string;
  message: string;
  stage?: Stage;
}

export interface JobResult {
  /** Path of the downloaded file, relative to the data directory. */
  path: string;
  name: string;
  contentType: string;
  sizeBytes: number;
  /** Every file of the result, the downloaded one first (an OBJ's MTL and texture follow it), beside `path`. */
  files?: ResultFileInfo[];
  /** The engine that made it (its name). */
  engine?: string;
  /** Drawn by the built-in procedural text-to-image engine, not by a model. */
  procedural?: true;
  /** Made by a fallback engine because the engine asked for could not (a model server down); never cached. */
  fallback?: true;
  /** Which engine stood in, and why. */
  fallbackReason?: string;
}

/**
 * What a job cost on the GPUs while it ran (@orfeas/gpu-sampler's cost meter): per device and
 * summed. process: only this service's processes' use counted (the driver reports per-process
 * use on every device); time_share: the devices' whole use, split between the jobs running at
 * the same time.
 */
export interface JobGpuCost {
  devices: { gpu: string; busySeconds: number; energyJoules: number }[];
  busySeconds: number;
  energyJoules: number;
  attribution: 'process' | 'time_share';
}

export interface ResultFileInfo {
  name: string;
  contentType: string;
  sizeBytes: number;
}

export interface Job {
  id: string;
  type: JobType;
  state: JobState;
  params: JobParams;
  /** Path of the uploaded input, relative to the data directory (image-to-3D only). */
  inputPath: string | null;
  cacheKey: string;
  stage: Stage | null;
  /** Seconds spent in each finished stage of the latest attempt. */
  stageTimings: Partial<Record<Stage, number>>;
  quality: QualityReport | { overall: number } | null;
  result: JobResult | null;
  error: JobError | null;
  /** The GPU cost of a finished job that ran with a GPU sampler; null otherwise (and for a cached answer, which cost none). */
  gpu: JobGpuCost | null;
  /** True when the result came from the cache rather than a run of the pipeline. */
  cached: boolean;
  attempts: number;
  /** The name of the API key that submitted it; null with keys off. */
  owner: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export function isFinished(state: JobState): boolean {
  return FINISHED_STATES.includes(state);
}
