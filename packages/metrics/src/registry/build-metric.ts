/**
 * Turns a catalog definition into a prom-client metric on a registry, with the catalog's
 * label bounds enforced on every recording path (inc, set, observe, labels(), timers).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { catalog, type MetricDef, type MetricType } from '../catalog.js';
import { attachNativeBuckets, type NativeHistogramOptions } from '../native-histogram/index.js';
import { markMetric } from './internals.js';
import { LabelGuard } from './label-guard.js';

export type MetricFor<D> =
  D extends MetricDef<infer L, 'counter'> ? Counter<L>
  : D extends MetricDef<infer L, 'gauge'> ? Gauge<L>
  : D extends MetricDef<infer L, 'histogram'> ? Histogram<L>
  : never;

export interface BuildOptions {
  registry: Registry;
  /** prom-client's collect(): called at scrape time, for metrics read rather than recorded. */
  collect?: () => void | Promise<void>;
  /** Native buckets beside the classic ones for a histogram (default on); false for classic only. */
  nativeHistograms?: NativeHistogramOptions | boolean;
}

/** Creates the metric of a catalog definition on a registry (once per registry). */
export function buildMetric<D extends MetricDef>(def: D, { registry, collect, nativeHistograms = true }: BuildOptions): MetricFor<D> {
  // The overflow counter is created by the first guarded metric; it is never guarded itself.
  if (def.name === catalog.meta.labelOverflowTotal.name) return overflowCounter(registry) as MetricFor<D>;
  const config = {
    name: def.name,
    help: def.help,
    labelNames: [...def.labels],
    registers: [registry],
    ...(collect ? { collect } : {}),
  };
  const metric =
    def.type === 'counter' ? new Counter(config)
    : def.type === 'gauge' ? new Gauge(config)
    : new Histogram({ ...config, buckets: [...(def.buckets ?? [])] });
  markMetric(metric, registry);
  // Native buckets see the label values the guard (wrapped around them below) lets through.
  if (def.type === 'histogram' && nativeHistograms !== false) {
    attachNativeBuckets(metric as Histogram, nativeHistograms === true ? {} : nativeHistograms);
  }
  if (def.bounds && Object.keys(def.bounds).length > 0) {
    const overflow = overflowCounter(registry);
    const guard = new LabelGuard(def, (name) => overflow.inc({ metric: name }));
    guardInPlace(metric, guard);
  }
  return metric as MetricFor<D>;
}

/**
 * A metric of a service's own, defined like a catalog entry (name, type, help, labels, buckets,
 * label bounds) and given the same label guard, overflow counting and native buckets.
 */
export function defineMetric<const L extends string, const T extends MetricType>(
  registry: Registry,
  def: MetricDef<L, T>,
  options: Omit<BuildOptions, 'registry'> = {},
): MetricFor<MetricDef<L, T>> {
  return buildMetric(def, { ...options, registry });
}

/** metrics_label_overflow_total of a registry, created on first use. */
export function overflowCounter(registry: Registry): Counter<'metric'> {
  const def = catalog.meta.labelOverflowTotal;
  const existing = registry.getSingleMetric(def.name);
  if (existing) return existing as Counter<'metric'>;
  return new Counter({ name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] });
}

type AnyMetric = Record<string, unknown> & { labelNames: string[] };
type Method = (labels: unknown, ...rest: unknown[]) => unknown;

const RECORDING_METHODS = ['inc', 'dec', 'set', 'observe', 'zero'];

function guardInPlace(metric: Counter | Gauge | Histogram, guard: LabelGuard): void {
  const target = metric as unknown as AnyMetric;
  // Counter and Histogram bind inc/observe as instance properties in their constructors, so the
  // guard wraps the instance rather than overriding prototype methods.
  // Every recording method takes (labels?, value?): a fixed arity keeps the hot path free of
  // rest-array allocations (the HTTP middleware calls five of these per request).
  for (const name of RECORDING_METHODS) {
    const inner = target[name] as Method | undefined;
    if (typeof inner !== 'function') continue;
    target[name] = (labels: unknown, value?: unknown) =>
      inner.call(metric, isLabels(labels) ? guard.apply(labels) : labels, value);
  }
  const labels = target.labels as (...args: unknown[]) => unknown;
  target.labels = (...args: unknown[]) => labels.call(metric, guard.apply(labelObject(target.labelNames, args)));
  const startTimer = target.startTimer as Method | undefined;
  if (typeof startTimer === 'function') {
    target.startTimer = (labels: unknown, ...rest: unknown[]) =>
      startTimer.call(metric, isLabels(labels) ? guard.apply(labels) : labels, ...rest);
  }
}

function isLabels(value: unknown): value is Record<string, string | number> {
  return typeof value === 'object' && value !== null;
}

function labelObject(names: string[], args: unknown[]): Record<string, string | number> {
  if (isLabels(args[0])) return args[0];
  return Object.fromEntries(names.map((name, i) => [name, args[i] as string]));
}
