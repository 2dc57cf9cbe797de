/**
 * The backend's entry point (`npm start` runs dist/main.js): configuration from the
 * environment, the server, and a graceful stop on SIGTERM / SIGINT.
 */
import { ConfigError, loadConfig } from './config/index.js';
import { startServer } from './app/server.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`orfeas-backend: ${err.message}`);
  process.exit(2);
}

let server: Awaited<ReturnType<typeof startServer>>;
try {
  server = await startServer(config);
} catch (err) {
  const { code, message } = err as NodeJS.ErrnoException;
  const why = code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is already in use (set PORT)` : message;
  // The data directory's lock goes with the process; jobs it claimed are requeued at the next start.
  console.error(`orfeas-backend: cannot start: ${why}`);
  process.exit(1);
}
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down: finishing running stages, then closing');
    server
      .close()
      .then(() => {
        server.log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        server.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  });
}
