/**
 * Native histograms beside prom-client's classic ones: every observation of a Histogram also
 * lands in sparse exponential buckets of its series, which the protobuf exposition serves to
 * scrapers that ask for it. Classic buckets, sum and count stay prom-client's, so the text
 * formats and old servers see exactly what they saw before.
 */
import type { Histogram } from 'prom-client';
import { DEFAULT_ZERO_THRESHOLD, MAX_SCHEMA, MIN_SCHEMA, NativeBuckets } from './buckets.js';

export { NativeBuckets, bucketIndex, bucketUpperBound, type BucketSpan, type SparseBuckets } from './buckets.js';

export interface NativeHistogramOptions {
  /**
   * Resolution: each power of two is split into 2^schema buckets, -4 to 8 (default 3, buckets
   * about 9% wide, the Go client's default bucket factor of 1.1).
   */
  schema?: number;
  /** Values with |v| at most this are counted in the zero bucket (default 2^-128). */
  zeroThreshold?: number;
  /** Buckets per series before the resolution is halved (default 160, the Go client's advice). */
  maxBuckets?: number;
}

type Labels = Record<string, string | number>;

type Trie = Map<string, Trie | NativeBuckets>;

/**
 * The native buckets of one histogram's series, found by their label values in sorted label
 * name order through one map per label: values are mostly constant strings whose hashes V8
 * keeps, so a lookup hashes nothing new (a joined key string would be built and hashed per call).
 */
export class NativeSeries {
  private readonly root: Trie = new Map();
  private readonly names: string[];
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly maxBuckets: number;

  constructor(labelNames: readonly string[], options: NativeHistogramOptions = {}) {
    this.names = [...labelNames].sort();
    this.schema = options.schema ?? 3;
    this.zeroThreshold = options.zeroThreshold ?? DEFAULT_ZERO_THRESHOLD;
    this.maxBuckets = options.maxBuckets ?? 160;
    if (!Number.isInteger(this.schema) || this.schema < MIN_SCHEMA || this.schema > MAX_SCHEMA) {
      throw new RangeError(`native histogram schema ${this.schema} is not an integer from ${MIN_SCHEMA} to ${MAX_SCHEMA}`);
    }
    if (!(this.zeroThreshold >= 0)) throw new RangeError(`native histogram zeroThreshold ${this.zeroThreshold} is not >= 0`);
    if (!(this.maxBuckets >= 1)) throw new RangeError(`native histogram maxBuckets ${this.maxBuckets} is not >= 1`);
  }

  /** The buckets of a label set, created empty on first use. */
  of(labels: Labels | undefined): NativeBuckets {
    const names = this.names;
    let node = this.root;
    for (let i = 0; i < names.length - 1; i++) {
      const value = valueOf(labels, names[i]!);
      let next = node.get(value) as Trie | undefined;
      if (!next) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const last = names.length === 0 ? '' : valueOf(labels, names[names.length - 1]!);
    let buckets = node.get(last) as NativeBuckets | undefined;
    if (!buckets) {
      buckets = new NativeBuckets(this.schema, this.zeroThreshold, this.maxBuckets);
      node.set(last, buckets);
    }
    return buckets;
  }

  /** The buckets of a label set if it was observed or zeroed. */
  find(labels: Labels | undefined): NativeBuckets | undefined {
    let node: Trie | NativeBuckets | undefined = this.root;
    for (const name of this.names.length === 0 ? [''] : this.names) {
      if (!(node instanceof Map)) return undefined;
      node = node.get(name === '' ? '' : valueOf(labels, name));
    }
    return node instanceof NativeBuckets ? node : undefined;
  }

  remove(labels: Labels | undefined): void {
    const names = this.names.length === 0 ? [''] : this.names;
    let node: Trie | NativeBuckets | undefined = this.root;
    for (const name of names.slice(0, -1)) node = node instanceof Map ? node.get(valueOf(labels, name)) : undefined;
    const last = names.at(-1)!;
    if (node instanceof Map) node.delete(last === '' ? '' : valueOf(labels, last));
  }

  clear(): void {
    this.root.clear();
  }
}

function valueOf(labels: Labels | undefined, name: string): string {
  const value = labels?.[name];
  return typeof value === 'string' ? value : value === undefined ? '' : String(value);
}

const attached = new WeakMap<Histogram<string>, NativeSeries>();

/** The native series of a histogram, when it has them. */
export function nativeSeriesOf(metric: unknown): NativeSeries | undefined {
  return attached.get(metric as Histogram<string>);
}

type Method = (...args: unknown[]) => unknown;

/**
 * Gives a prom-client Histogram native buckets, through its public methods: observe (and
 * therefore startTimer), labels(), zero, remove and reset. Called before any label guard wraps
 * the metric, so it sees the label values that are finally recorded.
 */
export function attachNativeBuckets(metric: Histogram<string>, options: NativeHistogramOptions = {}): NativeSeries {
  const target = metric as unknown as Record<string, Method> & { labelNames: string[] };
  const native = new NativeSeries(target.labelNames, options);
  attached.set(metric, native);
  const observe = target.observe!;
  target.observe = function observeNative(labels: unknown, value?: unknown) {
    observe.call(metric, labels, value);
    // prom-client's observe(value) form: no labels.
    if (typeof labels === 'number') native.of(undefined).observe(labels);
    else native.of(labels as Labels | undefined).observe(value as number);
  };
  // labels(...).observe reaches prom-client's internal observe, not the instance method.
  const labels = target.labels!;
  target.labels = function labelsNative(...args: unknown[]) {
    const bound = labels.apply(metric, args) as { observe: (value: number) => void };
    const values = labelObject(target.labelNames, args);
    const inner = bound.observe;
    bound.observe = (value: number) => {
      inner(value);
      native.of(values).observe(value);
    };
    return bound;
  };
  const follow: [string, (args: unknown[]) => void][] = [
    ['zero', (args) => void native.of(args[0] as Labels)],
    ['remove', (args) => native.remove(labelObject(target.labelNames, args))],
    ['reset', () => native.clear()],
  ];
  for (const [name, apply] of follow) {
    const inner = target[name]!;
    target[name] = function (...args: unknown[]) {
      const result = inner.apply(metric, args);
      apply(args);
      return result;
    };
  }
  return native;
}

function labelObject(names: string[], args: unknown[]): Labels {
  if (typeof args[0] === 'object' && args[0] !== null) return args[0] as Labels;
  return Object.fromEntries(names.map((name, i) => [name, args[i] as string]));
}
