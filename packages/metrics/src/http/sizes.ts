/**
 * Request and response body sizes as the HTTP family records them: the request's declared
 * Content-Length (0 without a body, unknown when chunked), and the body size of a response
 * once Node has written it. Both read Node's objects directly where there are some: building
 * incoming.headers, or a full Response from @hono/node-server's lightweight one, costs more
 * than the rest of the recording.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a response size is observed into. */
export interface ResponseSizeSink {
  observeResponseSize(bytes: number): void;
}

/**
 * Content-Length of a Node request; 0 for a request without a body; undefined when chunked.
 * Read from Node's raw header list: reading incoming.headers would build the whole header object.
 */
export function nodeRequestSize(incoming: IncomingMessage): number | undefined {
  const raw = incoming.rawHeaders;
  let length: string | undefined;
  let transferEncoding: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 14 && length === undefined && name.toLowerCase() === 'content-length') length = raw[i + 1];
    else if (name.length === 17 && transferEncoding === undefined && name.toLowerCase() === 'transfer-encoding') transferEncoding = raw[i + 1];
  }
  return declaredSize(length, transferEncoding);
}

/** The same, from a fetch API request's headers. */
export function fetchRequestSize(headers: Headers): number | undefined {
  return declaredSize(headers.get('content-length') ?? undefined, headers.get('transfer-encoding') ?? undefined);
}

function declaredSize(length: string | undefined, transferEncoding: string | undefined): number | undefined {
  if (length !== undefined) {
    const size = Number(length);
    return Number.isFinite(size) && size >= 0 ? size : undefined;
  }
  return transferEncoding === undefined ? 0 : undefined;
}

/** The body size of a fetch API response: its Content-Length, 0 without a body (or to HEAD), else unknown. */
export function fetchResponseSize(response: Response, method: string): number | undefined {
  if (method === 'HEAD') return 0;
  const length = response.headers.get('content-length');
  if (length !== null) return Number(length);
  return response.body === null ? 0 : undefined;
}

type WrittenResponse = ServerResponse & { _contentLength?: number | null };

// Responses whose size is read at the end of this turn of the event loop, with their sinks.
const pendingResponses: ServerResponse[] = [];
const pendingSinks: ResponseSizeSink[] = [];

/**
 * Observes the body size of a Node response once it is written. A buffered body is written in
 * the same turn of the event loop that produced it, so the sizes are read together at its end:
 * one setImmediate per turn for all the responses it wrote, no per-response listener or tick,
 * and a 'finish' listener only for bodies still streaming then.
 */
export function observeNodeResponseSize(outgoing: ServerResponse, sink: ResponseSizeSink): void {
  pendingResponses.push(outgoing);
  pendingSinks.push(sink);
  if (pendingResponses.length === 1) setImmediate(observePending);
}

function observePending(): void {
  try {
    for (let i = 0; i < pendingResponses.length; i++) observeWritten(pendingResponses[i]!, pendingSinks[i]!);
  } finally {
    pendingResponses.length = 0;
    pendingSinks.length = 0;
  }
}

/** Observes the size now if the response is written, else once it is. */
export function observeWritten(outgoing: ServerResponse, sink: ResponseSizeSink): void {
  if (!outgoing.writableEnded) {
    outgoing.once('finish', () => observeWritten(outgoing, sink));
    return;
  }
  const size = writtenSize(outgoing);
  if (size !== undefined) sink.observeResponseSize(size);
}

function writtenSize(outgoing: WrittenResponse): number | undefined {
  // A HEAD response has no body, whatever length its headers announce.
  if (outgoing.req?.method === 'HEAD') return 0;
  // Node keeps the Content-Length it wrote in _contentLength, whether set with setHeader(),
  // passed to writeHead() (how @hono/node-server writes it) or worked out by end(body).
  if (typeof outgoing._contentLength === 'number') return outgoing._contentLength;
  const header = outgoing.getHeader('content-length');
  if (header !== undefined) return Number(header);
  const status = outgoing.statusCode;
  if (status === 204 || status === 304) return 0;
  return undefined;
}
