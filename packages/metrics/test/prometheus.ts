/** A real Prometheus server scraping one target, started for a test and queried over its API. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const inCI = process.env.CI === 'true';
/** Run the real-Prometheus tests: the tool is there, or CI, where its absence must fail them. */
export const runPrometheusTests = hasPrometheus || inCI;

export function warnWithoutPrometheus(what: string): void {
  if (!runPrometheusTests) console.warn(`prometheus not found (Debian package "prometheus"): skipping ${what}`);
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  query(promql: string): Promise<Sample[]>;
  stop(): void;
}

/** Starts Prometheus scraping `target` (host:port) every `interval`, with extra flags. */
export async function startPrometheus(target: string, options: { interval?: string; flags?: string[] } = {}): Promise<RunningPrometheus> {
  if (!hasPrometheus) throw new Error('prometheus is required in CI (install the Debian package "prometheus")');
  const dir = mkdtempSync(join(tmpdir(), 'orfeas-metrics-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${options.interval ?? '1s'}\nscrape_configs:\n  - job_name: orfeas\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const api = `http://127.0.0.1:${port}/api/v1`;
  const server: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.flags ?? []),
    ],
    { stdio: 'ignore' },
  );
  return {
    async query(promql) {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
      if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
      return body.data.result;
    },
    stop() {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
