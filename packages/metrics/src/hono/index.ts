/**
 * Hono middleware recording the HTTP family: requests, duration, request and response sizes
 * and requests in flight, labelled by method, matched route pattern and status. Errors that
 * reach it (thrown, or caught by app.onError) are counted in errors_total{type,route}.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HTTP_METHODS } from '../catalog.js';
import { errorType } from '../error-type/index.js';
import type { Metrics } from '../registry/create-metrics.js';
import { routePattern } from './route.js';
import { nodeResponseSize, type NodeBindings } from './node-response.js';

export interface HttpMetricsOptions {
  /** Paths not recorded: exact strings or patterns (default /metrics, /health, /ready). */
  exclude?: (string | RegExp)[];
  /** The route label of requests no route matched (default "unmatched"). */
  unmatchedRoute?: string;
}

export const DEFAULT_EXCLUDED_PATHS: readonly string[] = ['/metrics', '/health', '/ready'];
export const UNMATCHED_ROUTE = 'unmatched';
const OTHER_METHOD = '_OTHER';

export function httpMetrics(metrics: Metrics, options: HttpMetricsOptions = {}): MiddlewareHandler {
  const excluded = exclusion(options.exclude ?? DEFAULT_EXCLUDED_PATHS);
  const unmatched = options.unmatchedRoute ?? UNMATCHED_ROUTE;
  const { requestsTotal, requestDurationSeconds, requestSizeBytes, responseSizeBytes, requestsInFlight } = metrics.http;
  const { errorsTotal } = metrics.errors;
  // One label object per method, reused: the in-flight gauge is touched twice per request.
  const methodLabels = new Map<string, { method: string }>(
    HTTP_METHODS.map((method) => [method, { method }]),
  );

  return async function httpMetricsMiddleware(c, next) {
    if (excluded(c.req.path)) return next();
    const inFlight = methodLabels.get(c.req.method) ?? methodLabels.get(OTHER_METHOD)!;
    const method = inFlight.method;
    const started = performance.now();
    requestsInFlight.inc(inFlight);
    let thrown: { error: unknown } | undefined;
    try {
      await next();
    } catch (error) {
      thrown = { error };
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      requestsInFlight.dec(inFlight);
      const route = routePattern(c, unmatched);
      // A throw that got past every onError becomes a 500 from the server adapter.
      const status = thrown ? '500' : String(c.res.status);
      requestsTotal.inc({ method, route, status });
      requestDurationSeconds.observe({ method, route, status }, seconds);
      const sizeLabels = { method, route };
      const requestSize = declaredRequestSize(c);
      if (requestSize !== undefined) requestSizeBytes.observe(sizeLabels, requestSize);
      const failure = thrown ? thrown.error : c.error;
      if (failure !== undefined) errorsTotal.inc({ type: errorType(failure), route });
      if (!thrown) observeResponseSize(c, (size) => responseSizeBytes.observe(sizeLabels, size));
    }
  };
}

function exclusion(patterns: readonly (string | RegExp)[]): (path: string) => boolean {
  const exact = new Set(patterns.filter((p): p is string => typeof p === 'string'));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (regexps.length === 0) return (path) => exact.has(path);
  return (path) => exact.has(path) || regexps.some((re) => re.test(path));
}

/** Content-Length of the request; 0 for a request without a body; undefined when chunked. */
function declaredRequestSize(c: Context): number | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  const length = incoming ? incoming.headers['content-length'] : c.req.header('content-length');
  if (length !== undefined) {
    const size = Number(length);
    return Number.isFinite(size) && size >= 0 ? size : undefined;
  }
  const chunked = incoming ? incoming.headers['transfer-encoding'] : c.req.header('transfer-encoding');
  return chunked === undefined ? 0 : undefined;
}

/** Reports the response body size once known; responses of unknown length are not observed. */
function observeResponseSize(c: Context, observe: (size: number) => void): void {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  // On @hono/node-server the length is only settled once the response is written.
  if (outgoing) return nodeResponseSize(outgoing, observe);
  const length = c.res.headers.get('content-length');
  if (length !== null) return observe(Number(length));
  if (c.res.body === null) observe(0);
}
