#!/usr/bin/env node
/**
 * `npm run monitoring`: Prometheus and Alertmanager from Debian's packages, without Docker,
 * scraping backends that are already running, with the committed alert rules and Alertmanager
 * configuration: BACKEND_URLS, a comma-separated list of the replicas of a fleet
 * (http://localhost:5000,http://localhost:5001), or BACKEND_URL for one (default
 * http://localhost:5000). Data lives in a temporary directory removed on exit; Ctrl-C stops both.
 * PROMETHEUS_PORT (9090) and ALERTMANAGER_PORT (9093) move them; METRICS_TOKEN, when the
 * backend protects /metrics with one, is sent as its bearer token.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendHosts } from '../stack/backend-urls.mjs';
import { ALERTMANAGER_CONFIG } from '../stack/paths.mjs';
import { writePrometheusConfig } from '../stack/prometheus-config.mjs';
import { ALERTMANAGER_BIN, onPath, PROMETHEUS_BIN, startAlertmanager, startPrometheus, tempDir } from '../stack/processes.mjs';

let backends;
try {
  backends = backendHosts(process.env);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const prometheusPort = Number(process.env.PROMETHEUS_PORT ?? 9090);
const alertmanagerPort = Number(process.env.ALERTMANAGER_PORT ?? 9093);

const missing = [PROMETHEUS_BIN, ALERTMANAGER_BIN].filter((bin) => !onPath(bin));
if (missing.length > 0) {
  console.error(`missing ${missing.join(' and ')}: apt-get install prometheus prometheus-alertmanager`);
  process.exit(1);
}

const work = tempDir('orfeas-monitoring-');
const running = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(running.map((child) => child.stop()));
  work.remove();
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

try {
  const metricsTokenFile = join(work.path, 'metrics-token');
  if (process.env.METRICS_TOKEN) writeFileSync(metricsTokenFile, process.env.METRICS_TOKEN, { mode: 0o600 });
  const configPath = writePrometheusConfig(work.path, {
    backends,
    self: `localhost:${prometheusPort}`,
    alertmanager: `localhost:${alertmanagerPort}`,
    ...(process.env.METRICS_TOKEN ? { metricsTokenFile } : {}),
  });
  const alertmanager = await startAlertmanager({
    configPath: ALERTMANAGER_CONFIG,
    port: alertmanagerPort,
    dataDir: join(work.path, 'alertmanager'),
  });
  running.push(alertmanager);
  const prometheus = await startPrometheus({ configPath, port: prometheusPort, dataDir: join(work.path, 'prometheus') });
  running.push(prometheus);
  console.log(`Prometheus    ${prometheus.url}  (scraping ${backends.join(', ')}, targets: ${prometheus.url}/targets)`);
  console.log(`Alertmanager  ${alertmanager.url}`);
  console.log(`Alerts        ${prometheus.url}/alerts`);
  console.log(`data in ${work.path}; Ctrl-C stops both`);
  const stopped = await Promise.race(running.map((child) => child.done.then(() => child)));
  if (!stopping) {
    console.error(`${stopped.name} exited (${stopped.exited}):\n${stopped.output()}`);
    await stopAll(1);
  }
} catch (error) {
  console.error(error.message);
  await stopAll(1);
}
