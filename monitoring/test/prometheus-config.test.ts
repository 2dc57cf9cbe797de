/**
 * Discovery of the backend's replicas: the committed prometheus.yml finds them through file SD
 * in the targets file beside it, the configuration `npm run monitoring` and the end-to-end
 * tests derive from it lists every replica they are given (and promtool accepts it), and
 * BACKEND_URLS / BACKEND_URL name those replicas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backendHosts } from '../stack/backend-urls.mjs';
import { PROMETHEUS_CONFIG } from '../stack/paths.mjs';
import { BACKEND_JOB, writePrometheusConfig } from '../stack/prometheus-config.mjs';
import { tempDir } from '../stack/processes.mjs';
import { haveTools } from './support/tools.js';
import { run } from './support/run.js';

interface ScrapeJob { job_name: string; file_sd_configs?: { files: string[] }[]; static_configs?: { targets: string[] }[] }
const backendJob = (config: { scrape_configs: ScrapeJob[] }) => config.scrape_configs.find((job) => job.job_name === BACKEND_JOB)!;

describe('committed discovery', () => {
  it('finds the backend replicas through file SD, in a targets file beside prometheus.yml', () => {
    const job = backendJob(parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')));
    expect(job.static_configs).toBeUndefined();
    const files = job.file_sd_configs!.flatMap((sd) => sd.files).map((file) => resolve(dirname(PROMETHEUS_CONFIG), file));
    expect(files).toHaveLength(1);
    expect(existsSync(files[0]!), files[0]).toBe(true);
    const groups = parse(readFileSync(files[0]!, 'utf8')) as { targets: string[]; labels?: unknown }[];
    expect(groups.flatMap((group) => group.targets)).toEqual(['localhost:5000']);
  });
});

describe('derived configuration', () => {
  const work = tempDir('orfeas-prometheus-config-');
  afterAll(() => work.remove());
  const configPath = writePrometheusConfig(work.path, {
    backends: ['127.0.0.1:5000', '127.0.0.1:5001'],
    self: '127.0.0.1:9090',
    alertmanager: '127.0.0.1:9093',
  });
  const config = parse(readFileSync(configPath, 'utf8'));

  it('lists every replica in the backend job\'s targets file, and keeps the other jobs', () => {
    const [sd] = backendJob(config).file_sd_configs!;
    const groups = parse(readFileSync(sd!.files[0]!, 'utf8')) as { targets: string[] }[];
    expect(groups.flatMap((group) => group.targets)).toEqual(['127.0.0.1:5000', '127.0.0.1:5001']);
    expect(config.scrape_configs.map((job: ScrapeJob) => job.job_name)).toEqual(['prometheus', BACKEND_JOB, 'node-exporter']);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:9093']);
  });

  it('refuses an empty list of backends', () => {
    expect(() => writePrometheusConfig(work.path, { backends: [], self: '127.0.0.1:9090' })).toThrow(/no backend/);
  });

  describe.runIf(haveTools(['promtool']))('promtool', () => {
    it('accepts it', () => {
      const { status, output } = run('promtool', ['check', 'config', configPath]);
      expect(status, output).toBe(0);
      expect(output).toContain('SUCCESS');
    });
  });
});

describe('BACKEND_URLS and BACKEND_URL', () => {
  it('name the replicas of a fleet, or one backend, or localhost:5000', () => {
    expect(backendHosts({ BACKEND_URLS: 'http://localhost:5000, http://localhost:5001,' })).toEqual(['localhost:5000', 'localhost:5001']);
    expect(backendHosts({ BACKEND_URLS: 'http://a:5000,http://a:5000' })).toEqual(['a:5000']);
    expect(backendHosts({ BACKEND_URL: 'http://gpu-1.example.org:8080' })).toEqual(['gpu-1.example.org:8080']);
    expect(backendHosts({ BACKEND_URLS: 'http://a:1,http://b:2', BACKEND_URL: 'http://c:3' })).toEqual(['a:1', 'b:2']);
    expect(backendHosts({})).toEqual(['localhost:5000']);
  });

  it('refuse what is not an http URL, naming the variable and the value', () => {
    expect(() => backendHosts({ BACKEND_URLS: 'http://a:1,localhost:5001' })).toThrow('BACKEND_URLS: "localhost:5001" is not an http://host:port URL');
    expect(() => backendHosts({ BACKEND_URL: 'nonsense' })).toThrow('BACKEND_URL: "nonsense"');
    expect(() => backendHosts({ BACKEND_URLS: ' , ' })).toThrow('BACKEND_URLS names no backend');
  });
});
