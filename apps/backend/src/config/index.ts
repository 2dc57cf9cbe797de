/**
 * Service configuration: every environment variable the backend reads, validated once at
 * start. A bad value stops the service with a message naming the variable and what is allowed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadApiKeys, type ApiKeys } from '../auth/api-keys.js';
import { parseTrustProxy, type TrustProxy } from '../client/address.js';

const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const int = (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback);

/** Empty strings count as unset, so `FOO= npm start` behaves like leaving FOO out. */
const optionalText = z.string().min(1).optional();
const optionalUrl = z.url({ protocol: /^https?$/ }).optional();
/** Executable names, comma-separated (spaces around them ignored): what NVML names a process. */
const processNames = z
  .string()
  .transform((text) => text.split(',').map((name) => name.trim()))
  .refine((names) => names.every((name) => /^[^\s/]{1,255}$/.test(name)), {
    error: 'must be executable names separated by commas (e.g. python3,tritonserver): no empty names, paths or spaces',
  })
  .optional();

/** Finished jobs are kept a week, then deleted with their files. */
export const DEFAULT_RETENTION = '7d';
/** 256 MiB: room for a few hundred results and SQLite's journal before the disk is full. */
export const DEFAULT_MIN_FREE_BYTES = 256 * 1024 * 1024;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration such as 30s, 15m, 24h or 7d (whole numbers), in ms; `off` is 0. */
const duration = z
  .string()
  .regex(/^(off|\d+[smhd])$/, { error: 'must be a duration like 30s, 15m, 24h or 7d, or off' })
  .transform((text) => (text === 'off' ? 0 : Number(text.slice(0, -1)) * UNIT_MS[text.at(-1) as keyof typeof UNIT_MS]))
  .refine((ms) => ms <= 3650 * UNIT_MS.d, { error: 'must be at most 3650d' });

