/**
 * Hot-path recording for metrics touched on every request. prom-client re-validates and
 * re-hashes the labels on each call (a histogram observe costs 1-3 µs, the bulk of what an
 * instrumented request costs); here a label set goes through prom-client's public, label-guarded
 * methods once, and later recordings update the series it created in place.
 *
 * prom-client 15 keeps each series as a plain object in `metric.hashMap` under a key built from
 * the sorted label names and values. A cached series is used only while it is still the object
 * prom-client holds (reset() and remove() replace it); a label set the guard rewrote (to
 * "other") is never cached, so every overflow is still counted; and where the self-check
 * (internals.ts) found prom-client's layout different, nothing is cached and every call takes
 * the public path. A histogram's native buckets (../native-histogram) are cached the same way.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { nativeSeriesOf, type NativeBuckets } from '../native-histogram/index.js';
import { fastPathForMetric } from './internals.js';

type Labels = Record<string, string>;
interface Series {
  labels: Labels;
  value?: number;
  bucketValues?: Record<string, number>;
  sum?: number;
  count?: number;
}
interface Internals {
  labelNames: string[];
  hashMap?: Record<string, Series>;
  upperBounds?: number[];
}
interface Cached {
  hash: string;
  series: Series;
  native?: NativeBuckets | undefined;
  /** Bucket counts not yet added to prom-client's series (histograms; see HistogramSeries). */
  pending?: Float64Array;
  dirty?: boolean;
}

/** Records into one metric by a caller-built key that stands for exactly one label set. */
abstract class SeriesCache<M extends Counter<string> | Gauge<string> | Histogram<string>> {
  private readonly cache = new Map<string, Cached>();
  private readonly names: string[];
  private readonly fast: boolean;
  protected readonly internals: Internals;

  constructor(protected readonly metric: M) {
    this.internals = metric as unknown as Internals;
    this.names = [...this.internals.labelNames].sort();
    this.fast = fastPathForMetric(metric);
  }

  /** The live series of `key`, or undefined after recording through the public path. */
  protected cached(key: string): Cached | undefined {
    const hit = this.cache.get(key);
    if (hit && this.internals.hashMap?.[hit.hash] === hit.series) return hit;
    return undefined;
  }

  /** Remembers the series prom-client now holds for `labels`, if it is exactly that label set. */
  protected remember(key: string, labels: Labels): void {
    if (!this.fast) return;
    let hash = '';
    for (const name of this.names) if (labels[name] !== undefined) hash += `${name}:${labels[name]},`;
    const series = this.internals.hashMap?.[hash];
    if (series && this.names.every((name) => series.labels[name] === labels[name])) {
      this.cache.set(key, { hash, series, native: nativeSeriesOf(this.metric)?.find(labels) });
    } else this.cache.delete(key);
  }
}

export class CounterSeries extends SeriesCache<Counter<string>> {
  inc(key: string, labels: Labels, value = 1): void {
    const series = Number.isFinite(value) && value >= 0 ? this.cached(key)?.series : undefined;
    if (series && typeof series.value === 'number') {
      series.value += value;
      return;
    }
    // The public path also refuses what the fast path skips (negative or non-finite values).
    this.metric.inc(labels, value);
    this.remember(key, labels);
  }
}

export class GaugeSeries extends SeriesCache<Gauge<string>> {
  inc(key: string, labels: Labels, delta = 1): void {
    const series = Number.isFinite(delta) ? this.cached(key)?.series : undefined;
    if (series && typeof series.value === 'number') {
      series.value += delta;
      return;
    }
    this.metric.inc(labels, delta);
    this.remember(key, labels);
  }

  dec(key: string, labels: Labels): void {
    this.inc(key, labels, -1);
  }
}

/**
 * Histograms count buckets in a typed array per series and add them to prom-client's series
 * when the metric is read (its collect(), which every reader calls first: get(), the registry's
 * text, this package's exposition). prom-client keys bucket counts by each bound's string, and
 * byte-sized bounds (100 ... 1e8) are integer-like keys that put the object in V8's dictionary
 * mode, where one increment costs several times an array's. Sum and count stay direct.
 */
export class HistogramSeries extends SeriesCache<Histogram<string>> {
  private readonly bounds: number[];
  private readonly boundKeys: string[];
  private readonly dirty: Cached[] = [];

  constructor(metric: Histogram<string>) {
    super(metric);
    this.bounds = this.internals.upperBounds ?? [];
    this.boundKeys = this.bounds.map(String);
    flushedOnRead(metric, this);
  }

  observe(key: string, labels: Labels, value: number): void {
    const hit = Number.isFinite(value) ? this.cached(key) : undefined;
    const series = hit?.series;
    if (series?.bucketValues && typeof series.count === 'number' && typeof series.sum === 'number') {
      const i = this.bucketOf(value);
      if (i >= 0) {
        (hit!.pending ??= new Float64Array(this.bounds.length))[i]! += 1;
        if (!hit!.dirty) {
          hit!.dirty = true;
          this.dirty.push(hit!);
        }
      }
      series.sum += value;
      series.count += 1;
      hit!.native?.observe(value);
      return;
    }
    this.metric.observe(labels, value);
    this.remember(key, labels);
  }

  /** Adds the pending bucket counts to the series prom-client still holds (a reset drops them). */
  flush(): void {
    for (const hit of this.dirty) {
      const pending = hit.pending!;
      const buckets = this.internals.hashMap?.[hit.hash] === hit.series ? hit.series.bucketValues : undefined;
      for (let i = 0; i < pending.length; i++) {
        if (pending[i] === 0) continue;
        if (buckets) buckets[this.boundKeys[i]!]! += pending[i]!;
        pending[i] = 0;
      }
      hit.dirty = false;
    }
    this.dirty.length = 0;
  }

  private bucketOf(value: number): number {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) return i;
    return -1;
  }
}

const flushers = new WeakMap<object, Set<HistogramSeries>>();

/** Makes the metric's collect() flush every HistogramSeries recording into it, before anything else. */
function flushedOnRead(metric: Histogram<string>, series: HistogramSeries): void {
  let set = flushers.get(metric);
  if (!set) {
    const flushing = new Set<HistogramSeries>();
    set = flushing;
    flushers.set(metric, flushing);
    const target = metric as unknown as { collect?: (this: unknown) => unknown };
    const prior = target.collect;
    target.collect = function collectFlushed(this: unknown) {
      for (const each of flushing) each.flush();
      return prior?.call(this);
    };
  }
  set.add(series);
}
