/**
 * Service routes: GET /health (the process answers), GET /ready (the store takes writes, the
 * data directory is above its free-space watermark, the workers run), GET /api/v1/gpu (a
 * sampler snapshot).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app/env.js';
import { toJson, type Gpu } from '../gpu/index.js';
import type { WorkerPool } from '../queue/worker-pool.js';
import type { FreeSpace } from '../storage/free-space.js';
import type { JobStore } from '../store/index.js';

export function healthRoutes({ store, pool, freeSpace }: { store: JobStore; pool: WorkerPool; freeSpace: FreeSpace }) {
  return new Hono<AppEnv>()
    .get('/health', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }))
    .get('/ready', (c) => {
      const checks = { store: store.writable(), storage: freeSpace.enough(), workers: pool.alive };
      const ready = checks.store && checks.storage && checks.workers;
      return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
    });
}

export function gpuRoutes({ gpu }: { gpu: Gpu }) {
  return new Hono<AppEnv>().get('/', (c) => c.json(toJson(gpu.snapshot())));
}
