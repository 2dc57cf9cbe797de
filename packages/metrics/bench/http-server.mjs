/**
 * One variant of the hello-world app, served in its own process: bare, an empty middleware (the
 * floor any middleware pays), instrumented (the httpMetrics middleware), instrumented-wrapper
 * (instrument(app): no middleware) or @hono/prometheus.
 */
import { serve } from '@hono/node-server';
import { prometheus } from '@hono/prometheus';
import { Hono } from 'hono';
import { createMetrics } from '../dist/index.js';
import { httpMetrics, instrument, metricsHandler } from '../dist/hono/index.js';

const variant = process.argv[2];
const app = new Hono();
let metrics;
if (variant === 'instrumented' || variant === 'instrumented-wrapper') {
  metrics = createMetrics();
  if (variant === 'instrumented') app.use(httpMetrics(metrics));
  app.get('/metrics', metricsHandler(metrics.registry));
} else if (variant === 'hono-prometheus') {
  const { registerMetrics, printMetrics } = prometheus({ collectDefaultMetrics: true });
  app.use('*', registerMetrics);
  app.get('/metrics', printMetrics);
} else if (variant === 'empty-middleware') {
  app.use(async (_c, next) => {
    await next();
  });
} else if (variant !== 'bare') {
  throw new Error(`unknown variant ${variant}: bare, empty-middleware, instrumented, instrumented-wrapper or hono-prometheus`);
}
app.get('/', (c) => c.text('Hello Hono!'));
if (variant === 'instrumented-wrapper') instrument(app, metrics);
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send?.({ port: info.port }));
// The runner asks for the CPU time this server has used, to report requests per CPU-second.
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.send({ cpu: (user + system) / 1e6 });
});
// A clean exit on the runner's kill, so `node --cpu-prof bench/http-server.mjs` writes its profile.
process.on('SIGTERM', () => process.exit(0));
