/**
 * Hono middleware recording the HTTP family: requests, duration, request and response sizes
 * and requests in flight, labelled by method, matched route pattern and status. Errors that
 * reach it (thrown, or caught by app.onError) are counted in errors_total{type,route}.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { HTTP_METHODS } from '../catalog.js';
import { errorType } from '../error-type/index.js';
import type { Metrics } from '../registry/create-metrics.js';
import { CounterSeries, GaugeSeries, HistogramSeries } from '../registry/series-cache.js';
import { routePattern } from './route.js';
import { observeNodeResponseSize, type NodeBindings } from './node-response.js';

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
  const { http } = metrics;
  const { errorsTotal } = metrics.errors;
  // Per-series caches: after a label set's first request, recording it is a few additions.
  const requests = new CounterSeries(http.requestsTotal);
  const durations = new HistogramSeries(http.requestDurationSeconds);
  const requestSizes = new HistogramSeries(http.requestSizeBytes);
  const responseSizes = new HistogramSeries(http.responseSizeBytes);
  const inFlight = new GaugeSeries(http.requestsInFlight);
  const methodLabels = new Map(HTTP_METHODS.map((method) => [method as string, { method }]));

  return async function httpMetricsMiddleware(c, next) {
    if (excluded(c.req.path)) return next();
    const methodLabel = methodLabels.get(c.req.method) ?? methodLabels.get(OTHER_METHOD)!;
    const method = methodLabel.method;
    const started = performance.now();
    inFlight.inc(method, methodLabel);
    let thrown: { error: unknown } | undefined;
    try {
      await next();
    } catch (error) {
      thrown = { error };
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      inFlight.dec(method, methodLabel);
      const route = routePattern(c, unmatched);
      // A throw that got past every onError becomes a 500 from the server adapter.
      const status = thrown ? '500' : statusText(c.res.status);
      // Keys joined by newlines, which neither methods, route patterns nor statuses contain.
      const seriesKey = `${method}\n${route}\n${status}`;
      const labels = { method, route, status };
      requests.inc(seriesKey, labels);
      durations.observe(seriesKey, labels, seconds);
      const sizeKey = `${method}\n${route}`;
      const sizeLabels = { method, route };
      const requestSize = declaredRequestSize(c);
      if (requestSize !== undefined) requestSizes.observe(sizeKey, sizeLabels, requestSize);
      const failure = thrown ? thrown.error : c.error;
      if (failure !== undefined) errorsTotal.inc({ type: errorType(failure), route });
      if (!thrown) observeResponseSize(c, responseSizes, sizeKey, sizeLabels);
    }
  };
}

const STATUS_TEXTS: string[] = [];
const statusText = (status: number) => (STATUS_TEXTS[status] ??= String(status));

function exclusion(patterns: readonly (string | RegExp)[]): (path: string) => boolean {
  const exact = new Set(patterns.filter((p): p is string => typeof p === 'string'));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (regexps.length === 0) return (path) => exact.has(path);
  return (path) => exact.has(path) || regexps.some((re) => re.test(path));
}

/** Content-Length of the request; 0 for a request without a body; undefined when chunked. */
function declaredRequestSize(c: Context): number | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  const length = incoming ? rawHeader(incoming.rawHeaders, 'content-length') : c.req.header('content-length');
  if (length !== undefined) {
    const size = Number(length);
    return Number.isFinite(size) && size >= 0 ? size : undefined;
  }
  const chunked = incoming ? rawHeader(incoming.rawHeaders, 'transfer-encoding') : c.req.header('transfer-encoding');
  return chunked === undefined ? 0 : undefined;
}

/** A header from Node's raw list: reading incoming.headers would build the whole header object. */
function rawHeader(raw: string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

/** Observes the response body size once known; responses of unknown length are not observed. */
function observeResponseSize(c: Context, sizes: HistogramSeries, key: string, labels: Record<string, string>): void {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (outgoing) return observeNodeResponseSize(outgoing, sizes, key, labels);
  const length = c.res.headers.get('content-length');
  if (length !== null) sizes.observe(key, labels, Number(length));
  else if (c.res.body === null) sizes.observe(key, labels, 0);
}
