/**
 * The self-check behind the fast paths. Recording (series-cache.ts) and serializing
 * (handler/exposition.ts) read prom-client 15's per-series state directly, which prom-client
 * does not promise to keep: its next major replaces `hashMap` with a LabelMap. Before a
 * registry's metrics take the fast path, probe metrics of the same classes are recorded through
 * the public API and read back through the internals; a write through the internals must be
 * seen by the next public call. If anything differs, that registry uses the public API only:
 * correct, slower, and said once in the log and in metrics_fast_path_enabled.
 */
import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';

export interface InternalsCheck {
  ok: boolean;
  /** What did not look as expected, when not ok. */
  problem?: string;
}

interface CounterState {
  hashMap?: Record<string, { labels?: Record<string, unknown>; value?: unknown }>;
}
interface HistogramInternals {
  upperBounds?: unknown;
  hashMap?: Record<string, { labels?: Record<string, unknown>; bucketValues?: Record<string, unknown>; sum?: unknown; count?: unknown }>;
}

const checked = new WeakMap<object, InternalsCheck>();
const warned = new WeakSet<object>();

/** Whether this registry's metrics may use the fast paths (checked once per registry). */
export function fastPathFor(registry: Registry<RegistryContentType>): boolean {
  return internalsOf(registry).ok;
}

/** The check of a registry, run on first use and remembered. */
export function internalsOf(registry: Registry<RegistryContentType>): InternalsCheck {
  let result = checked.get(registry);
  if (!result) {
    result = checkInternals(registry);
    checked.set(registry, result);
  }
  return result;
}

/** Says once per registry that it fell back, through the given log. */
export function warnOnce(registry: Registry<RegistryContentType>, log: (message: string) => void): void {
  const result = internalsOf(registry);
  if (result.ok || warned.has(registry)) return;
  warned.add(registry);
  log(
    `@orfeas/metrics: prom-client's internals differ from the version this package was tested with (${result.problem}); ` +
      'recording and /metrics use its public API instead: correct, slower. metrics_fast_path_enabled is 0.',
  );
}

export function checkInternals(registry: Registry<RegistryContentType>): InternalsCheck {
  try {
    return checkRegistry(registry) ?? checkCounter() ?? checkGauge() ?? checkHistogram() ?? { ok: true };
  } catch (error) {
    return { ok: false, problem: `the probe threw: ${(error as Error).message}` };
  }
}

function fail(problem: string): InternalsCheck {
  return { ok: false, problem };
}

function checkRegistry(registry: Registry<RegistryContentType>): InternalsCheck | undefined {
  const own = (registry as unknown as { _defaultLabels?: unknown })._defaultLabels;
  if (typeof own !== 'object' || own === null) return fail('the registry has no _defaultLabels object');
  const RegistryClass = registry.constructor as typeof Registry;
  const probe = new RegistryClass();
  probe.setDefaultLabels({ probe: 'on' });
  const labels = (probe as unknown as { _defaultLabels?: Record<string, unknown> })._defaultLabels;
  if (labels?.probe !== 'on' || Object.keys(labels).length !== 1) return fail('setDefaultLabels does not keep them in _defaultLabels');
  return undefined;
}

function checkCounter(): InternalsCheck | undefined {
  const counter = new Counter({ name: 'probe_total', help: 'probe', labelNames: ['b', 'a'], registers: [] });
  counter.inc({ b: 'y', a: 'x' }, 2);
  const state = counter as unknown as CounterState;
  const series = state.hashMap?.['a:x,b:y,'];
  if (series?.value !== 2 || series.labels?.a !== 'x') return fail('a counter series is not at hashMap["a:x,b:y,"] with its value');
  series.value = 5;
  counter.inc({ a: 'x', b: 'y' }, 1);
  if (state.hashMap?.['a:x,b:y,'] !== series || series.value !== 6) return fail('a counter does not keep recording into its hashMap series');
  return undefined;
}

function checkGauge(): InternalsCheck | undefined {
  const gauge = new Gauge({ name: 'probe', help: 'probe', labelNames: ['a'], registers: [] });
  gauge.inc({ a: 'x' }, 3);
  const state = gauge as unknown as CounterState;
  const series = state.hashMap?.['a:x,'];
  if (series?.value !== 3) return fail('a gauge series is not at hashMap["a:x,"] with its value');
  series.value = 10;
  gauge.dec({ a: 'x' }, 1);
  if (state.hashMap?.['a:x,'] !== series || series.value !== 9) return fail('a gauge does not keep recording into its hashMap series');
  return undefined;
}

function checkHistogram(): InternalsCheck | undefined {
  const histogram = new Histogram({ name: 'probe', help: 'probe', labelNames: ['a'], buckets: [0.1, 1], registers: [] });
  histogram.observe({ a: 'x' }, 0.5);
  const state = histogram as unknown as HistogramInternals;
  const bounds = state.upperBounds;
  if (!Array.isArray(bounds) || bounds.length !== 2 || bounds[0] !== 0.1 || bounds[1] !== 1) return fail('a histogram keeps no upperBounds array');
  const series = state.hashMap?.['a:x,'];
  const buckets = series?.bucketValues;
  if (!buckets || buckets['0.1'] !== 0 || buckets['1'] !== 1 || series.sum !== 0.5 || series.count !== 1) {
    return fail("a histogram series does not hold per-bucket counts keyed by each bound's string, with sum and count");
  }
  buckets['1'] = 2;
  series.sum = 1;
  series.count = 2;
  histogram.observe({ a: 'x' }, 0.05);
  // Read again through a fresh lookup: the observe above may have changed any of them.
  const after = state.hashMap?.['a:x,'];
  const counts = after?.bucketValues ?? {};
  if (after !== series || counts['0.1'] !== 1 || counts['1'] !== 2 || after.count !== 3 || after.sum !== 1 + 0.05) {
    return fail('a histogram does not keep recording into its hashMap series');
  }
  return undefined;
}

const metricRegistry = new WeakMap<object, Registry<RegistryContentType>>();
let unregistered: InternalsCheck | undefined;

/** Remembers the registry a metric was built on, so its fast path follows that registry's check. */
export function markMetric(metric: object, registry: Registry<RegistryContentType>): void {
  metricRegistry.set(metric, registry);
}

/** Whether recording into this metric may use the fast path. */
export function fastPathForMetric(metric: object): boolean {
  const registry = metricRegistry.get(metric);
  if (registry) return fastPathFor(registry);
  // A metric made elsewhere: only prom-client's own classes can be checked.
  unregistered ??= checkInternals(new Registry());
  return unregistered.ok;
}
