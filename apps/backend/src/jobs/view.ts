/** How a job looks to API clients: GET /api/v1/jobs/:id and the state sent to late subscribers. */
import type { z } from '@hono/zod-openapi';
import { ApiError } from '../errors/index.js';
import type { JobView as JobViewSchema } from '../openapi/schemas.js';
import type { Job, JobType } from '../store/index.js';
import type { ProgressEvent } from './events.js';

export const resultUrl = (jobId: string) => `/api/v1/jobs/${jobId}/result`;
/** Where one file of a result is downloaded: the model and what it refers to (an OBJ's MTL and texture). */
export const resultFileUrl = (jobId: string, name: string) => `/api/v1/jobs/${jobId}/files/${encodeURIComponent(name)}`;

/** The route pattern a job type is submitted on, the `route` label of errors its jobs raise. */
export const submitRoute = (type: JobType) =>
  type === 'image_to_3d' ? '/api/v1/generations' : '/api/v1/text-to-image';

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/** 410 for a job retention deleted: when it finished and when it went. */
export function expiredError(id: string, gone: { expiredAt: number; finishedAt: number | null }): ApiError {
  const finished = gone.finishedAt === null ? '' : `finished ${iso(gone.finishedAt)} and `;
  return new ApiError(410, 'expired', `job ${id} ${finished}was deleted ${iso(gone.expiredAt)}, past the retention period (ORFEAS_RETENTION)`);
}

export function jobView(job: Job, live: ProgressEvent | undefined): JobView {
  const running = job.state === 'running';
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    stage: running ? (live?.stage ?? job.stage) : job.state === 'completed' ? null : job.stage,
    progress: job.state === 'completed' ? 1 : running ? (live?.progress ?? 0) : 0,
    stageProgress: running ? (live?.stageProgress ?? 0) : null,
    etaSeconds: job.state === 'completed' ? 0 : running ? (live?.etaSeconds ?? null) : null,
    params: { ...job.params },
    stageTimings: job.stageTimings,
    quality: job.quality ? { ...job.quality } : null,
    result: job.result
      ? {
          url: resultUrl(job.id),
          name: job.result.name,
          contentType: job.result.contentType,
          sizeBytes: job.result.sizeBytes,
          files: (job.result.files ?? [job.result]).map(({ name, contentType, sizeBytes }) => ({
            name,
            contentType,
            sizeBytes,
            url: resultFileUrl(job.id, name),
          })),
          ...(job.result.engine ? { engine: job.result.engine } : {}),
          ...(job.result.procedural ? { procedural: true } : {}),
          ...(job.result.fallback ? { fallback: true, fallbackReason: job.result.fallbackReason } : {}),
        }
      : null,
    error: job.error,
    gpu: job.gpu,
    cached: job.cached,
    attempts: job.attempts,
    createdAt: iso(job.createdAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/** A job as the API shows it: the OpenAPI document's Job schema is its one definition. */
export type JobView = z.infer<typeof JobViewSchema>;
