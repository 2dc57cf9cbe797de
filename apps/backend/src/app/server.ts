/**
 * startServer: the backend on an HTTP port (@hono/node-server) with socket.io on the same
 * server, and a graceful close: stop accepting, let running stages reach a boundary (or
 * requeue them), close the sockets, flush the store.
 */
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import type { Config } from '../config/index.js';
import { attachWebSocket } from '../ws/index.js';
import { createApp, type Backend, type CreateAppOptions } from './create-app.js';

export interface RunningServer extends Backend {
  server: HttpServer;
  port: number;
  url: string;
  io: ReturnType<typeof attachWebSocket>['io'];
}

export async function startServer(config: Config, options: Omit<CreateAppOptions, 'config'> = {}): Promise<RunningServer> {
  const backend = await createApp({ config, ...options });
  let server: HttpServer;
  try {
    server = await new Promise<HttpServer>((resolve, reject) => {
      const s = serve({ fetch: backend.app.fetch, port: config.port, hostname: config.host }, () => resolve(s as HttpServer));
      s.once('error', reject);
    });
  } catch (err) {
    // The pool may already hold a job, and the store the data directory's lock: hand both
    // back, so the job is requeued without using up an attempt and the directory is free.
    await backend.close();
    throw err;
  }
  const ws = attachWebSocket({
    // The worker role takes no socket.io clients: its server only forwards job events through the fleet's adapter.
    server: config.api ? server : undefined,
    adapter: backend.fleet?.adapter,
    events: backend.events,
    service: backend.service,
    gpu: backend.gpu,
    metrics: backend.metrics,
    log: backend.log,
    apiKeys: config.apiKeys,
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;
  backend.log.info({ url, host: config.host, port, dataDir: config.dataDir, gpu: backend.gpu.source }, `ORFEAS backend listening on ${url}`);

  let closing: Promise<void> | undefined;
  const closeBackend = () => backend.close();
  return {
    ...backend,
    server,
    port,
    url,
    io: ws.io,
    close() {
      closing ??= (async () => {
        // No new connections from here on; open ones finish their requests.
        server.close();
        await closeBackend();
        await ws.close();
        server.closeAllConnections?.();
      })();
      return closing;
    },
  };
}
