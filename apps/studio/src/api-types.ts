/**
 * The shapes the page reads from the backend: the job view (GET /api/v1/jobs/:id, the
 * OpenAPI document's Job schema), the job room's events and the gpu room's snapshots.
 * Only the fields the page uses.
 */
import type { Stage } from '@orfeas/metrics/catalog';

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type JobType = 'image_to_3d' | 'text_to_image';

export interface ResultFile {
  name: string;
  contentType: string;
  sizeBytes: number;
  url: string;
}

export interface QualityReport {
  overall?: number;
  grade?: string;
  scores?: Record<string, number>;
  checks?: Record<string, boolean>;
  repairs?: Record<string, number>;
  issues?: { stage: string; issueType: string; detail?: string }[];
}

export interface JobView {
  id: string;
  type: JobType;
  state: JobState;
  stage: Stage | null;
  progress: number;
  stageProgress: number | null;
  etaSeconds: number | null;
  params: Record<string, unknown>;
  stageTimings: Record<string, number>;
  quality: QualityReport | null;
  result: (ResultFile & { files: ResultFile[]; engine?: string; procedural?: true; fallback?: true; fallbackReason?: string }) | null;
  error: { code: string; message: string; stage?: Stage } | null;
  cached: boolean;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** `progress` and `stage_change`. */
export interface ProgressEvent {
  jobId: string;
  stage: Stage;
  stageIndex: number;
  stageCount: number;
  stageProgress: number;
  progress: number;
  etaSeconds: number | null;
  /** Only in the first event a late subscriber to a queued job gets. */
  state?: JobState;
}

/** `error` in a job room; an `error` without jobId answers the socket's own request. */
export interface JobErrorEvent {
  jobId?: string;
  state?: JobState;
  error: { code: string; message: string; event?: string };
}

export interface GpuMinMaxMean {
  min: number;
  max: number;
  mean: number;
}

export interface GpuWindow {
  gpu: number;
  utilizationRatio?: GpuMinMaxMean;
  memoryUsedBytes?: GpuMinMaxMean;
  temperatureCelsius?: GpuMinMaxMean;
  powerWatts?: GpuMinMaxMean;
}

export interface GpuReading {
  gpu: number;
  timeMs: number;
  utilizationRatio?: number;
  memoryBytes?: { total: number; used: number };
  temperatureCelsius?: number;
  powerWatts?: number;
  powerLimitWatts?: number;
  throttleReasons?: string[];
}

/** GET /api/v1/gpu, and each `gpu_stats` (with hz, and the window since the previous one). */
export interface GpuSnapshot {
  available: boolean;
  source: 'nvml' | 'sim' | 'off' | 'unavailable';
  reason?: string;
  devices?: { index: number; name: string; lost: boolean }[];
  latest?: GpuReading[];
  window?: GpuWindow[];
  stats?: { driverVersion?: string };
  timestamp: string;
}
