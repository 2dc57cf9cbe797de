/**
 * The sparse exponential buckets of one native histogram series, as Prometheus defines them:
 * with schema s, bucket i holds the values in (base^(i-1), base^i] where base = 2^(2^-s);
 * values within the zero threshold go to the zero bucket, negative values mirror positive ones.
 * Bucket indices are found as Prometheus's Go client finds them (frexp and a table per schema),
 * so a value on a boundary lands in the same bucket whichever library observed it.
 */

export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;
/** The Go client's default zero threshold (2^-128): only values that are 0 for any purpose. */
export const DEFAULT_ZERO_THRESHOLD = 2 ** -128;

/** Boundaries of the fraction part per positive schema: 2^(i/2^s - 1) for i in 0..2^s-1. */
const FRACTION_BOUNDS: readonly Float64Array[] = Array.from({ length: MAX_SCHEMA + 1 }, (_, schema) =>
  Float64Array.from({ length: 2 ** schema }, (_, i) => 2 ** (i / 2 ** schema - 1)),
);

/** A run of consecutive buckets starting `offset` after the previous run (or at `offset`). */
export interface BucketSpan {
  offset: number;
  length: number;
}

/** One side's buckets as the exposition formats carry them: spans plus count deltas. */
export interface SparseBuckets {
  spans: BucketSpan[];
  deltas: number[];
}

export class NativeBuckets {
  zeroCount = 0;
  private positive = new Side();
  private negative = new Side();

  constructor(
    public schema: number,
    readonly zeroThreshold: number,
    private readonly maxBuckets: number,
  ) {}

  observe(value: number): void {
    if (value > this.zeroThreshold) this.positive.increment(bucketIndex(value, this.schema));
    else if (value < -this.zeroThreshold) this.negative.increment(bucketIndex(-value, this.schema));
    else this.zeroCount++;
    // Past the bucket limit, halve the resolution (as the Go client does) rather than drop data.
    while (this.positive.used + this.negative.used > this.maxBuckets && this.schema > MIN_SCHEMA) this.halveResolution();
  }

  /** Non-empty buckets in the span/delta layout of the protobuf exposition. */
  sparse(side: 'positive' | 'negative'): SparseBuckets {
    return (side === 'positive' ? this.positive : this.negative).sparse();
  }

  /** Count of the bucket with the given index (for tests and readers). */
  count(side: 'positive' | 'negative', index: number): number {
    return (side === 'positive' ? this.positive : this.negative).count(index);
  }

  private halveResolution(): void {
    this.schema--;
    this.positive = this.positive.halved();
    this.negative = this.negative.halved();
  }
}

/**
 * One side's counts, dense from the lowest index seen: an observation is an array increment.
 * Indices of one series' values span a few hundred buckets at most, so gaps cost little.
 */
class Side {
  counts: number[] = [];
  /** Bucket index of counts[0]. */
  first = 0;
  /** Buckets with a count above zero. */
  used = 0;

  increment(index: number, by = 1): void {
    let i = index - this.first;
    if (this.counts.length === 0) {
      this.first = index;
      i = 0;
    } else if (i < 0) {
      this.counts = new Array<number>(-i).fill(0).concat(this.counts);
      this.first = index;
      i = 0;
    }
    while (i >= this.counts.length) this.counts.push(0);
    if (this.counts[i] === 0) this.used++;
    this.counts[i]! += by;
  }

  count(index: number): number {
    return this.counts[index - this.first] ?? 0;
  }

  /** The same counts at half the resolution: bucket i lies in bucket ceil(i/2) of schema s-1. */
  halved(): Side {
    const side = new Side();
    for (let i = 0; i < this.counts.length; i++) {
      if (this.counts[i]! > 0) side.increment((this.first + i + 1) >> 1, this.counts[i]);
    }
    return side;
  }

  /**
   * Spans of consecutive indices with counts as deltas from the previous bucket. Gaps of one
   * or two empty buckets are written as zero counts inside a span, shorter than a new span.
   */
  sparse(): SparseBuckets {
    const spans: BucketSpan[] = [];
    const deltas: number[] = [];
    let previousIndex = 0;
    let previousCount = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const count = this.counts[i]!;
      if (count === 0) continue;
      const index = this.first + i;
      const gap = index - previousIndex - 1;
      const span = spans.at(-1);
      if (span && gap <= 2) {
        for (let g = 0; g < gap; g++) {
          deltas.push(0 - previousCount);
          previousCount = 0;
        }
        span.length += gap + 1;
      } else {
        spans.push({ offset: span ? gap : index, length: 1 });
      }
      deltas.push(count - previousCount);
      previousCount = count;
      previousIndex = index;
    }
    return { spans, deltas };
  }
}

/** The index of the bucket holding a positive value: the smallest i with value <= base^i. */
export function bucketIndex(value: number, schema: number): number {
  // frexp through the bits of the double: value = fraction * 2^exponent, fraction in [0.5, 1),
  // read from the exponent field, and the mantissa given the exponent of 0.5.
  float[0] = value;
  const high = words[HIGH]!;
  const biased = (high >>> 20) & 0x7ff;
  if (biased === 0) return subnormalIndex(value, schema);
  words[HIGH] = (high & 0x800fffff) | (1022 << 20);
  const fraction = float[0];
  const exponent = biased - 1022;
  if (schema > 0) {
    const bounds = FRACTION_BOUNDS[schema]!;
    return searchBounds(bounds, fraction) + (exponent - 1) * bounds.length;
  }
  // A power of two is the upper bound of its bucket, so it belongs one exponent lower.
  const index = fraction === 0.5 ? exponent - 1 : exponent;
  const offset = (1 << -schema) - 1;
  return (index + offset) >> -schema;
}

/** The upper bound of a bucket (for tests and readers). */
export function bucketUpperBound(index: number, schema: number): number {
  return 2 ** (index * 2 ** -schema);
}

const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Values below 2^-1022 (exponent field 0): scaled into the normal range, the index moved back. */
function subnormalIndex(value: number, schema: number): number {
  // 2^64 is 2^(64 * 2^schema) buckets up at schema >= 0; at negative schemas, 64 / 2^-schema.
  const shift = schema >= 0 ? 64 * 2 ** schema : 64 / 2 ** -schema;
  return bucketIndex(value * 2 ** 64, schema) - shift;
}

/** The smallest i with bounds[i] >= fraction (fraction < 1, so always within the table). */
function searchBounds(bounds: Float64Array, fraction: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (bounds[mid]! < fraction) low = mid + 1;
    else high = mid;
  }
  return low;
}
