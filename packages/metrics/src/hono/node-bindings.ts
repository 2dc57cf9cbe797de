/** The bindings @hono/node-server passes to app.fetch, which a handler sees as c.env. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}
