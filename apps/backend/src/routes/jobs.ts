/**
 * /api/v1/jobs/:id: the job's state (GET), its result file (GET .../result) and cancellation
 * (DELETE). Ids must be UUIDs, so nothing from the path ever reaches the file system.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { AppEnv } from '../app/env.js';
import { ApiError, invalid } from '../errors/index.js';
import type { JobService } from '../jobs/service.js';
import type { JobStore } from '../store/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function jobRoutes({ service, store }: { service: JobService; store: JobStore }) {
  const find = (id: string) => {
    if (!UUID.test(id)) throw invalid('id', 'invalid_job_id', 'job ids are UUIDs like 3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59');
    const job = service.get(id.toLowerCase());
    if (!job) throw new ApiError(404, 'job_not_found', `no job with id ${id}`);
    return job;
  };

  return new Hono<AppEnv>()
    .get('/:id', (c) => c.json(service.view(find(c.req.param('id')))))
    .get('/:id/result', (c) => {
      const job = find(c.req.param('id'));
      if (job.state !== 'completed' || !job.result) {
        throw new ApiError(409, 'result_not_ready', `job ${job.id} is ${job.state}; its result is there once it is completed`);
      }
      const file = store.resolve(job.result.path);
      if (!fs.existsSync(file)) throw new ApiError(410, 'result_gone', `the result file of job ${job.id} is no longer stored`);
      const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
      return c.body(body, 200, {
        'Content-Type': job.result.contentType,
        'Content-Length': String(fs.statSync(file).size),
        // The engine names the file: only plain characters reach the header.
        'Content-Disposition': `attachment; filename="${job.result.name.replace(/[^\w.-]/g, '_')}"`,
      });
    })
    .delete('/:id', (c) => {
      const job = find(c.req.param('id'));
      const outcome = service.cancel(job);
      if (outcome === 'finished') {
        throw new ApiError(409, 'job_finished', `job ${job.id} is ${service.get(job.id)!.state} and cannot be cancelled`);
      }
      const view = service.view(service.get(job.id)!);
      // A running job stops at its next stage boundary: accepted now, done shortly.
      return c.json(view, outcome === 'cancelled' ? 200 : 202);
    });
}
