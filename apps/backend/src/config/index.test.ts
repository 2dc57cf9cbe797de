import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './index.js';

describe('loadConfig', () => {
  it('has working defaults for every variable', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 5000, host: '0.0.0.0', gpu: { mode: 'auto' }, workerConcurrency: 2, logLevel: 'info' });
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.metricsToken).toBeUndefined();
    expect(config.retentionMs).toBe(7 * 86_400_000);
    expect(config.minFreeBytes).toBe(256 * 1024 * 1024);
  });

  it('reads durations and the retention switch', () => {
    expect(loadConfig({ ORFEAS_RETENTION: '90s' }).retentionMs).toBe(90_000);
    expect(loadConfig({ ORFEAS_RETENTION: '36h' }).retentionMs).toBe(36 * 3_600_000);
    expect(loadConfig({ ORFEAS_RETENTION: 'off' }).retentionMs).toBe(0);
  });

  it('reads the model servers whose GPU use is ORFEAS\'s', () => {
    expect(loadConfig({}).gpu.processes).toEqual([]);
    expect(loadConfig({ ORFEAS_GPU_PROCESSES: 'python3, tritonserver' }).gpu.processes).toEqual(['python3', 'tritonserver']);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ PORT: '', METRICS_TOKEN: '' });
    expect(config.port).toBe(5000);
    expect(config.metricsToken).toBeUndefined();
  });

  it('stops on a bad value with a message naming the variable and the value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT="eighty": must be a whole number from 0 to 65535'],
      [{ PORT: '70000' }, 'PORT="70000"'],
      [{ ORFEAS_GPU: 'cuda' }, 'ORFEAS_GPU="cuda"'],
      [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY="0"'],
      [{ ORFEAS_3D_SERVER_URL: 'not a url' }, 'ORFEAS_3D_SERVER_URL="not a url"'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud"'],
      [{ ORFEAS_RETENTION: '7 days' }, 'ORFEAS_RETENTION="7 days": must be a duration like 30s, 15m, 24h or 7d, or off'],
      [{ ORFEAS_MIN_FREE_BYTES: '-1' }, 'ORFEAS_MIN_FREE_BYTES="-1"'],
      [{ ORFEAS_GPU_PROCESSES: 'python3,,tritonserver' }, 'ORFEAS_GPU_PROCESSES="python3,,tritonserver": must be executable names separated by commas'],
      [{ ORFEAS_GPU_PROCESSES: '/usr/bin/python3' }, 'ORFEAS_GPU_PROCESSES="/usr/bin/python3"'],
      [{ ORFEAS_GPU_PROCESSES: 'model server' }, 'ORFEAS_GPU_PROCESSES="model server"'],
      [{ ORFEAS_REDIS_URL: 'http://redis:6379' }, 'ORFEAS_REDIS_URL="http://redis:6379": must be a redis:// or rediss:// URL'],
      [{ ORFEAS_WORKERS: '0' }, 'ORFEAS_WORKERS="0": an API-only replica (0 job slots) needs a Redis fleet: set ORFEAS_REDIS_URL'],
      [{ ORFEAS_API: 'off' }, 'ORFEAS_API="off": the worker role needs a Redis fleet'],
      [{ ORFEAS_REDIS_URL: 'redis://redis:6379', ORFEAS_API: 'off', ORFEAS_WORKERS: '0' }, 'would do nothing'],
      [{ ORFEAS_REDIS_PREFIX: 'a b' }, 'ORFEAS_REDIS_PREFIX="a b"'],
    ];
    for (const [env, named] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(named);
    }
  });

  it('switches to Redis mode with ORFEAS_REDIS_URL, where replicas may be API-only or workers', () => {
    const api = loadConfig({ ORFEAS_REDIS_URL: 'redis://:secret@redis:6379/0', ORFEAS_WORKERS: '0' });
    expect(api).toMatchObject({ workerConcurrency: 0, api: true, redis: { url: 'redis://:secret@redis:6379/0', prefix: 'orfeas', lockMs: 30_000 } });
    const worker = loadConfig({ ORFEAS_REDIS_URL: 'rediss://redis:6380', ORFEAS_API: 'off', ORFEAS_WORKERS: '4', ORFEAS_JOB_LOCK_MS: '5000' });
    expect(worker).toMatchObject({ workerConcurrency: 4, engineThreads: 4, api: false, redis: { lockMs: 5000 } });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('has every variable in the README\'s configuration table', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(CONFIG_VARIABLES.filter((v) => !documented.includes(v))).toEqual([]);
  });
});
