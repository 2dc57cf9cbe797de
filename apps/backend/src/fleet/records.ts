/**
 * Job records in Redis, for a fleet: one hash per job (<prefix>:record:<id>), and a set of the
 * queued and of the running ids per type for the queue gauges. Every state change is one Lua
 * script that checks the state it starts from (and, for a running job, the attempt it belongs
 * to), so a replica whose lock BullMQ gave to another can no longer end the job: it completes once.
 * Files (uploads, results) live on the shared data directory every replica mounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Stage } from '@orfeas/metrics/catalog';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors/index.js';
import type { ProgressEvent } from '../jobs/events.js';
import type { Job, JobError, JobGpuCost, JobRecords, JobResult, JobState, JobType, NewJob, Tombstone } from '../store/index.js';

const TYPES: readonly JobType[] = ['image_to_3d', 'text_to_image'];
/** The states with a set of their own (the others only live in the hash). */
const COUNTED: readonly JobState[] = ['queued', 'running'];

/**
 * KEYS[1] the record; ARGV: set prefix, allowed states (comma-separated), attempt ('' any), new
 * state, attempts delta, ttl seconds (0 none), then field/value pairs. Returns the attempts after
 * the change as a string, or nil when the record was not in an allowed state (or attempt).
 */
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return nil end
if not string.find(',' .. ARGV[2] .. ',', ',' .. state .. ',', 1, true) then return nil end
if ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'attempts') ~= ARGV[3] then return nil end
local id = redis.call('HGET', KEYS[1], 'id')
local kind = redis.call('HGET', KEYS[1], 'type')
redis.call('HSET', KEYS[1], 'state', ARGV[4])
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts'))
if ARGV[5] ~= '0' then
  attempts = math.max(0, attempts + tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], 'attempts', attempts)
end
if state ~= ARGV[4] then
  redis.call('SREM', ARGV[1] .. state .. ':' .. kind, id)
  if ARGV[4] == 'queued' or ARGV[4] == 'running' then redis.call('SADD', ARGV[1] .. ARGV[4] .. ':' .. kind, id) end
