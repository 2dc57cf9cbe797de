/**
 * The body size of a response written by @hono/node-server, read from Node's ServerResponse
 * once it is finished. Reading the size from the Hono Response instead would force the
 * adapter's lightweight Response to build a full one (its fast path keeps the body private).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The bindings @hono/node-server passes as c.env. */
export interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

type WrittenResponse = ServerResponse & { _contentLength?: number | null };

export function nodeResponseSize(outgoing: ServerResponse, observe: (size: number) => void): void {
  outgoing.once('finish', () => {
    const size = writtenSize(outgoing as WrittenResponse);
    if (size !== undefined) observe(size);
  });
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
