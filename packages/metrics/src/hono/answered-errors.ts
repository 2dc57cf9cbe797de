/**
 * The errors an onError answered during a request, for instrument(): Hono hands them to the
 * app's errorHandler (or a sub-app's, inside the handler app.route() composes) with the
 * request's context, and leaves them on c.error, where the middleware reads them.
 */
import type { Context, ErrorHandler, Hono } from 'hono';
import { COMPOSED_HANDLER, type MatchedHandlers } from './route.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app, whatever its bindings and schema
type AnyHono = Hono<any, any, any>;
type Handler = (c: Context, next: () => Promise<void>) => unknown;

/**
 * The errors the app's onError answered, read from c.error at the end of the request like the
 * middleware reads them (so an onError may clear it, to have an error counted elsewhere). The
 * app's errorHandler becomes an accessor, so an onError set after instrument() is seen too.
 */
export class AnsweredErrors {
  /** Bumped with each kept context, so a request that saw none skips the lookup. */
  noted = 0;
  private readonly contexts = new WeakMap<Request, Context>();

  constructor(app: AnyHono) {
    const target = app as unknown as { errorHandler: ErrorHandler };
    let handler = target.errorHandler;
    const observed: ErrorHandler = (error, c) => {
      // Set as compose() sets it, so that an error answered on Hono's fast path reads the same.
      c.error = error;
      this.keep(c);
      return handler(error, c);
    };
    Object.defineProperty(app, 'errorHandler', {
      configurable: true,
      enumerable: true,
      get: () => observed,
      set: (replacement: ErrorHandler) => (handler = replacement),
    });
  }

  keep(c: Context): void {
    this.contexts.set(c.req.raw, c);
    this.noted++;
  }

  /** The error the request's context carries, if it was kept. */
  of(request: Request): unknown {
    const c = this.contexts.get(request);
    if (!c) return undefined;
    this.contexts.delete(request);
    return c.error;
  }

  /**
   * app.route() wraps the handlers of a sub-app with its own onError in one that calls it,
   * which the app's errorHandler never sees: such a handler keeps its request's context first.
   */
  observeSubApps(handlers: MatchedHandlers): void {
    for (const [entry] of handlers) {
      const handler = entry[0] as Handler;
      if (typeof handler !== 'function' || !(COMPOSED_HANDLER in handler)) continue;
      const keeping: Handler = (c, next) => {
        this.keep(c);
        return handler(c, next);
      };
      (entry as unknown as Handler[])[0] = keeping;
    }
  }
}
