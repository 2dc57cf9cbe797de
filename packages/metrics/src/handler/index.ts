/**
 * The /metrics handler: Prometheus text by default, OpenMetrics when the scraper's Accept
 * header asks for it (Prometheus does), behind an optional bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Handler } from 'hono';
import type { Registry, RegistryContentType } from 'prom-client';
import { CONTENT_TYPES, exposition, type ExpositionFormat } from './exposition.js';

export interface MetricsHandlerOptions {
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

export function metricsHandler(registry: Registry<RegistryContentType>, options: MetricsHandlerOptions = {}): Handler {
  const expected = options.token === undefined ? undefined : Buffer.from(options.token);
  return async (c) => {
    if (expected && !authorized(c.req.header('authorization'), expected)) {
      return c.json(
        { error: 'unauthorized', message: 'GET /metrics needs an Authorization: Bearer <token> header with the configured token' },
        401,
        { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      );
    }
    const format = formatFor(c.req.header('accept'));
    return c.body(await exposition(registry, format), 200, { 'Content-Type': CONTENT_TYPES[format] });
  };
}

/** OpenMetrics when the Accept header lists it without q=0, else the Prometheus text format. */
export function formatFor(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'prometheus';
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  // Compared in constant time so the token cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
