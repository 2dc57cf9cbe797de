/**
 * Request logging: a pino child logger per request, carrying the request id (also sent back
 * as X-Request-Id), and one line per response with the client's address and, with API keys
 * on, the key's name. Scrapes and probes log at debug.
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';

const QUIET = new Set(['/metrics', '/health', '/ready']);

export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestLogger = log.child({ requestId: c.get('requestId') });
    c.set('log', requestLogger);
    const started = performance.now();
    await next();
    const path = new URL(c.req.url).pathname;
    const line = {
      method: c.req.method,
      path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      client: c.get('clientAddress'),
      ...(c.get('apiKey') ? { apiKey: c.get('apiKey') } : {}),
    };
    if (QUIET.has(path)) requestLogger.debug(line, 'request');
    else requestLogger.info(line, 'request');
  };
}
