/**
 * The /metrics handler: Prometheus text by default; OpenMetrics, or the protobuf format that
 * carries native histograms, when the scraper's Accept header prefers it (Prometheus asks for
 * OpenMetrics, and for protobuf first with native histograms on); behind an optional token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Handler } from 'hono';
import type { Registry, RegistryContentType } from 'prom-client';
import { scrape } from './scrape.js';

export { formatFor, scrape, type Scrape, type ScrapeFormat } from './scrape.js';

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
    const { contentType, body } = await scrape(registry, c.req.header('accept'));
    return c.body(body, 200, { 'Content-Type': contentType });
  };
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  // Compared in constant time so the token cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
