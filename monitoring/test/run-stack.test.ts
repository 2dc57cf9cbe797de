/**
 * `npm run monitoring` watching a fleet: scripts/run-stack.mjs with BACKEND_URLS naming two
 * local replicas (stand-ins serving /metrics) starts Prometheus and Alertmanager, Prometheus
 * scrapes both replicas in the orfeas-backend job, and Ctrl-C (SIGINT) stops everything.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_BIN, freePort, PROMETHEUS_BIN, startProcess, waitForHttp } from '../stack/processes.mjs';
import { eventually } from './e2e/prometheus-api.js';
import { haveTools } from './support/tools.js';

const RUN_STACK = fileURLToPath(new URL('../scripts/run-stack.mjs', import.meta.url));

function metricsServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('app_uptime_seconds 1\n');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe.runIf(haveTools([PROMETHEUS_BIN, ALERTMANAGER_BIN]))('npm run monitoring with BACKEND_URLS', () => {
  const replicas: { server: Server; url: string }[] = [];
  beforeAll(async () => {
    replicas.push(await metricsServer(), await metricsServer());
  });
  afterAll(async () => {
    await Promise.all(replicas.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  });

  it('scrapes every replica listed, and stops on Ctrl-C', async () => {
    const prometheusPort = await freePort();
    const stack = startProcess('run-stack', process.execPath, [RUN_STACK], {
      env: {
        BACKEND_URLS: replicas.map((replica) => replica.url).join(','),
        BACKEND_URL: 'http://127.0.0.1:1',
        PROMETHEUS_PORT: String(prometheusPort),
        ALERTMANAGER_PORT: String(await freePort()),
      },
    });
    try {
      const prometheus = `http://localhost:${prometheusPort}`;
      await waitForHttp(`${prometheus}/-/ready`, { process: stack });
      // The committed 10 s interval: the first scrape of each target comes within it.
      const up = await eventually(
        async () => {
          const targets = (await (await fetch(`${prometheus}/api/v1/targets`)).json()) as {
            data: { activeTargets: { labels: Record<string, string>; health: string }[] };
          };
          const backends = targets.data.activeTargets.filter((target) => target.labels.job === 'orfeas-backend');
          return backends.length === 2 && backends.every((target) => target.health === 'up') ? backends.map((t) => t.labels.instance).sort() : undefined;
        },
        () => `both replicas up in ${prometheus}/targets:\n${stack.output()}`,
        30_000,
      );
      expect(up).toEqual(replicas.map((replica) => new URL(replica.url).host).sort());
      expect(stack.output()).toContain(`scraping ${replicas.map((replica) => new URL(replica.url).host).join(', ')}`);
    } finally {
      if (!stack.exited) process.kill(stack.pid!, 'SIGINT');
      await stack.done;
    }
    expect(stack.exited).toBe('code 0');
  }, 60_000);
});
