/**
 * Hono middleware recording the HTTP family: requests, duration, request and response sizes
 * and requests in flight, labelled by method, matched route pattern and status. Errors that
 * reach it (thrown, or caught by app.onError) are counted in errors_total{type,route}.
 * instrument() (./instrument.ts) records the same without being a middleware, for less.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { MetricsWith } from '../registry/create-metrics.js';
import { HttpRecorder, type HttpRecorderOptions } from '../http/recorder.js';
import { fetchRequestSize, fetchResponseSize, nodeRequestSize, observeNodeResponseSize, type ResponseSizeSink } from '../http/sizes.js';
import type { NodeBindings } from './node-bindings.js';
import { routePattern } from './route.js';

export { DEFAULT_EXCLUDED_PATHS, UNMATCHED_ROUTE } from '../http/recorder.js';
export { instrument, type InstrumentOptions } from './instrument.js';
export { metricsHandler, type MetricsHandlerOptions } from '../handler/index.js';

export type HttpMetricsOptions = HttpRecorderOptions;

export function httpMetrics(metrics: MetricsWith<'http' | 'errors'>, options: HttpMetricsOptions = {}): MiddlewareHandler {
  const recorder = new HttpRecorder(metrics, options);
  return async function httpMetricsMiddleware(c, next) {
    if (recorder.excludes(c.req.path)) return next();
    const method = recorder.method(c.req.method);
    const started = performance.now();
    recorder.started(method);
    let thrown: { error: unknown } | undefined;
    try {
      await next();
    } catch (error) {
      thrown = { error };
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      recorder.finished(method);
      const series = recorder.series(method, routePattern(c, recorder.unmatched));
      // A throw that got past every onError becomes a 500 from the server adapter.
      series.record(thrown ? 500 : c.res.status, seconds, requestSize(c));
      const failure = thrown ? thrown.error : c.error;
      if (failure !== undefined) series.error(failure);
      if (!thrown) observeResponseSize(c, series);
    }
  };
}

function requestSize(c: Context): number | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  return incoming ? nodeRequestSize(incoming) : fetchRequestSize(c.req.raw.headers);
}

/** Read from Node's response where there is one: c.res would make the adapter build a full Response. */
function observeResponseSize(c: Context, series: ResponseSizeSink): void {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (outgoing) return observeNodeResponseSize(outgoing, series);
  const size = fetchResponseSize(c.res, c.req.method);
  if (size !== undefined) series.observeResponseSize(size);
}
