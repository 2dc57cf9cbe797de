/**
 * Redis mode (ORFEAS_REDIS_URL): the parts one replica of a fleet runs on. Two kinds of
 * connection: the API's fail fast (a submission while Redis is away answers 503 at once), the
 * job slots' and the events' wait for the reconnection (a running job is not failed by an
 * outage). The socket.io Redis adapter (pub/sub: @socket.io/redis-adapter) carries job events
 * between replicas; the job's state is in its record, so an event missed in an outage is
 * made up by the state a subscriber gets.
 */
import type { Metrics } from '@orfeas/metrics';
import { createAdapter } from '@socket.io/redis-adapter';
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { JobControl } from '../jobs/executor.js';
import type { JobEvents, ProgressEvent } from '../jobs/events.js';
import { FaultLog } from '../log/fault-log.js';
import type { ClaimedJob, JobRecords, LiveProgress } from '../store/index.js';
import { RedisResultCache } from './cache.js';
import { FleetQueue, FleetSlots, QUEUE_NAME } from './queue.js';
import { RedisJobRecords } from './records.js';

export { queueUnavailable } from './records.js';

/** How long a starting replica waits for Redis before it gives up (and its orchestrator restarts it). */
const CONNECT_TIMEOUT_MS = 15_000;

export interface FleetOptions {
  url: string;
  prefix: string;
  lockMs: number;
  dataDir: string;
  retentionMs: number;
  cacheMaxEntries: number;
  metrics: Metrics;
  log: Logger;
  events: JobEvents;
}

/** The URL with its password hidden, for logs and errors. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function connect(url: string, options: RedisOptions): Redis {
  return new Redis(url, { lazyConnect: true, connectionName: 'orfeas', ...options });
}

async function ready(redis: Redis, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS))),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactedUrl(url)} (ORFEAS_REDIS_URL): ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

export interface Fleet {
  /** Fail-fast records, for the service and the routes. */
  records: RedisJobRecords;
  cache: RedisResultCache;
  queue: FleetQueue;
  live: LiveProgress;
  /** The socket.io adapter every replica's server uses. */
  adapter: ReturnType<typeof createAdapter>;
  /** True while this replica's API connection to Redis is up (job_queue_up). */
  up(): boolean;
  /** This replica's job slots (none for an API-only replica), running `execute` with records and cache that wait for Redis. */
  slots(options: {
    concurrency: number;
    canClaim: () => boolean;
    execute: (claimed: ClaimedJob, control: JobControl, records: JobRecords, cache: RedisResultCache) => Promise<void>;
  }): FleetSlots;
  close(): Promise<void>;
}

export async function openFleet(options: FleetOptions): Promise<Fleet> {
  const { url, prefix, metrics, log, events } = options;
  const requests = connect(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await ready(requests, url);
  // BullMQ's workers and the event path wait for a lost Redis to come back.
  const patient = connect(url, { maxRetriesPerRequest: null });
  const adapterPub = connect(url, { maxRetriesPerRequest: null });
  const adapterSub = connect(url, { maxRetriesPerRequest: null });
  const cancelSub = connect(url, { maxRetriesPerRequest: null });
  const connections = [requests, patient, adapterPub, adapterSub, cancelSub];
  const faults = new FaultLog(log);
  requests.on('error', (err) => faults.fault('redis', { err }, 'Redis cannot be reached; submissions answer 503 until it is back'));
  requests.on('ready', () => faults.clear('redis', 'Redis is reachable again'));
  for (const redis of connections.slice(1)) {
    redis.on('error', () => {}); // reported once, by the API connection above
    void redis.connect().catch(() => {});
  }

  const recordOptions = { prefix, dataDir: options.dataDir, retentionSeconds: Math.round(options.retentionMs / 1000) };
  const records = new RedisJobRecords({ ...recordOptions, redis: requests, failFast: true });
  const slotRecords = new RedisJobRecords({ ...recordOptions, redis: patient, failFast: false });
  const cache = new RedisResultCache(requests, prefix, records, metrics, options.cacheMaxEntries);
  const slotCache = new RedisResultCache(patient, prefix, slotRecords, metrics, options.cacheMaxEntries);
  const queue = new Queue(QUEUE_NAME, { connection: requests, prefix });
  queue.on('error', (err) => faults.fault('queue', { err }, 'the BullMQ queue lost Redis; it reconnects by itself'));
  const cancelChannel = `${prefix}:cancel`;
  const fleetQueue = new FleetQueue({ queue, records, cache, publisher: requests, cancelChannel, metrics, log });

  // Where a job running here is, in its record: GET and late subscribers on any replica read it.
  const persistLive = (event: ProgressEvent) =>
    void slotRecords.setLive(event).catch((err: unknown) => faults.fault('live', { err }, 'a job\'s progress could not be written to Redis'));
  events.on('progress', persistLive);
  events.on('stage_change', persistLive);

  fleetQueue.start();
  log.info({ redis: redactedUrl(url), prefix }, 'Redis mode: BullMQ queue, job records and socket.io events shared with the fleet');
  return {
    records,
    cache,
    queue: fleetQueue,
    live: (jobId) => records.live(jobId),
    adapter: createAdapter(adapterPub, adapterSub, { key: `${prefix}:socket.io` }),
    up: () => requests.status === 'ready',
    slots({ concurrency, canClaim, execute }) {
      return new FleetSlots({
        connection: patient,
        subscriber: cancelSub,
        cancelChannel,
        prefix,
        concurrency,
        lockMs: options.lockMs,
        records: slotRecords,
        events,
        metrics,
        log,
        canClaim,
        execute: (claimed, control, bound) => execute(claimed, control, bound, slotCache),
      });
    },
    async close() {
      fleetQueue.stop();
      events.off('progress', persistLive);
      events.off('stage_change', persistLive);
      await queue.close().catch(() => {});
      for (const redis of connections) redis.disconnect();
    },
  };
}
