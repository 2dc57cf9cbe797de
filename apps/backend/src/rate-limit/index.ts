/**
 * Per-client rate limit for the routes that start work: a fixed window of `limit` requests per
 * `windowMs` for each client address. A refused request gets 429 with Retry-After and is
 * counted in rate_limit_rejections_total{route}.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { Metrics } from '@orfeas/metrics';
import { ApiError, errorBody } from '../errors/index.js';

export interface RateLimitOptions {
  /** Requests per window and client; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  metrics: Metrics;
}

/** The address of the client; requests without a socket (app.request() in tests) share one. */
function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

export function rateLimit({ limit, windowMs, metrics }: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  let swept = Date.now();
  return async (c, next) => {
    if (limit === 0) return next();
    const now = Date.now();
    if (now - swept > windowMs) {
      // Forget clients whose window has ended, so the map stays as small as the active clients.
      for (const [client, w] of windows) if (now - w.start >= windowMs) windows.delete(client);
      swept = now;
    }
    const client = clientOf(c);
    let window = windows.get(client);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= limit) return next();

    metrics.errors.rateLimitRejectionsTotal.inc({ route: c.req.routePath });
    const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    const error = new ApiError(429, 'rate_limited', `more than ${limit} requests in ${windowMs} ms from this client; retry in ${retryAfter} s`);
    c.header('Retry-After', String(retryAfter));
    return c.json(errorBody(error), 429);
  };
}
