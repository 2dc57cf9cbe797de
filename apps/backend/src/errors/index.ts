/**
 * API errors: every refusal is an ApiError, answered as {"error": {"code", "message", "field"?}}
 * and counted once: in validation_errors_total when a field is to blame, else in errors_total
 * (by the HTTP metrics middleware, which sees c.error). A full disk is answered 507. Anything
 * else thrown is an internal fault: logged, counted by the middleware, answered 500 without details.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Metrics } from '@orfeas/metrics';
import { UNMATCHED_ROUTE } from '@orfeas/metrics/hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app/env.js';
import { FaultLog } from '../log/fault-log.js';
import { isStorageFull } from '../storage/full.js';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Figures a client can act on (free and required bytes of a 507), beside the message. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The code of a request field the API does not know; its name comes from the client. */
export const UNKNOWN_FIELD = 'unknown_field';

/** A field of the request failed validation. */
export function invalid(field: string, code: string, message: string, status: ContentfulStatusCode = 400): ApiError {
  return new ApiError(status, code, message, field);
}

export function errorBody(error: ApiError) {
  return { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}), ...error.details } };
}

function routeOf(c: Context): string {
  const route = routePath(c);
  return !route || route === '*' || route === '/*' ? UNMATCHED_ROUTE : route;
}

/** Counts an API error the HTTP metrics middleware does not see: validation errors, unmatched routes. */
export function countError(metrics: Metrics, error: ApiError, route: string): void {
  // An unknown field's name is the client's choice: counted under `body`, so made-up keys
  // cannot fill the label's cap and push real fields into `other`.
  const field = error.code === UNKNOWN_FIELD ? 'body' : error.field;
  if (field) metrics.errors.validationErrorsTotal.inc({ field, error_type: error.code });
  else metrics.errors.errorsTotal.inc({ type: error.code, route });
}

export function errorHandler(metrics: Metrics, log: Logger): ErrorHandler<AppEnv> {
  const faults = new FaultLog(log);
  return (err, c) => {
    if (err instanceof ApiError) {
      if (err.field) {
        countError(metrics, err, routeOf(c));
        // Counted once, as a validation error: the HTTP metrics count c.error in errors_total.
        c.error = undefined;
      }
      return c.json(errorBody(err), err.status);
    }
    // A refusal from a Hono middleware (a body limit, a validator) is the client's, with its status.
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ error: { code: 'bad_request', message: err.message || 'the request was refused' } }, err.status);
    }
    // errors_total{type,route} of a thrown error is recorded by the HTTP metrics middleware.
    if (isStorageFull(err)) {
      // Logged once a minute while the disk stays full, not once per refused request.
      faults.fault('storage_full', { err, route: routeOf(c) }, 'a request failed: the data directory is full');
      return c.json({ error: { code: 'insufficient_storage', message: 'the data directory is full; retry once space is freed' } }, 507);
    }
    log.error({ err, route: routeOf(c), requestId: c.get('requestId') }, 'request failed with an internal error');
    return c.json({ error: { code: 'internal', message: 'internal error; see the service log' } }, 500);
  };
}

export function notFoundHandler(metrics: Metrics): NotFoundHandler {
  return (c) => {
    const error = new ApiError(404, 'route_not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
    countError(metrics, error, UNMATCHED_ROUTE);
    return c.json(errorBody(error), 404);
  };
}