end
if tonumber(ARGV[6]) > 0 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6])) end
return tostring(attempts)
`;

type Hash = Record<string, string>;
const now = () => Date.now() / 1000;
const text = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));
const parsed = <T>(value: string | undefined): T | null => (value ? (JSON.parse(value) as T) : null);
const num = (value: string | undefined) => (value ? Number(value) : null);

function toHash(job: Job): Hash {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    params: JSON.stringify(job.params),
    inputPath: job.inputPath ?? '',
    cacheKey: job.cacheKey,
    stage: job.stage ?? '',
    stageTimings: JSON.stringify(job.stageTimings),
    quality: text(job.quality),
    result: text(job.result),
    error: text(job.error),
    gpu: text(job.gpu),
    cached: job.cached ? '1' : '0',
    attempts: String(job.attempts),
    owner: job.owner ?? '',
    createdAt: String(job.createdAt),
    queuedAt: String(job.createdAt),
    startedAt: job.startedAt === null ? '' : String(job.startedAt),
    finishedAt: job.finishedAt === null ? '' : String(job.finishedAt),
  };
}

function fromHash(h: Hash): Job {
  return {
    id: h.id!,
    type: h.type as JobType,
    state: h.state as JobState,
    params: JSON.parse(h.params!) as Job['params'],
    inputPath: h.inputPath || null,
    cacheKey: h.cacheKey!,
    stage: (h.stage || null) as Stage | null,
    stageTimings: JSON.parse(h.stageTimings || '{}') as Job['stageTimings'],
    quality: parsed<Job['quality']>(h.quality),
    result: parsed<JobResult>(h.result),
    error: parsed<JobError>(h.error),
    gpu: parsed<JobGpuCost>(h.gpu),
    cached: h.cached === '1',
    attempts: Number(h.attempts ?? 0),
    owner: h.owner || null,
    createdAt: Number(h.createdAt),
    startedAt: num(h.startedAt),
    finishedAt: num(h.finishedAt),
  };
}

/** Thrown for a request Redis cannot answer now: the API answers 503 rather than hang. */
export function queueUnavailable(err: unknown): ApiError {
  const cause = err instanceof Error ? err.message : String(err);
  return new ApiError(503, 'queue_unavailable', `the job queue (Redis) cannot be reached now; retry shortly (${cause.slice(0, 120)})`);
}

/** Runs a Redis call; with `failFast`, an error while Redis is away becomes the 503 above. */
export async function redisCall<T>(redis: Redis, failFast: boolean, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (failFast && redis.status !== 'ready') throw queueUnavailable(err);
    throw err;
  }
}

export interface RedisRecordsOptions {
  redis: Redis;
  prefix: string;
  dataDir: string;
  /** Seconds a finished record is kept (ORFEAS_RETENTION); 0 keeps it. */
  retentionSeconds: number;
  /** Fail fast (the API: 503 while Redis is away) rather than wait for the reconnection (a job slot). */
  failFast: boolean;
  /** Bound to one attempt of a job: writes of a running job need that attempt to be the current one. */
  attempt?: number;
}

export class RedisJobRecords implements JobRecords {
  private readonly redis: Redis & { orfeasTransition?: (key: string, ...args: string[]) => Promise<string | null> };

  constructor(private readonly options: RedisRecordsOptions) {
    this.redis = options.redis;
    if (!this.redis.orfeasTransition) this.redis.defineCommand('orfeasTransition', { numberOfKeys: 1, lua: TRANSITION });
    fs.mkdirSync(path.join(options.dataDir, 'uploads'), { recursive: true });
    fs.mkdirSync(path.join(options.dataDir, 'results'), { recursive: true });
  }

  /** The same records, with writes to a running job bound to `attempt` (what a job slot's executor uses). */
  forAttempt(attempt: number): RedisJobRecords {
    return new RedisJobRecords({ ...this.options, attempt });
  }

  private key(id: string) {
    return `${this.options.prefix}:record:${id}`;
  }

  private get sets() {
    return `${this.options.prefix}:records:`;
  }

  /** Runs a Redis call; while Redis is away the fail-fast records answer 503. */
  private call<T>(work: () => Promise<T>): Promise<T> {
    return redisCall(this.redis, this.options.failFast, work);
  }

  private transition(
    id: string,
    from: readonly JobState[],
    to: JobState,
    fields: Hash = {},
    { delta = 0, bound = true, ttl = false } = {},
  ): Promise<string | null> {
    // Writes to a running job from a job slot name their attempt: a stale one changes nothing.
    const attempt = bound && from.length === 1 && from[0] === 'running' && this.options.attempt !== undefined ? String(this.options.attempt) : '';
    const args = [this.sets, from.join(','), attempt, to, String(delta), String(ttl ? this.options.retentionSeconds : 0), ...Object.entries(fields).flat()];
    return this.call(() => this.redis.orfeasTransition!(this.key(id), ...args));
  }

  resolve(relative: string): string {
    return path.join(this.options.dataDir, relative);
  }

  async insert(job: NewJob): Promise<Job> {
    const t = now();
    const record: Job = {
      ...job, owner: job.owner ?? null, state: 'queued', stage: null, stageTimings: {}, quality: null, result: null, error: null,
      gpu: null, cached: false, attempts: 0, createdAt: t, startedAt: null, finishedAt: null,
    };
    await this.call(() => this.redis.multi().hset(this.key(job.id), toHash(record)).sadd(`${this.sets}queued:${job.type}`, job.id).exec());
    return record;
  }

  async insertCompleted(job: NewJob, from: Job): Promise<Job> {
    const t = now();
    const record: Job = {
      ...job, owner: job.owner ?? null, state: 'completed', stage: null, stageTimings: {}, quality: from.quality, result: from.result,
      error: null, gpu: null, cached: true, attempts: 0, createdAt: t, startedAt: t, finishedAt: t,
    };
    const multi = this.redis.multi().hset(this.key(job.id), toHash(record));
    if (this.options.retentionSeconds > 0) multi.expire(this.key(job.id), this.options.retentionSeconds);
    await this.call(() => multi.exec());
    return record;
  }

  async get(id: string): Promise<Job | undefined> {
    const hash = await this.call(() => this.redis.hgetall(this.key(id)));
    return hash.id ? fromHash(hash) : undefined;
  }

  /** A record removed because its job never reached the queue (the add failed): nothing was acknowledged. */
  async remove(id: string): Promise<void> {
    const type = await this.redis.hget(this.key(id), 'type');
    await this.redis.multi().del(this.key(id)).srem(`${this.sets}queued:${type ?? ''}`, id).exec();
  }

  /** Redis mode keeps no tombstones: a record past its retention is gone (404). */
  tombstone(): Tombstone | undefined {
    return undefined;
  }

  /**
   * A job slot takes the job BullMQ gave it: queued, or running when its previous replica died
   * (stalled-job recovery). Returns the attempt it runs as, or null when the job has ended.
   */
  async claim(id: string): Promise<{ attempt: number; waitSeconds: number } | null> {
    const t = now();
    const attempts = await this.transition(id, ['queued', 'running'], 'running', { startedAt: String(t), stage: '', stageTimings: '{}', live: '' }, { delta: 1, bound: false });
    if (attempts === null) return null;
    const queuedAt = Number(await this.redis.hget(this.key(id), 'queuedAt'));
    return { attempt: Number(attempts), waitSeconds: Math.max(0, t - queuedAt) };
  }

  async setStage(id: string, stage: Stage, timings: Job['stageTimings']): Promise<void> {
    await this.transition(id, ['running'], 'running', { stage, stageTimings: JSON.stringify(timings) });
  }

  /** Where a running job is now, for GET /api/v1/jobs/:id and late subscribers on any replica. */
  async setLive(event: ProgressEvent): Promise<void> {
    await this.transition(event.jobId, ['running'], 'running', { live: JSON.stringify(event) });
  }

  async live(id: string): Promise<ProgressEvent | undefined> {
    const live = await this.call(() => this.redis.hget(this.key(id), 'live'));
    return parsed<ProgressEvent>(live ?? undefined) ?? undefined;
  }

  async complete(id: string, result: JobResult, quality: Job['quality'], timings: Job['stageTimings'], gpu: JobGpuCost | null = null): Promise<boolean> {
    const input = await this.redis.hget(this.key(id), 'inputPath');
    const fields = { result: JSON.stringify(result), quality: text(quality), stageTimings: JSON.stringify(timings), gpu: text(gpu), finishedAt: String(now()), stage: '', live: '', inputPath: '' };
    const ended = (await this.transition(id, ['running'], 'completed', fields, { ttl: true })) !== null;
    if (ended) this.removeFile(input);
    return ended;
  }

  async finish(id: string, state: 'failed' | 'cancelled', error: JobError, timings: Job['stageTimings'], gpu: JobGpuCost | null = null): Promise<boolean> {
    const input = await this.redis.hget(this.key(id), 'inputPath');
    const fields = { error: JSON.stringify(error), stageTimings: JSON.stringify(timings), gpu: text(gpu), finishedAt: String(now()), live: '', inputPath: '' };
    const ended = (await this.transition(id, ['running'], state, fields, { ttl: true })) !== null;
    if (ended) this.removeFile(input);
    return ended;
  }

  /** Fails a running job whatever attempt it is in: BullMQ gave up on it (its stalled-job limit). */
  async failStalled(id: string, error: JobError): Promise<Job | undefined> {
    const input = await this.redis.hget(this.key(id), 'inputPath');
    const fields = { error: JSON.stringify(error), finishedAt: String(now()), live: '', inputPath: '' };
    const ended = (await this.transition(id, ['running'], 'failed', fields, { bound: false, ttl: true })) !== null;
    if (!ended) return undefined;
    this.removeFile(input);
    return this.get(id);
  }

  async setGpu(id: string, gpu: JobGpuCost): Promise<void> {
    await this.transition(id, ['cancelled'], 'cancelled', { gpu: JSON.stringify(gpu) }, { bound: false });
  }

  async cancel(id: string, from: 'queued' | 'running', error: JobError): Promise<boolean> {
    const input = await this.call(() => this.redis.hget(this.key(id), 'inputPath'));
    const ended = (await this.transition(id, [from], 'cancelled', { error: JSON.stringify(error), finishedAt: String(now()), live: '', inputPath: '' }, { ttl: true })) !== null;
    if (ended) this.removeFile(input);
    return ended;
  }

  async requeue(id: string): Promise<void> {
    await this.transition(id, ['running'], 'queued', { stage: '', live: '' }, { delta: -1 });
  }

  async counts(): Promise<{ state: JobState; type: JobType; n: number }[]> {
    const pairs = COUNTED.flatMap((state) => TYPES.map((type) => ({ state, type })));
    const multi = this.redis.multi();
    for (const { state, type } of pairs) multi.scard(`${this.sets}${state}:${type}`);
    const replies = (await this.call(() => multi.exec())) ?? [];
    return pairs.map((p, i) => ({ ...p, n: Number(replies[i]?.[1] ?? 0) }));
  }

  writable(): boolean {
    return this.redis.status === 'ready';
  }

  get open(): boolean {
    return this.redis.status !== 'end';
  }

  private removeFile(relative: string | null | undefined): void {
    if (relative) fs.rmSync(this.resolve(relative), { force: true });
  }
}
