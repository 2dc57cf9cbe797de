/**
 * The result cache of a fleet, in Redis: cache key -> job id in one hash, and per type a sorted
 * set of keys by last use, so every replica answers a repeated request from any replica's result
 * and the least recently used entries past the limit go first. Like SQLite's, an entry whose job
 * or file is gone counts as a miss and is dropped. cache_entries is then fleet-wide.
 */
import fs from 'node:fs';
import type { Metrics } from '@orfeas/metrics';
import type { Redis } from 'ioredis';
import { CACHE_TYPES, type JobCache } from '../cache/index.js';
import type { Job, JobType } from '../store/index.js';
import { redisCall, type RedisJobRecords } from './records.js';

export class RedisResultCache implements JobCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly records: RedisJobRecords,
    private readonly metrics: Metrics,
    private readonly maxEntries: number,
  ) {
    for (const type of CACHE_TYPES) {
      metrics.cache.hitsTotal.inc({ cache_type: type }, 0);
      metrics.cache.missesTotal.inc({ cache_type: type }, 0);
    }
  }

  private get entries() {
    return `${this.prefix}:cache`;
  }

  private used(type: JobType) {
    return `${this.prefix}:cache:used:${type}`;
  }

  async lookup(type: JobType, key: string): Promise<Job | undefined> {
    // Asked by the API before a submission is stored: while Redis is away that submission answers 503.
    const id = await redisCall(this.redis, true, () => this.redis.hget(this.entries, key));
    const job = id ? await this.records.get(id) : undefined;
    if (job?.state === 'completed' && job.result && fs.existsSync(this.records.resolve(job.result.path))) {
      await this.redis.zadd(this.used(type), Date.now(), key);
      this.metrics.cache.hitsTotal.inc({ cache_type: type });
      return job;
    }
    if (id) await this.redis.multi().hdel(this.entries, key).zrem(this.used(type), key).exec();
    this.metrics.cache.missesTotal.inc({ cache_type: type });
    return undefined;
  }

  async put(job: Job): Promise<void> {
    // Made by a fallback (the model server was down): not what the engine asked for would make.
    if (job.result?.fallback) return;
    await this.redis.multi().hset(this.entries, job.cacheKey, job.id).zadd(this.used(job.type), Date.now(), job.cacheKey).exec();
    const over = (await this.redis.zcard(this.used(job.type))) - this.maxEntries;
    if (over > 0) {
      const evicted = (await this.redis.zpopmin(this.used(job.type), over)).filter((_, i) => i % 2 === 0);
      if (evicted.length > 0) await this.redis.hdel(this.entries, ...evicted);
    }
  }

  /** Sets cache_entries from Redis: the fleet's entries, the same on every replica. */
  async refreshEntries(): Promise<void> {
    for (const type of CACHE_TYPES) this.metrics.cache.entries.set({ cache_type: type }, await this.redis.zcard(this.used(type)));
  }
}
