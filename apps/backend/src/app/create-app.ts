/**
 * createApp: the backend's parts wired together — store, cache, worker pool, pipeline, GPU
 * sampler, metrics — and the Hono app routing the API over them. It needs no open port:
 * tests call `app.request()`; startServer puts it on one, with the WebSocket module.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { createMetrics, type Metrics } from '@orfeas/metrics';
import { UNMATCHED_ROUTE, instrument, metricsHandler } from '@orfeas/metrics/hono';
import type { Logger } from 'pino';
import { requireApiKey } from '../auth/index.js';
import { ResultCache, type JobCache } from '../cache/index.js';
import { clientAddress } from '../client/index.js';
import type { Config } from '../config/index.js';
import { defaultEngines } from '../engines/index.js';
import { errorHandler, notFoundHandler } from '../errors/index.js';
import { startGpu, type Gpu } from '../gpu/index.js';
import type { Engines } from '../jobs/engines.js';
import { JobEvents } from '../jobs/events.js';
import { executeJob } from '../jobs/executor.js';
import { JobService } from '../jobs/service.js';
import { startGenerationSeries } from '../pipeline/generation-metrics.js';
import { UnrecordedEndings } from '../jobs/unrecorded-endings.js';
import { createLogger } from '../log/index.js';
import { StageDurations } from '../pipeline/eta.js';
import { WorkerPool } from '../queue/worker-pool.js';
import type { JobQueue, JobSlots } from '../queue/job-queue.js';
import { openFleet, type Fleet } from '../fleet/index.js';
import { rateLimit } from '../rate-limit/index.js';
import { admission } from '../routes/admission.js';
import { generationRoutes } from '../routes/generations.js';
import { jobRoutes } from '../routes/jobs.js';
import { gpuRoutes, healthRoutes } from '../routes/service.js';
import { textToImageRoutes } from '../routes/text-to-image.js';
import { FreeSpace } from '../storage/free-space.js';
import { Retention } from '../storage/retention.js';
import { JobStore, type JobRecords, type LiveProgress } from '../store/index.js';
import { studioDir, studioRoutes } from '../studio/index.js';
import type { AppEnv } from './env.js';
import { documentApi, metricsRoute } from './openapi.js';
import { VERSION } from './version.js';
import { requestLog } from './request-log.js';

export { VERSION } from './version.js';

export interface CreateAppOptions {
  config: Config;
  /** The engines to run jobs on; the defaults of @orfeas/engines when left out. */
  engines?: Engines;
  logger?: Logger;
  metrics?: Metrics;
}

export interface Backend {
  app: Hono<AppEnv>;
  config: Config;
  /** The SQLite store on one machine; undefined in Redis mode, where `records` are Redis's. */
  store: JobStore | undefined;
  records: JobRecords;
  service: JobService;
  /** This replica's job slots: the SQLite worker pool, or a BullMQ worker in Redis mode. */
  pool: JobSlots;
  events: JobEvents;
  metrics: Metrics;
  gpu: Gpu;
  log: Logger;
  /** The fleet's shared parts (BullMQ queue, Redis records, socket.io adapter) in Redis mode. */
  fleet: Fleet | undefined;
  /** Stops the workers (running stages get the shutdown grace, then requeue), the GPU sampler and the store. */
  close(): Promise<void>;
}

