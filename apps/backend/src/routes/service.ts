/**
 * Service routes: GET /health (the process answers), GET /ready (the store takes writes, the
 * data directory is above its free-space watermark, the workers run), GET /api/v1/gpu (a
 * sampler snapshot).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app/env.js';
import { toJson, type Gpu } from '../gpu/index.js';
import { GpuSnapshot } from '../openapi/gpu.js';
import { errorResponses } from '../openapi/schemas.js';
import type { JobSlots } from '../queue/job-queue.js';
import type { FreeSpace } from '../storage/free-space.js';
import type { JobRecords } from '../store/index.js';

const Health = z.object({ status: z.literal('ok'), uptimeSeconds: z.number().int() }).openapi('Health');
const Ready = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ store: z.boolean(), storage: z.boolean(), workers: z.boolean() }),
  })
  .openapi('Ready');
export function healthRoutes({ records, pool, freeSpace }: { records: JobRecords; pool: JobSlots; freeSpace: FreeSpace }) {
  const health = createRoute({
    method: 'get',
    path: '/health',
    operationId: 'health',
    tags: ['service'],
    summary: 'The process answers (liveness)',
    security: [],
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Health } } } },
  });
  const ready = createRoute({
    method: 'get',
    path: '/ready',
    operationId: 'ready',
    tags: ['service'],
    summary: 'The service takes work (readiness): store writable, storage above its watermark, workers running',
    security: [],
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
      503: { description: 'Not ready: checks says what is not', content: { 'application/json': { schema: Ready } } },
    },
  });
  return new OpenAPIHono<AppEnv>()
    .openapi(health, (c) => c.json({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }, 200))
    .openapi(ready, async (c) => {
      const checks = { store: await records.writable(), storage: freeSpace.enough(), workers: pool.alive };
      const isReady = checks.store && checks.storage && checks.workers;
      return isReady ? c.json({ status: 'ready' as const, checks }, 200) : c.json({ status: 'not_ready' as const, checks }, 503);
    });
}

export function gpuRoutes({ gpu }: { gpu: Gpu }) {
  const route = createRoute({
    method: 'get',
    path: '/',
    operationId: 'getGpu',
    tags: ['service'],
    summary: 'GPU telemetry now: devices and the fields they answer, latest readings, counters and the processes on each GPU; or why there is none',
    responses: { 200: { description: 'A sampler snapshot', content: { 'application/json': { schema: GpuSnapshot } } }, ...errorResponses(401) },
  });
  return new OpenAPIHono<AppEnv>().openapi(route, (c) => c.json(toJson(gpu.snapshot()) as z.infer<typeof GpuSnapshot>, 200));
}
