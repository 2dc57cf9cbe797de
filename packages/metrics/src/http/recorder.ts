/**
 * The one recording path of the HTTP family, free of any framework: the Hono middleware, the
 * Hono fetch wrapper and the node:http wrapper all record through it. Every label set is built
 * once and kept (method -> route pattern -> status), so recording a request builds no strings.
 */
import { HTTP_METHODS } from '../catalog.js';
import { errorType } from '../error-type/index.js';
import type { Metrics, MetricsWith } from '../registry/create-metrics.js';
import { CounterSeries, GaugeSeries, HistogramSeries } from '../registry/series-cache.js';

export interface HttpRecorderOptions {
  /** Paths not recorded: exact strings or patterns (default /metrics, /health, /ready). */
  exclude?: (string | RegExp)[];
  /** The route label of requests no route matched (default "unmatched"). */
  unmatchedRoute?: string;
}

export const DEFAULT_EXCLUDED_PATHS: readonly string[] = ['/metrics', '/health', '/ready'];
export const UNMATCHED_ROUTE = 'unmatched';
const OTHER_METHOD = '_OTHER';
// Past this many distinct (method, route) pairs new ones are recorded without being kept: a
// route function that returns raw paths must not grow memory (the label guard caps the series).
const MAX_KEPT_ROUTES = 1000;

type Labels = Record<string, string>;

interface Instruments {
  requests: CounterSeries;
  durations: HistogramSeries;
  requestSizes: HistogramSeries;
  responseSizes: HistogramSeries;
  errors: Metrics['errors']['errorsTotal'];
}

/** One status of one route series: the key and labels of its requests and durations. */
interface StatusSeries {
  key: string;
  labels: Labels;
}

/** The series of one method and route pattern. */
export class RouteSeries {
  private readonly sizeKey: string;
  private readonly sizeLabels: Labels;
  private readonly statuses: (StatusSeries | undefined)[] = [];

  constructor(
    private readonly instruments: Instruments,
    readonly method: string,
    readonly route: string,
  ) {
    // Keys joined by newlines, which neither methods, route patterns nor statuses contain.
    this.sizeKey = `${method}\n${route}`;
    this.sizeLabels = { method, route };
  }

  /** A finished request: its status, how long producing the response took, its declared body size. */
  record(status: number, seconds: number, requestSize: number | undefined): void {
    const { requests, durations, requestSizes } = this.instruments;
    const series = this.statuses[status] ?? this.statusSeries(status);
    requests.inc(series.key, series.labels);
    durations.observe(series.key, series.labels, seconds);
    if (requestSize !== undefined) requestSizes.observe(this.sizeKey, this.sizeLabels, requestSize);
  }

  /** The body size of the response, once known (responses of unknown length are not observed). */
  observeResponseSize(bytes: number): void {
    this.instruments.responseSizes.observe(this.sizeKey, this.sizeLabels, bytes);
  }

  /** An error raised while handling a request of this route: errors_total{type,route}. */
  error(error: unknown): void {
    this.instruments.errors.inc({ type: errorType(error), route: this.route });
  }

  private statusSeries(status: number): StatusSeries {
    const text = String(status);
    const series = { key: `${this.sizeKey}\n${text}`, labels: { method: this.method, route: this.route, status: text } };
    if (Number.isInteger(status) && status >= 0 && status < 1000) this.statuses[status] = series;
    return series;
  }
}

export class HttpRecorder {
  readonly unmatched: string;
  /** Whether requests to a path are left out. */
  readonly excludes: (path: string) => boolean;
  private readonly instruments: Instruments;
  private readonly inFlight: GaugeSeries;
  private readonly methodLabels = new Map<string, { method: string }>(HTTP_METHODS.map((method) => [method, { method }]));
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  private kept = 0;

  constructor(metrics: MetricsWith<'http' | 'errors'>, options: HttpRecorderOptions = {}) {
    this.excludes = exclusion(options.exclude ?? DEFAULT_EXCLUDED_PATHS);
    this.unmatched = options.unmatchedRoute ?? UNMATCHED_ROUTE;
    const { http } = metrics;
    this.instruments = {
      requests: new CounterSeries(http.requestsTotal),
      durations: new HistogramSeries(http.requestDurationSeconds),
      requestSizes: new HistogramSeries(http.requestSizeBytes),
      responseSizes: new HistogramSeries(http.responseSizeBytes),
      errors: metrics.errors.errorsTotal,
    };
    this.inFlight = new GaugeSeries(http.requestsInFlight);
  }

  /** The method label of a request method: the method itself when the catalog lists it, else _OTHER. */
  method(method: string): string {
    return (this.methodLabels.get(method) ?? this.methodLabels.get(OTHER_METHOD)!).method;
  }

  /** The series of a method label and route pattern: the same object for the same pair. */
  series(method: string, route: string): RouteSeries {
    let byMethod = this.routes.get(route);
    const found = byMethod?.get(method);
    if (found) return found;
    const series = new RouteSeries(this.instruments, method, route);
    if (this.kept >= MAX_KEPT_ROUTES) return series;
    if (!byMethod) this.routes.set(route, (byMethod = new Map<string, RouteSeries>()));
    byMethod.set(method, series);
    this.kept++;
    return series;
  }

  /** A request of this method label is being handled, until `finished`. */
  started(method: string): void {
    this.inFlight.inc(method, this.methodLabels.get(method)!);
  }

  finished(method: string): void {
    this.inFlight.dec(method, this.methodLabels.get(method)!);
  }
}

export function httpRecorder(metrics: MetricsWith<'http' | 'errors'>, options?: HttpRecorderOptions): HttpRecorder {
  return new HttpRecorder(metrics, options);
}

function exclusion(patterns: readonly (string | RegExp)[]): (path: string) => boolean {
  const exact = new Set(patterns.filter((p): p is string => typeof p === 'string'));
  const regexps = patterns.filter((p): p is RegExp => p instanceof RegExp);
  if (regexps.length === 0) return (path) => exact.has(path);
  return (path) => exact.has(path) || regexps.some((re) => re.test(path));
}
