/**
 * The shapes the API answers with, as zod schemas for the OpenAPI document (GET /openapi.json):
 * the error body every refusal has, a 202, a job as GET /api/v1/jobs/:id shows it, and the
 * content types a result file may have.
 */
import { z } from '@hono/zod-openapi';
import { GENERATION_TYPES, STAGES } from '@orfeas/metrics/catalog';
import { JOB_STATES } from '../store/index.js';

export const ErrorBody = z
  .object({
    error: z.looseObject({
      code: z.string().openapi({ example: 'invalid_value' }),
      message: z.string(),
      field: z.string().optional().openapi({ description: 'The request field to blame, when one is' }),
      freeBytes: z.number().nullable().optional().openapi({ description: '507: bytes free on the data directory' }),
      requiredBytes: z.number().optional().openapi({ description: '507: the free-space watermark (ORFEAS_MIN_FREE_BYTES)' }),
    }),
  })
  .openapi('Error');

const WHY: Record<number, string> = {
  400: 'A field, id or body is invalid (error.field names it)',
  401: 'API keys are on and the request has none, or a wrong one',
  404: 'No such job (or another key\'s), file or route',
  409: 'The job is not in a state that allows this',
  410: 'The job was deleted past the retention period, or its file is gone',
  413: 'The body, image or pixel count is over its limit',
  415: 'The content type is not the one this operation takes, or the file is not an image',
  429: 'Past the per-client (or per-key) rate limit; Retry-After says when to come back',
  500: 'An internal fault: counted and logged, the service goes on',
  507: 'The data directory is below its free-space watermark',
};

/** The error responses of an operation, each with the error body. */
export function errorResponses(...statuses: (keyof typeof WHY)[]) {
  return Object.fromEntries(
    [...statuses, 500].map((status) => [status, { description: WHY[status]!, content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

export const Accepted = z
  .object({
    jobId: z.uuid(),
    state: z.enum(['queued', 'completed']).openapi({ description: 'completed when answered from the result cache' }),
    statusUrl: z.string().openapi({ example: '/api/v1/jobs/3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59' }),
  })
  .openapi('Accepted');

/** Links from a 202 to the job it made, for clients and stateful API testing. */
export const jobLinks = {
  GetJob: { operationId: 'getJob', parameters: { id: '$response.body#/jobId' } },
  CancelJob: { operationId: 'cancelJob', parameters: { id: '$response.body#/jobId' } },
  GetJobResult: { operationId: 'getJobResult', parameters: { id: '$response.body#/jobId' } },
};

/** What the engines export, and the texture an OBJ or PLY refers to. */
export const RESULT_CONTENT_TYPES = ['model/gltf-binary', 'model/obj', 'model/mtl', 'model/stl', 'application/x-ply', 'image/png'] as const;

const GpuCost = z
  .object({
    devices: z.array(
      z.object({
        gpu: z.string().openapi({ description: 'The GPU: its index ("0"), or "<parent>/<GPU instance id>" for a MIG instance ("0/3")', example: '0' }),
        busySeconds: z.number().min(0),
        energyJoules: z.number().min(0),
      }),
    ),
    busySeconds: z.number().min(0).openapi({ description: 'GPU busy seconds the job cost, summed over the devices' }),
    energyJoules: z.number().min(0).openapi({ description: 'Energy the job cost, summed over the devices, J' }),
    attribution: z.enum(['process', 'time_share']).openapi({
      description:
        "process: only ORFEAS's processes' use counted (this service and ORFEAS_GPU_PROCESSES), on every device, split between the jobs running at once; " +
        "time_share: some device reports no per-process use, so its whole use counted, split between the jobs running at once",
    }),
  })
  .openapi('GpuCost', { description: 'What the job cost on the GPUs while it ran; null unless it finished with a GPU sampler (and for a cached answer, which cost none)' });

const ResultFile = z.object({ name: z.string(), contentType: z.string(), sizeBytes: z.number().int(), url: z.string() });

export const JobView = z
  .object({
    id: z.uuid(),
    type: z.enum(GENERATION_TYPES),
    state: z.enum(JOB_STATES),
    stage: z.enum(STAGES).nullable(),
    progress: z.number().min(0).max(1),
    stageProgress: z.number().min(0).max(1).nullable(),
    etaSeconds: z.number().nullable(),
    params: z.looseObject({}).openapi({ description: 'What was submitted (format, quality; or prompt, style, size, seed)' }),
    stageTimings: z.record(z.string(), z.number()).openapi({ description: 'Seconds of each finished stage' }),
    quality: z.looseObject({}).nullable().openapi({ description: 'The quality report: scores, grade, checks, repairs, issues' }),
    result: z
      .object({
        url: z.string(),
        name: z.string(),
        contentType: z.string(),
        sizeBytes: z.number().int(),
        files: z.array(ResultFile),
        engine: z.string().optional(),
        procedural: z.literal(true).optional(),
        fallback: z.literal(true).optional(),
        fallbackReason: z.string().optional(),
      })
      .nullable(),
    error: z.object({ code: z.string(), message: z.string(), stage: z.enum(STAGES).optional() }).nullable(),
    gpu: GpuCost.nullable(),
    cached: z.boolean(),
    attempts: z.number().int(),
    createdAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Job');

export const jobIdParam = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, format: 'uuid', example: '3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59' }),
});
