/** Sets c.var.clientAddress: the socket's address, or behind trusted proxies the client's (see ./address.ts). */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app/env.js';
import { clientAddressResolver, type TrustProxy } from './address.js';

export { clientAddressResolver, parseTrustProxy, type TrustProxy } from './address.js';

export function clientAddress(trust: TrustProxy): MiddlewareHandler<AppEnv> {
  const resolve = clientAddressResolver(trust);
  return async (c, next) => {
    let socket: string | undefined;
    try {
      socket = getConnInfo(c).remote.address;
    } catch {
      // app.request() in tests: no socket
    }
    c.set('clientAddress', socket ? resolve(socket, c.req.header('x-forwarded-for')) : 'local');
    await next();
  };
}
