/**
 * instrument(app): the HTTP family of a Hono app, recorded around app.fetch instead of by a
 * middleware. Any middleware moves Hono off its single-handler fast path, about a tenth of a
 * small request; this keeps it. The route pattern comes from the router's match of the request,
 * which Hono makes synchronously inside app.fetch before any handler runs; errors an onError
 * answered are read from c.error, as the middleware reads them.
 */
import type { Hono } from 'hono';
import type { MetricsWith } from '../registry/create-metrics.js';
import { HttpRecorder, type HttpRecorderOptions, type RouteSeries } from '../http/recorder.js';
import { fetchRequestSize, fetchResponseSize, nodeRequestSize, observeNodeResponseSize } from '../http/sizes.js';
import { AnsweredErrors } from './answered-errors.js';
import { MatchedRoutes, observeMatches, type RouteMethods } from './matched-routes.js';
import type { NodeBindings } from './node-bindings.js';

export type InstrumentOptions = HttpRecorderOptions;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app, whatever its bindings and schema
type AnyHono = Hono<any, any, any>;
type Fetch = (request: Request, env?: unknown, executionCtx?: unknown) => Response | Promise<Response>;

const instrumented = new WeakSet<AnyHono>();

/**
 * Records every request app.fetch answers: requests, duration, sizes, in flight, errors, with
 * the labels and rules of httpMetrics(). Replaces app.fetch (so app.request() is recorded too);
 * call it before handing app.fetch to a server. Returns the app.
 */
export function instrument<A extends AnyHono>(app: A, metrics: MetricsWith<'http' | 'errors'>, options: InstrumentOptions = {}): A {
  if (instrumented.has(app)) throw new Error('instrument(app): this app is instrumented already; its requests would be counted twice');
  instrumented.add(app);
  const recorder = new HttpRecorder(metrics, options);
  const errors = new AnsweredErrors(app);
  const routes = new MatchedRoutes(recorder, errors);

  // The route of the request app.fetch is dispatching now, from the router's match. Resolved
  // there, before any handler runs, as a sub-app's handlers may need wrapping first.
  let capturing = false;
  let captured: RouteMethods | undefined;
  let capturedPath = '';
  observeMatches(app.router, (result, path) => {
    if (!capturing) return;
    capturing = false;
    captured = routes.of(result[0]);
    capturedPath = path;
  });

  const finish = (series: RouteSeries, response: Response, request: Request, env: unknown, started: number, noted: number) => {
    series.record(response.status, (performance.now() - started) / 1000, requestSize(request, env));
    const failure = noted === errors.noted ? undefined : errors.of(request);
    if (failure !== undefined) series.error(failure);
    const outgoing = (env as NodeBindings | undefined)?.outgoing;
    if (outgoing) return observeNodeResponseSize(outgoing, series);
    const size = fetchResponseSize(response, request.method);
    if (size !== undefined) series.observeResponseSize(size);
  };
  // A throw that got past every onError becomes a 500 from the server adapter.
  const fail = (series: RouteSeries, error: unknown, request: Request, env: unknown, started: number) => {
    series.record(500, (performance.now() - started) / 1000, requestSize(request, env));
    series.error(error);
  };

  const fetch = app.fetch as Fetch;
  const instrumentedFetch: Fetch = (request, env, executionCtx) => {
    // A handler may call app.fetch itself: its match must not replace the outer one.
    const outer = captured;
    const outerPath = capturedPath;
    const started = performance.now();
    const noted = errors.noted;
    capturing = true;
    captured = undefined;
    let response!: Response | Promise<Response>;
    let thrown: { error: unknown } | undefined;
    try {
      response = fetch(request, env, executionCtx);
    } catch (error) {
      thrown = { error };
    }
    const route = captured as RouteMethods | undefined;
    const path = capturedPath;
    capturing = false;
    captured = outer;
    capturedPath = outerPath;
    const recorded = route !== undefined && !recorder.excludes(path);
    const method = recorded ? recorder.method(request.method) : '';
    if (thrown) {
      if (recorded) fail(routes.series(route, method), thrown.error, request, env, started);
      throw thrown.error;
    }
    if (!recorded) return response;
    const series = routes.series(route, method);
    if (!(response instanceof Promise)) {
      finish(series, response, request, env, started, noted);
      return response;
    }
    // In flight while the response is pending. One answered synchronously is in flight for no
    // time anything else could observe, so it is not counted.
    recorder.started(method);
    response.then(
      (resolved) => {
        recorder.finished(method);
        finish(series, resolved, request, env, started, noted);
      },
      (error: unknown) => {
        recorder.finished(method);
        fail(series, error, request, env, started);
      },
    );
    return response;
  };
  app.fetch = instrumentedFetch as A['fetch'];
  return app;
}

function requestSize(request: Request, env: unknown): number | undefined {
  const incoming = (env as NodeBindings | undefined)?.incoming;
  return incoming ? nodeRequestSize(incoming) : fetchRequestSize(request.headers);
}
