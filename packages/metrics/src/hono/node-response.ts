/**
 * The body size of a response written by @hono/node-server, read from Node's ServerResponse
 * once written. Reading it from the Hono Response instead would make the adapter's lightweight
 * Response build a full one (its fast path keeps the body private).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HistogramSeries } from '../registry/series-cache.js';

/** The bindings @hono/node-server passes as c.env. */
export interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

type WrittenResponse = ServerResponse & { _contentLength?: number | null };
type Labels = Record<string, string>;

/** Observes the size once the response is written; streamed bodies of unknown length are skipped. */
export function observeNodeResponseSize(outgoing: ServerResponse, sizes: HistogramSeries, key: string, labels: Labels): void {
  // The adapter writes a buffered body in the same run of promise jobs that ends the middleware
  // chain, so by the next tick it is written: no per-response 'finish' listener on the hot path.
  process.nextTick(observeWritten, outgoing, sizes, key, labels);
}

function observeWritten(outgoing: ServerResponse, sizes: HistogramSeries, key: string, labels: Labels): void {
  if (!outgoing.writableEnded) {
    outgoing.once('finish', () => observeWritten(outgoing, sizes, key, labels));
    return;
  }
  const size = writtenSize(outgoing as WrittenResponse);
  if (size !== undefined) sizes.observe(key, labels, size);
}

function writtenSize(outgoing: WrittenResponse): number | undefined {
  const header = outgoing.getHeader('content-length');
  if (header !== undefined) return Number(header);
  // Node keeps the Content-Length it wrote in _contentLength when the header was passed to
  // writeHead() rather than set with setHeader(), which is how @hono/node-server writes it.
  if (typeof outgoing._contentLength === 'number') return outgoing._contentLength;
  const status = outgoing.statusCode;
  if (status === 204 || status === 304 || outgoing.req?.method === 'HEAD') return 0;
  return undefined;
}
