/**
 * Service routes: GET /health (the process answers), GET /ready (the store takes writes, the
 * data directory is above its free-space watermark, the workers run), GET /api/v1/gpu (a
 * sampler snapshot).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { GPU_SAMPLER_ERROR_CODES } from '@orfeas/gpu-sampler';
import { GPU_SOURCES } from '@orfeas/metrics/catalog';
import type { AppEnv } from '../app/env.js';
import { toJson, type Gpu } from '../gpu/index.js';
import { errorResponses } from '../openapi/schemas.js';
import type { WorkerPool } from '../queue/worker-pool.js';
import type { FreeSpace } from '../storage/free-space.js';
import type { JobStore } from '../store/index.js';

const Health = z.object({ status: z.literal('ok'), uptimeSeconds: z.number().int() }).openapi('Health');
const Ready = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ store: z.boolean(), storage: z.boolean(), workers: z.boolean() }),
  })
  .openapi('Ready');
const GpuSnapshot = z
  .looseObject({
    available: z.boolean(),
    source: z.enum([...GPU_SOURCES, 'off', 'unavailable']).openapi({ description: 'sim: nvml-sim\'s simulated GPUs; nvml: the NVIDIA driver' }),
    reason: z.string().optional().openapi({ description: 'Why there is no GPU telemetry' }),
    code: z.enum(GPU_SAMPLER_ERROR_CODES).optional().openapi({
      description:
        'Why there is no GPU telemetry, for a program: addon: the sampler\'s native addon is not built or installed; ' +
        'load: no NVIDIA driver (the NVML library did not load); init: NVML loaded but did not initialize; options; thread',
    }),
    devices: z.array(z.looseObject({})).optional(),
    latest: z.array(z.looseObject({})).optional(),
    stats: z.looseObject({}).optional(),
    timestamp: z.string(),
  })
  .openapi('GpuSnapshot');

export function healthRoutes({ store, pool, freeSpace }: { store: JobStore; pool: WorkerPool; freeSpace: FreeSpace }) {
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
    .openapi(ready, (c) => {
      const checks = { store: store.writable(), storage: freeSpace.enough(), workers: pool.alive };
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
    summary: 'GPU telemetry now: devices, latest readings, sampler stats; or why there is none',
    responses: { 200: { description: 'A sampler snapshot', content: { 'application/json': { schema: GpuSnapshot } } }, ...errorResponses(401) },
  });
  return new OpenAPIHono<AppEnv>().openapi(route, (c) => c.json(toJson(gpu.snapshot()) as z.infer<typeof GpuSnapshot>, 200));
}