export async function createApp({ config, engines, logger, metrics: given }: CreateAppOptions): Promise<Backend> {
  const log = logger ?? createLogger(config.logLevel);
  const freeSpace = new FreeSpace(config.dataDir, config.minFreeBytes);
  const backend = config.redis ? 'redis' : 'sqlite';
  // Set once the records exist: job_queue_up reads them at scrape time.
  let queueUp = () => false;
  const metrics =
    given ??
    createMetrics({
      system: { diskPaths: [config.dataDir], version: VERSION, environment: config.environment },
      collect: {
        storage: {
          freeBytes() {
            try {
              this.set(freeSpace.freeBytes());
            } catch {
              // A data directory that cannot be read has no value rather than a made-up one.
            }
          },
          minFreeBytes() {
            this.set(freeSpace.minFreeBytes);
          },
        },
        queue: {
          queueUp() {
            this.set({ backend }, queueUp() ? 1 : 0);
          },
        },
      },
    });
  startGenerationSeries(metrics);
  const events = new JobEvents();
  const fleet = config.redis
    ? await openFleet({
        ...config.redis,
        dataDir: config.dataDir,
        retentionMs: config.retentionMs,
        cacheMaxEntries: config.cacheMaxEntries,
        metrics,
        log,
        events,
      })
    : undefined;
  let store: JobStore | undefined;
  try {
    store = fleet ? undefined : JobStore.open(config.dataDir);
  } catch (err) {
    await fleet?.close();
    throw err;
  }
  const records: JobRecords = fleet?.records ?? store!;
  queueUp = fleet ? () => fleet.up() : () => store!.writable();
  const requeued = store?.requeueRunning() ?? 0;
  if (requeued > 0) log.info({ jobs: requeued }, 'jobs left running by the previous process are queued again');

  const gpu = await startGpu(config, metrics.registry, log);
  const durations = new StageDurations();
  for (const timings of store?.recentStageTimings(20) ?? []) {
    for (const [stage, seconds] of Object.entries(timings)) durations.add(stage as never, seconds);
  }
  const cache: JobCache = fleet?.cache ?? new ResultCache(store!, metrics, config.cacheMaxEntries);
  // An API-only replica builds them too: their identities are part of the cache keys it computes.
  const defaults = engines ? undefined : defaultEngines(config, log);
  const endings = new UnrecordedEndings(log);
  const engineSet = engines ?? defaults!.engines;
  const deps = { records, cache, events, metrics, durations, log, endings, engines: engineSet, ...(gpu.meter ? { gpuMeter: gpu.meter } : {}) };
  // Below the watermark queued jobs wait for space rather than fail for the lack of it.
  const canClaim = () => freeSpace.enough();
  let queue: JobQueue;
  let pool: JobSlots;
  if (fleet) {
    queue = fleet.queue;
    pool = fleet.slots({
      concurrency: config.workerConcurrency,
      canClaim,
      execute: (claimed, control, bound, slotCache) => executeJob(claimed, control, { ...deps, records: bound, cache: slotCache }),
    });
  } else {
    const workerPool = new WorkerPool({
      store: store!,
      concurrency: config.workerConcurrency,
      metrics,
      log,
      canClaim,
      onPoll: () => void endings.retry(),
      execute: (claimed, control) => executeJob(claimed, control, deps),
    });
    queue = workerPool;
    pool = workerPool;
  }
  const engineIdentities = { image_to_3d: engineSet.imageTo3d?.identity ?? 'none', text_to_image: engineSet.textToImage?.identity ?? 'none' };
  const live: LiveProgress = fleet?.live ?? ((jobId) => events.current(jobId));
  const service = new JobService({ records, cache, queue, events, live, metrics, log, engineIdentities });
  // Per API key when keys are on, else per client address (behind trusted proxies, the forwarded one).
  const limiter = rateLimit({
    ...config.rateLimit,
    metrics,
    clientOf: (c) => {
      const key = (c as Context<AppEnv>).get('apiKey');
      return key ? `key:${key}` : (c as Context<AppEnv>).get('clientAddress');
    },
  });
  const admit = admission({ rateLimit: limiter, freeSpace });
  const limits = config.upload;

  const app = new OpenAPIHono<AppEnv>();
  app.use(requestId(), clientAddress(config.trustProxy), requestLog(log));
  app.openapi(metricsRoute(config), metricsHandler(metrics.registry, config.metricsToken ? { token: config.metricsToken } : {}) as never);
  app.route('/', healthRoutes({ records, pool, freeSpace }));
  // The worker role of a fleet serves /health, /ready and /metrics only.
  if (config.api) {
    if (config.apiKeys) app.use('/api/*', requireApiKey(config.apiKeys));
    app
      .route('/api/v1/generations', generationRoutes({ service, metrics, limits, admit }))
      .route('/api/v1/text-to-image', textToImageRoutes({ service, admit }))
      .route('/api/v1/jobs', jobRoutes({ service, records }))
      .route('/api/v1/gpu', gpuRoutes({ gpu }));
    documentApi(app, config);
  }
  if (config.api && config.studio) {
    const dir = studioDir();
    if (!dir) log.warn('the studio page is not built; / answers 404 until `npm run build -w @orfeas/studio`');
    app.route('/', studioRoutes(dir));
  }
  app.onError(errorHandler(metrics, log));
  app.notFound(notFoundHandler(metrics));
  // The HTTP family, recorded around app.fetch (what startServer hands to serve()) rather than by a middleware.
  instrument(app, metrics, { unmatchedRoute: UNMATCHED_ROUTE });

  // In Redis mode a finished record expires by itself (its TTL is the retention period).
  const retention = store && config.retentionMs > 0 ? new Retention({ store, cache: cache as ResultCache, metrics, log, retentionMs: config.retentionMs }) : undefined;
  pool.start();
  retention?.start();
  let closed = false;
  return {
    app,
    config,
    store,
    records,
    service,
    pool,
    events,
    metrics,
    gpu,
    log,
    fleet,
    async close() {
      if (closed) return;
      closed = true;
      await retention?.stop();
      await pool.stop(config.shutdownGraceMs);
      await defaults?.close();
      gpu.stop();
      store?.close();
      await fleet?.close();
    },
  };
}