const schema = z.object({
  PORT: int(0, 65_535, 5000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ORFEAS_DATA_DIR: z.string().min(1).default('./data'),
  ORFEAS_GPU: z.enum(['auto', 'sim', 'off']).default('auto'),
  ORFEAS_NVML_LIBRARY: optionalText,
  ORFEAS_GPU_INTERVAL_MS: int(1, 60_000, 100),
  /** Model servers whose GPU use is ORFEAS's, by executable name: charged to the jobs running (this process is always counted). */
  ORFEAS_GPU_PROCESSES: processNames,
  METRICS_TOKEN: optionalText,
  METRICS_TOKEN_FILE: optionalText,
  ORFEAS_API_KEYS_FILE: optionalText,
  ORFEAS_TRUST_PROXY: optionalText,
  WORKER_CONCURRENCY: int(1, 64, 2),
  /** Job slots of this replica (takes over WORKER_CONCURRENCY); 0: an API-only replica of a Redis fleet. */
  ORFEAS_WORKERS: wholeNumber(0, 64).optional(),
  /** on: the job API, socket.io and the studio; off: the worker role of a Redis fleet (/health, /ready, /metrics only). */
  ORFEAS_API: z.enum(['on', 'off']).default('on'),
  /** Redis mode: the queue in BullMQ, job records in Redis, events through the socket.io Redis adapter. */
  ORFEAS_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, like redis://redis:6379/0' }).optional(),
  ORFEAS_REDIS_PREFIX: z.string().regex(/^[\w.-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, dots, dashes or underscores' }).default('orfeas'),
  /** BullMQ's job lock and stalled check: a job whose replica died is taken by another after about this long. */
  ORFEAS_JOB_LOCK_MS: int(500, 600_000, 30_000),
  /** Threads the engines run in; 0 runs them on the main thread. Default: one per job worker. */
  ORFEAS_ENGINE_THREADS: wholeNumber(0, 64).optional(),
  ORFEAS_MAX_UPLOAD_BYTES: int(1_024, 1_073_741_824, 10 * 1024 * 1024),
  ORFEAS_MAX_IMAGE_PIXELS: int(1, 1_000_000_000, 4096 * 4096),
  ORFEAS_CACHE_MAX_ENTRIES: int(1, 10_000_000, 10_000),
  ORFEAS_MIN_FREE_BYTES: int(0, Number.MAX_SAFE_INTEGER, DEFAULT_MIN_FREE_BYTES),
  ORFEAS_RETENTION: duration.prefault(DEFAULT_RETENTION),
  ORFEAS_RATE_LIMIT: int(0, 1_000_000, 60),
  ORFEAS_RATE_LIMIT_WINDOW_MS: int(100, 86_400_000, 60_000),
  ORFEAS_SHUTDOWN_GRACE_MS: int(0, 600_000, 10_000),
  ORFEAS_TXT2IMG_URL: optionalUrl,
  ORFEAS_3D_SERVER_URL: optionalUrl,
  /** The studio page at `/` (@orfeas/studio's built files); off leaves `/` to the API's 404. */
  ORFEAS_STUDIO: z.enum(['on', 'off']).default('on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().min(1).max(32).default('production'),
});

export type Env = z.output<typeof schema>;

/** Every variable the backend reads (the README's configuration table lists each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** processes: executable names whose GPU use counts as ORFEAS's, beside this process (ORFEAS_GPU_PROCESSES). */
  gpu: { mode: 'auto' | 'sim' | 'off'; libraryPath?: string; intervalMs: number; processes: string[] };
  /** GET /metrics needs `Authorization: Bearer <token>` when set (METRICS_TOKEN, or read from METRICS_TOKEN_FILE). */
  metricsToken?: string;
  /** With API keys on, every /api route and the socket.io handshake need one (ORFEAS_API_KEYS_FILE). */
  apiKeys?: ApiKeys;
  /** Proxies whose X-Forwarded-For is believed (ORFEAS_TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Job slots of this replica (ORFEAS_WORKERS, else WORKER_CONCURRENCY); 0 runs no jobs here. */
  workerConcurrency: number;
  /** Serve the job API, socket.io and the studio (ORFEAS_API); off in a fleet's worker role. */
  api: boolean;
  /** Redis mode (ORFEAS_REDIS_URL): a fleet of replicas sharing one queue, job records and result directory. */
  redis?: { url: string; prefix: string; lockMs: number };
  engineThreads: number;
  upload: { maxBytes: number; maxPixels: number };
  rateLimit: { limit: number; windowMs: number };
  /** Result cache entries kept (least recently used evicted). */
  cacheMaxEntries: number;
  /** Below this many free bytes on the data directory, new work is refused (507); 0: off. */
  minFreeBytes: number;
  /** How long finished jobs (rows, uploads, results) are kept, in ms; 0 keeps them for good. */
  retentionMs: number;
  shutdownGraceMs: number;
  remote: { textToImageUrl?: string; modelServerUrl?: string };
  logLevel: Env['LOG_LEVEL'];
  environment: string;
  /** Serve the studio page at `/` (ORFEAS_STUDIO). */
  studio: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string; value?: string }[]) {
    super(
      'invalid configuration: ' +
        problems.map((p) => `${p.variable}=${JSON.stringify(p.value ?? '')}: ${p.message}`).join('; '),
    );
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment (process.env by default); throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '?');
        return { variable, message: issue.message, value: present[variable] };
      }),
    );
  }
  const e = parsed.data;
  const problems: { variable: string; message: string; value?: string }[] = [];
  /** A setting read from a file: a file that cannot be read or parsed stops the start like a bad value. */
  const fromFile = <T>(variable: string, file: string | undefined, read: (file: string) => T): T | undefined => {
    if (!file) return undefined;
    try {
      return read(file);
    } catch (err) {
      problems.push({ variable, value: file, message: (err as Error).message });
      return undefined;
    }
  };
  if (e.METRICS_TOKEN && e.METRICS_TOKEN_FILE) {
    problems.push({ variable: 'METRICS_TOKEN_FILE', value: e.METRICS_TOKEN_FILE, message: 'set METRICS_TOKEN or METRICS_TOKEN_FILE, not both' });
  }
  const metricsToken =
    e.METRICS_TOKEN ??
    fromFile('METRICS_TOKEN_FILE', e.METRICS_TOKEN_FILE, (file) => {
      const token = fs.readFileSync(file, 'utf8').trim();
      if (!token) throw new Error('the file is empty');
      return token;
    });
  const apiKeys = fromFile('ORFEAS_API_KEYS_FILE', e.ORFEAS_API_KEYS_FILE, loadApiKeys);
  const trust = e.ORFEAS_TRUST_PROXY === undefined ? undefined : parseTrustProxy(e.ORFEAS_TRUST_PROXY);
  if (typeof trust === 'string') problems.push({ variable: 'ORFEAS_TRUST_PROXY', value: e.ORFEAS_TRUST_PROXY, message: trust });
  const slots = e.ORFEAS_WORKERS ?? e.WORKER_CONCURRENCY;
  if (!e.ORFEAS_REDIS_URL) {
    // Without a shared queue, a replica that takes no jobs (or no submissions) would leave them waiting for good.
    if (slots === 0) problems.push({ variable: 'ORFEAS_WORKERS', value: '0', message: 'an API-only replica (0 job slots) needs a Redis fleet: set ORFEAS_REDIS_URL' });
    if (e.ORFEAS_API === 'off') problems.push({ variable: 'ORFEAS_API', value: 'off', message: 'the worker role needs a Redis fleet to take jobs from: set ORFEAS_REDIS_URL' });
  } else if (slots === 0 && e.ORFEAS_API === 'off') {
    problems.push({ variable: 'ORFEAS_API', value: 'off', message: 'a replica with ORFEAS_API=off and ORFEAS_WORKERS=0 would do nothing' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.ORFEAS_DATA_DIR),
    gpu: { mode: e.ORFEAS_GPU, libraryPath: e.ORFEAS_NVML_LIBRARY, intervalMs: e.ORFEAS_GPU_INTERVAL_MS, processes: e.ORFEAS_GPU_PROCESSES ?? [] },
    ...(metricsToken ? { metricsToken } : {}),
    ...(apiKeys ? { apiKeys } : {}),
    trustProxy: typeof trust === 'string' ? undefined : trust,
    workerConcurrency: slots,
    api: e.ORFEAS_API === 'on',
    ...(e.ORFEAS_REDIS_URL ? { redis: { url: e.ORFEAS_REDIS_URL, prefix: e.ORFEAS_REDIS_PREFIX, lockMs: e.ORFEAS_JOB_LOCK_MS } } : {}),
    engineThreads: e.ORFEAS_ENGINE_THREADS ?? slots,
    upload: { maxBytes: e.ORFEAS_MAX_UPLOAD_BYTES, maxPixels: e.ORFEAS_MAX_IMAGE_PIXELS },
    rateLimit: { limit: e.ORFEAS_RATE_LIMIT, windowMs: e.ORFEAS_RATE_LIMIT_WINDOW_MS },
    cacheMaxEntries: e.ORFEAS_CACHE_MAX_ENTRIES,
    minFreeBytes: e.ORFEAS_MIN_FREE_BYTES,
    retentionMs: e.ORFEAS_RETENTION,
    shutdownGraceMs: e.ORFEAS_SHUTDOWN_GRACE_MS,
    remote: { textToImageUrl: e.ORFEAS_TXT2IMG_URL, modelServerUrl: e.ORFEAS_3D_SERVER_URL },
    studio: e.ORFEAS_STUDIO === 'on',
    logLevel: e.LOG_LEVEL,
    environment: e.NODE_ENV,
  };
}
