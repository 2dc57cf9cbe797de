/**
 * One scrape of a registry, in the format the scraper's Accept header prefers: the
 * framework-free core of GET /metrics, for Hono (metricsHandler), node:http or anything else.
 */
import type { Registry, RegistryContentType } from 'prom-client';
import { CONTENT_TYPES, exposition, type ExpositionFormat } from './exposition.js';
import { PROTOBUF_CONTENT_TYPE, protobufExposition } from './protobuf.js';

/** A format of GET /metrics: one of the text formats, or protobuf. */
export type ScrapeFormat = ExpositionFormat | 'protobuf';

export interface Scrape {
  contentType: string;
  body: string | Uint8Array<ArrayBuffer>;
}

/** The registry's metrics for a scraper that sent this Accept header (or none). */
export async function scrape(registry: Registry<RegistryContentType>, accept?: string): Promise<Scrape> {
  const format = formatFor(accept);
  if (format === 'protobuf') return { contentType: PROTOBUF_CONTENT_TYPE, body: await protobufExposition(registry) };
  return { contentType: CONTENT_TYPES[format], body: await exposition(registry, format) };
}

// When the Accept header gives two formats the same q, the richer one wins.
const PREFERENCE: readonly ScrapeFormat[] = ['protobuf', 'openmetrics', 'prometheus'];

/**
 * The format the Accept header prefers by q-value: protobuf (delimited MetricFamily messages),
 * OpenMetrics, or the Prometheus text format, which is also the answer to no header, to `*\/*`
 * and to a header naming nothing this handler speaks.
 */
export function formatFor(accept: string | undefined): ScrapeFormat {
  if (!accept) return 'prometheus';
  let best: { format: ScrapeFormat; q: number } = { format: 'prometheus', q: 0 };
  for (const range of accept.split(',')) {
    const [type = '', ...parts] = range.split(';').map((part) => part.trim().toLowerCase());
    const params = new Map(parts.map((part) => part.split('=').map((s) => s.trim()) as [string, string]));
    const format = formatOfRange(type, params);
    if (!format) continue;
    const q = params.has('q') ? Number(params.get('q')) : 1;
    if (!(q > 0)) continue;
    if (q > best.q || (q === best.q && PREFERENCE.indexOf(format) < PREFERENCE.indexOf(best.format))) best = { format, q };
  }
  return best.format;
}

function formatOfRange(type: string, params: Map<string, string>): ScrapeFormat | undefined {
  if (type === 'application/openmetrics-text') return 'openmetrics';
  if (type === 'application/vnd.google.protobuf') {
    // Only the delimited MetricFamily stream is spoken; other protobuf encodings are not.
    const proto = params.get('proto');
    const encoding = params.get('encoding');
    return proto === 'io.prometheus.client.metricfamily' && encoding === 'delimited' ? 'protobuf' : undefined;
  }
  if (type === 'text/plain' || type === 'text/*' || type === '*/*') return 'prometheus';
  return undefined;
}
