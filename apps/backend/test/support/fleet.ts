/** Replicas of a fleet on loopback for the Redis tests: built backends sharing one Redis, key prefix and data directory. */
import crypto from 'node:crypto';
import { spawnBackend, type BackendProcess } from './process.js';
import type { RedisServer } from './redis.js';
import { tempDataDir } from './server.js';

export interface FleetSetup {
  redis: RedisServer;
  prefix: string;
  dataDir: string;
  replicas: BackendProcess[];
  /** Starts a replica: `{ ORFEAS_WORKERS: '0' }` an API-only one, `{ ORFEAS_API: 'off' }` a worker. */
  start(env?: Record<string, string>): Promise<BackendProcess>;
  stop(): void;
}

export function fleetOn(redis: RedisServer, base: Record<string, string> = {}): FleetSetup {
  const fleet: FleetSetup = {
    redis,
    prefix: `orfeas-test-${crypto.randomBytes(4).toString('hex')}`,
    dataDir: tempDataDir(),
    replicas: [],
    async start(env = {}) {
      const replica = await spawnBackend({
        ORFEAS_REDIS_URL: redis.url,
        ORFEAS_REDIS_PREFIX: fleet.prefix,
        ORFEAS_DATA_DIR: fleet.dataDir,
        ORFEAS_RATE_LIMIT: '0',
        ...base,
        ...env,
      });
      fleet.replicas.push(replica);
      return replica;
    },
    stop() {
      for (const replica of fleet.replicas) replica.child.kill('SIGKILL');
    },
  };
  return fleet;
}

/** How many times a replica's log says it completed the job. */
export function completions(replica: BackendProcess, jobId: string): number {
  return replica
    .output()
    .split('\n')
    .filter((line) => line.includes(jobId) && line.includes('"msg":"job completed"')).length;
}
