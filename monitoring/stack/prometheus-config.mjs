/**
 * Derives a runnable prometheus.yml from the committed one: same jobs and rules, with the
 * targets, intervals and rule files of where it runs (npm run monitoring, the end-to-end
 * tests). Jobs keep their names, so the alert rules' job matchers still hold; the backend job
 * keeps its file-based discovery, pointed at a targets file listing the replicas watched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALERT_RULES, PROMETHEUS_CONFIG } from './paths.mjs';

export const BACKEND_JOB = 'orfeas-backend';

/**
 * A file SD targets file: one target group with every replica.
 * @param {string[]} backends host:port of each replica
 */
export const backendTargets = (backends) => stringify([{ targets: backends }]);

/**
 * @param {object} options
 * @param {string} options.targetsFile absolute path of the backend job's targets file (see backendTargets)
 * @param {string} options.self host:port this Prometheus listens on
 * @param {string} [options.alertmanager] host:port of the Alertmanager; none when omitted
 * @param {string} [options.scrapeInterval] for every job (the backend's own 10s otherwise)
 * @param {string} [options.evaluationInterval]
 * @param {string[]} [options.ruleFiles] absolute paths (the committed alert_rules.yml otherwise)
 * @param {boolean} [options.nodeExporter] keep the node-exporter job (default true)
 * @param {string} [options.metricsTokenFile] file holding the backend's METRICS_TOKEN, sent as a bearer token
 */
export function prometheusConfig(options) {
  const config = parse(readFileSync(PROMETHEUS_CONFIG, 'utf8'));
  config.rule_files = options.ruleFiles ?? [ALERT_RULES];
  if (options.evaluationInterval) config.global.evaluation_interval = options.evaluationInterval;
  if (options.scrapeInterval) config.global.scrape_interval = options.scrapeInterval;
  config.alerting.alertmanagers = options.alertmanager ? [{ static_configs: [{ targets: [options.alertmanager] }] }] : [];
  config.scrape_configs = config.scrape_configs
    .filter((job) => options.nodeExporter !== false || job.job_name !== 'node-exporter')
    .map((job) => {
      const changed = { ...job };
      if (options.scrapeInterval) {
        changed.scrape_interval = options.scrapeInterval;
        if (job.scrape_timeout) changed.scrape_timeout = options.scrapeInterval;
      }
      if (job.job_name === 'prometheus') changed.static_configs = [{ targets: [options.self] }];
      if (job.job_name === BACKEND_JOB) {
        if (!job.file_sd_configs) throw new Error(`${PROMETHEUS_CONFIG}: the "${BACKEND_JOB}" job has no file_sd_configs`);
        changed.file_sd_configs = job.file_sd_configs.map((sd) => ({ ...sd, files: [options.targetsFile] }));
        if (options.metricsTokenFile) changed.authorization = { type: 'Bearer', credentials_file: options.metricsTokenFile };
      }
      return changed;
    });
  if (!config.scrape_configs.some((job) => job.job_name === BACKEND_JOB)) {
    throw new Error(`${PROMETHEUS_CONFIG} has no "${BACKEND_JOB}" job`);
  }
  return stringify(config);
}

/**
 * Writes prometheus.yml and the targets file of `backends` into `dir`; returns the config's path.
 * @param {string} dir
 * @param {Omit<Parameters<typeof prometheusConfig>[0], 'targetsFile'> & { backends: string[] }} options
 */
export function writePrometheusConfig(dir, { backends, ...options }) {
  if (backends.length === 0) throw new Error('no backend to scrape');
  const targetsFile = join(dir, `${BACKEND_JOB}-targets.yml`);
  writeFileSync(targetsFile, backendTargets(backends));
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, prometheusConfig({ ...options, targetsFile }));
  return configPath;
}
