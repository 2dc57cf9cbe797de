/**
 * /api/v1/jobs/:id: the job's state (GET), its result file (GET .../result), each file of the
 * result (GET .../files/:name: an OBJ's MTL and texture) and cancellation (DELETE: 200 once
 * the job has ended cancelled, 202 while a stopped stage is still ending). Ids must be
 * UUIDs and file names one of the result's own, so nothing from the path reaches the file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app/env.js';
import { ApiError, invalid } from '../errors/index.js';
import { visibleTo } from '../auth/index.js';
import type { JobService } from '../jobs/service.js';
import { expiredError } from '../jobs/view.js';
import { JobView, RESULT_CONTENT_TYPES, errorResponses, jobIdParam } from '../openapi/schemas.js';
import type { Job, JobRecords } from '../store/index.js';
import { validationHook } from './validation.js';

/** How long DELETE waits for a running job to end before answering 202 instead of 200. */
const CANCEL_WAIT_MS = 2_000;

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function resultOf(job: Job): NonNullable<Job['result']> {
  if (job.state !== 'completed' || !job.result) {
    throw new ApiError(409, 'result_not_ready', `job ${job.id} is ${job.state}; its result is there once it is completed`);
  }
  return job.result;
}

export function jobRoutes({ service, records }: { service: JobService; records: Pick<JobRecords, 'resolve'> }) {
  /** The job of the path's id, as the caller may see it: another key's job is not there for it. */
  const find = async (c: Context<AppEnv>) => {
    const id = c.req.param('id')!;
    if (!UUID.test(id)) throw invalid('id', 'invalid_job_id', 'job ids are UUIDs like 3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59');
    const caller = c.var.apiKey;
    const job = await service.get(id.toLowerCase());
    if (job && visibleTo(job, caller)) return job;
    const gone = job ? undefined : await service.expired(id.toLowerCase());
    if (gone && visibleTo(gone, caller)) throw expiredError(id, gone);
    throw new ApiError(404, 'job_not_found', `no job with id ${id}`);
  };

  const sendFile = (c: Context<AppEnv>, relative: string, meta: { name: string; contentType: string }) => {
    const file = records.resolve(relative);
    if (!fs.existsSync(file)) throw new ApiError(410, 'result_gone', `the result file ${meta.name} is no longer stored`);
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
    return c.body(body, 200, {
      'Content-Type': meta.contentType,
      'Content-Length': String(fs.statSync(file).size),
      // The engine names the file: only plain characters reach the header.
      'Content-Disposition': `attachment; filename="${meta.name.replace(/[^\w.-]/g, '_')}"`,
    });
  };

  const fileContent = Object.fromEntries(
    RESULT_CONTENT_TYPES.map((type) => [type, { schema: z.string().openapi({ type: 'string', format: 'binary' }) }]),
  );
  const fileResponses = {
    200: { description: 'The file, as an attachment', content: fileContent },
    ...errorResponses(400, 401, 404, 409, 410),
  };
  const getJob = createRoute({
    method: 'get',
    path: '/{id}',
    operationId: 'getJob',
    tags: ['jobs'],
    summary: 'Where a job is: state, stage, progress, ETA, timings, quality, result, error',
    request: { params: jobIdParam },
    responses: {
      200: {
        description: 'The job',
        content: { 'application/json': { schema: JobView } },
        links: { GetJobFile: { operationId: 'getJobFile', parameters: { id: '$response.body#/id', name: '$response.body#/result/files/0/name' } } },
      },
      ...errorResponses(400, 401, 404, 410),
    },
  });
  const getResult = createRoute({
    method: 'get',
    path: '/{id}/result',
    operationId: 'getJobResult',
    tags: ['jobs'],
    summary: 'The result file of a completed job (the model, or the image)',
    request: { params: jobIdParam },
    responses: fileResponses,
  });
  const getFile = createRoute({
    method: 'get',
    path: '/{id}/files/{name}',
    operationId: 'getJobFile',
    tags: ['jobs'],
    summary: 'One file of a result, as listed in result.files (an OBJ\'s MTL and texture beside the model)',
    request: { params: jobIdParam.extend({ name: z.string().openapi({ param: { name: 'name', in: 'path' }, example: 'model.mtl' }) }) },
    responses: fileResponses,
  });
  const cancelJob = createRoute({
    method: 'delete',
    path: '/{id}',
    operationId: 'cancelJob',
    tags: ['jobs'],
    summary: 'Cancel a job: a queued one at once, a running one\'s stage in progress is stopped',
    request: { params: jobIdParam },
    responses: {
      200: { description: 'The job, ended cancelled', content: { 'application/json': { schema: JobView } } },
      202: { description: 'The job, still running: its stopped stage is ending', content: { 'application/json': { schema: JobView } } },
      ...errorResponses(400, 401, 404, 409, 410),
    },
  });

  return new OpenAPIHono<AppEnv>()
    .openapi(getJob, async (c) => c.json(await service.view(await find(c)), 200), validationHook)
    .openapi(
      getResult,
      async (c) => {
        const result = resultOf(await find(c));
        return sendFile(c, result.path, result);
      },
      validationHook,
    )
    .openapi(
      getFile,
      async (c) => {
        const job = await find(c);
        const result = resultOf(job);
        const name = c.req.param('name');
        // Only a name the result lists: never a path built from the request.
        const file = (result.files ?? [result]).find((f) => f.name === name);
        if (!file) {
          const names = (result.files ?? [result]).map((f) => f.name).join(', ');
          throw invalid('name', 'unknown_file', `job ${job.id} has no result file ${JSON.stringify(name.slice(0, 64))}; its files are ${names}`, 404);
        }
        return sendFile(c, path.join(path.dirname(result.path), file.name), file);
      },
      validationHook,
    )
    .openapi(
      cancelJob,
      async (c) => {
        const job = await find(c);
        const cancel = await service.cancel(job);
        if (cancel.outcome === 'finished') {
          throw new ApiError(409, 'job_finished', `job ${job.id} is ${(await service.get(job.id))!.state} and cannot be cancelled`);
        }
        // A running job's stage is stopped now; the answer waits a moment for it to end, so it
        // can say cancelled (200). Past that, 202: accepted, done shortly.
        if (cancel.outcome === 'stopping') await settledWithin(cancel.done, CANCEL_WAIT_MS);
        const view = await service.view((await service.get(job.id))!);
        return view.state === 'running' ? c.json(view, 202) : c.json(view, 200);
      },
      validationHook,
    );
}
