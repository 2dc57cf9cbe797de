/**
 * The route label of a request: the pattern of the route it was routed to, read after the
 * handlers ran. Middleware patterns (`*`, `/api/*` from app.use) are not routes; a request
 * that reached no route at all gets the one fixed `unmatched` value.
 */
import type { Context } from 'hono';

const METHOD_ALL = 'ALL';

export function routePattern(c: Context, unmatched: string): string {
  // matchedRoutes lists every handler whose pattern matched, in registration order. Method
  // routes (app.get, app.on) are endpoints, per-route middleware included since it shares the
  // route's pattern. `ALL` entries are app.use middleware unless written as a plain (c) => ...
  // handler (app.all). The last endpoint is the route, even when a middleware answered first
  // (a 401 from auth on /api/* is still a request to /api/jobs/:id). Apps attached with
  // app.mount() register a (c, next) handler under ALL, so their requests count as unmatched.
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- hono/route's matchedRoutes(c) is the same getter
  const routes = c.req.matchedRoutes;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== METHOD_ALL || route.handler.length < 2) return route.path;
  }
  return unmatched;
}
