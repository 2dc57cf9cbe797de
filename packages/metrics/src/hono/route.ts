/**
 * The route label of a request: the pattern of the route it was routed to. Middleware patterns
 * (`*`, `/api/*` from app.use) are not routes; a request that reached no route at all gets the
 * one fixed `unmatched` value. One rule, read from the context (the middleware) or from the
 * router's match result (the fetch wrapper).
 */
import type { Context } from 'hono';
import type { RouterRoute } from 'hono/types';

const METHOD_ALL = 'ALL';
// Hono's mark on the handler app.route() wraps a sub-app's handler in when the sub-app has its
// own onError (hono/utils/constants, not exported); it points at the handler it wraps.
export const COMPOSED_HANDLER = '__COMPOSED_HANDLER';

type Handler = RouterRoute['handler'] & { [COMPOSED_HANDLER]?: Handler };
/** The handler list of a router match: [[handler, route entry], params] per matched handler. */
export type MatchedHandlers = readonly (readonly [readonly [unknown, RouterRoute], unknown])[];

/**
 * Whether a matched route entry is a route rather than a middleware on its way. Method routes
 * (app.get, app.on) are, per-route middleware included since it shares the route's pattern.
 * `ALL` entries are app.use middleware unless written as a plain (c) => ... handler (app.all).
 * Apps attached with app.mount() register a (c, next) handler under ALL, so their requests
 * count as unmatched.
 */
export function isRoute(route: RouterRoute): boolean {
  if (route.method !== METHOD_ALL) return true;
  let handler = route.handler as Handler;
  while (handler[COMPOSED_HANDLER]) handler = handler[COMPOSED_HANDLER];
  return handler.length < 2;
}

/**
 * matchedRoutes lists every handler whose pattern matched, in registration order; the last
 * route among them is the request's, even when a middleware answered first (a 401 from auth on
 * /api/* is still a request to /api/jobs/:id).
 */
export function routePattern(c: Context, unmatched: string): string {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- hono/route's matchedRoutes(c) is the same getter
  const routes = c.req.matchedRoutes;
  for (let i = routes.length - 1; i >= 0; i--) if (isRoute(routes[i]!)) return routes[i]!.path;
  return unmatched;
}

/** The same from the handler list of a router match, which is what matchedRoutes maps over. */
export function matchedPattern(handlers: MatchedHandlers, unmatched: string): string {
  for (let i = handlers.length - 1; i >= 0; i--) {
    const route = handlers[i]![0][1];
    if (isRoute(route)) return route.path;
  }
  return unmatched;
}
