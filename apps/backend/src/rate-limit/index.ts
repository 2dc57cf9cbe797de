/**
 * Per-client rate limit for the routes that start work: a fixed window of `limit` requests per
 * `windowMs` for each client address. A refused request gets 429 with Retry-After and is
 * counted in rate_limit_rejections_total{route}. At most `maxClients` windows are kept: a
 * flood of addresses evicts the oldest windows instead of growing the map without end.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '@orfeas/metrics';
import { ApiError, errorBody } from '../errors/index.js';

export interface RateLimitOptions {
  /** Requests per window and client; 0 turns the limit off. */
  limit: number;
  windowMs: number;
  metrics: Metrics;
  /** Clients tracked at once (default 10 000). */
  maxClients?: number;
  /** Who a request comes from; the socket's remote address by default. */
  clientOf?: (c: Context) => string;
}

export const DEFAULT_MAX_CLIENTS = 10_000;

/** The address of the client; requests without a socket (app.request() in tests) share one. */
function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

export type RateLimiter = MiddlewareHandler & { readonly trackedClients: number };

export function rateLimit({ limit, windowMs, metrics, maxClients = DEFAULT_MAX_CLIENTS, clientOf = remoteAddress }: RateLimitOptions): RateLimiter {
  // Insertion order is window-start order (a new window is re-inserted), so the oldest are first.
  const windows = new Map<string, { start: number; count: number }>();
  const middleware: MiddlewareHandler = async (c, next) => {
    if (limit === 0) return next();
    const now = Date.now();
    for (const [client, w] of windows) {
      if (now - w.start < windowMs) break;
      windows.delete(client);
    }
    const client = clientOf(c);
    let window = windows.get(client);
    if (!window || now - window.start >= windowMs) {
      windows.delete(client);
      // Full of live windows: the oldest client starts afresh rather than the map growing.
      while (windows.size >= maxClients) windows.delete(windows.keys().next().value!);
      window = { start: now, count: 0 };
      windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= limit) return next();

    metrics.errors.rateLimitRejectionsTotal.inc({ route: routePath(c) });
    const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    const error = new ApiError(429, 'rate_limited', `more than ${limit} requests in ${windowMs} ms from this client; retry in ${retryAfter} s`);
    c.header('Retry-After', String(retryAfter));
    return c.json(errorBody(error), 429);
  };
  return Object.defineProperty(middleware, 'trackedClients', { get: () => windows.size }) as RateLimiter;
}
