/**
 * A real Prometheus (and optionally Alertmanager) for one end-to-end test, scraping a backend
 * (or every replica of a fleet, through the committed file-based discovery) every second from
 * a temporary directory; `stop()` ends both and removes the directory.
 */
import { join } from 'node:path';
import { BACKEND_JOB, writePrometheusConfig } from '../../stack/prometheus-config.mjs';
import { eventually, instantQuery } from './prometheus-api.js';
import { freePort, startAlertmanager, startPrometheus, tempDir } from '../../stack/processes.mjs';

export interface Stack {
  prometheus: string;
  alertmanager?: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startStack(options: {
  /** host:port of the backend, or of each replica of a fleet. */
  backend: string | string[];
  ruleFiles?: string[];
  /** Path of an Alertmanager configuration; no Alertmanager when omitted. */
  alertmanagerConfig?: string;
}): Promise<Stack> {
  const work = tempDir('orfeas-e2e-stack-');
  const running: { stop(): Promise<void>; output(): string; name: string }[] = [];
  const stop = async () => {
    await Promise.all(running.map((process) => process.stop()));
    work.remove();
  };
  try {
    let alertmanagerUrl: string | undefined;
    let alertmanagerHost: string | undefined;
    if (options.alertmanagerConfig) {
      const port = await freePort();
      const alertmanager = await startAlertmanager({
        configPath: options.alertmanagerConfig,
        port,
        dataDir: join(work.path, 'alertmanager'),
      });
      running.push(alertmanager);
      alertmanagerUrl = alertmanager.url;
      alertmanagerHost = `127.0.0.1:${port}`;
    }
    const backends = [options.backend].flat();
    const port = await freePort();
    const configPath = writePrometheusConfig(work.path, {
      backends,
      self: `127.0.0.1:${port}`,
      ...(alertmanagerHost ? { alertmanager: alertmanagerHost } : {}),
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      ...(options.ruleFiles ? { ruleFiles: options.ruleFiles } : {}),
      nodeExporter: false,
    });
    const prometheus = await startPrometheus({ configPath, port, dataDir: join(work.path, 'prometheus') });
    running.push(prometheus);
    // Prometheus hands targets to its scrapers a few seconds after start: traffic sent before
    // the first scrape of a backend would be folded into the first sample and no rate()
    // would see it.
    await eventually(
      async () => ((await instantQuery(prometheus.url, `up{job="${BACKEND_JOB}"} == 1`)).length === backends.length ? true : undefined),
      async () => {
        const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
          data: { activeTargets: { scrapeUrl: string; lastError: string }[] };
        };
        const errors = targets.data.activeTargets.map((t) => `${t.scrapeUrl}: ${t.lastError || 'ok'}`).join('; ');
        return `Prometheus's first successful scrape of ${backends.join(', ')} (targets: ${errors}):\n${prometheus.output()}`;
      },
      30_000,
    );
    return {
      prometheus: prometheus.url,
      ...(alertmanagerUrl ? { alertmanager: alertmanagerUrl } : {}),
      dir: work.path,
      output: () => running.map((process) => `--- ${process.name}\n${process.output()}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
