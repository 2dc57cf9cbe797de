/**
 * instrumentNodeHttp: the HTTP family for a service without Hono, around a `(req, res)`
 * listener of node:http. The service says what a request's route pattern is; the rest (status,
 * sizes, duration, errors) is read from Node's request and response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsWith } from '../registry/create-metrics.js';
import { HttpRecorder, type HttpRecorderOptions } from './recorder.js';
import { nodeRequestSize, observeWritten } from './sizes.js';

export interface NodeHttpOptions extends HttpRecorderOptions {
  /**
   * The route pattern of a request (`/jobs/:id`, never the raw path), or undefined when no
   * route matched. Asked once the response is done, so a router may note it while handling.
   */
  route: (req: IncomingMessage, res: ServerResponse) => string | undefined;
}

type Listener<Req extends IncomingMessage, Res extends ServerResponse> = (req: Req, res: Res) => unknown;

/**
 * Wraps a request listener so every request it answers is recorded once its response is done
 * (or its connection closed first). A listener that throws, or whose promise rejects, has the
 * error counted in errors_total and, if it sent no headers, its request recorded as a 500; the
 * error still reaches Node as before.
 */
export function instrumentNodeHttp<Req extends IncomingMessage, Res extends ServerResponse>(
  listener: Listener<Req, Res>,
  metrics: MetricsWith<'http' | 'errors'>,
  options: NodeHttpOptions,
): (req: Req, res: Res) => unknown {
  const recorder = new HttpRecorder(metrics, options);
  return function instrumentedListener(this: unknown, req, res) {
    if (recorder.excludes(pathOf(req.url))) return listener.call(this, req, res);
    const method = recorder.method(req.method ?? 'GET');
    const started = performance.now();
    let failure: { error: unknown } | undefined;
    recorder.started(method);
    res.once('close', () => {
      recorder.finished(method);
      const series = recorder.series(method, options.route(req, res) ?? recorder.unmatched);
      const status = failure && !res.headersSent ? 500 : res.statusCode;
      series.record(status, (performance.now() - started) / 1000, nodeRequestSize(req));
      if (failure) series.error(failure.error);
      if (res.writableFinished) observeWritten(res, series);
    });
    let result: unknown;
    try {
      result = listener.call(this, req, res);
    } catch (error) {
      failure = { error };
      throw error;
    }
    if (!(result instanceof Promise)) return result;
    // Re-thrown on a promise of its own, so a rejection nobody handled still reaches Node.
    return result.then(undefined, (error: unknown) => {
      failure = { error };
      throw error;
    });
  };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
