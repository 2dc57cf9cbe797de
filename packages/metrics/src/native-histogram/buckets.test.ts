import { describe, expect, it } from 'vitest';
import { NativeBuckets, bucketIndex, bucketUpperBound } from './buckets.js';

describe('bucketIndex', () => {
  it('puts powers of two on the upper bound of their bucket, as Prometheus does', () => {
    // Schema 3: 8 buckets per power of two; 1 closes bucket 0, 2 closes bucket 8.
    expect(bucketIndex(1, 3)).toBe(0);
    expect(bucketIndex(2, 3)).toBe(8);
    expect(bucketIndex(0.5, 3)).toBe(-8);
    expect(bucketIndex(1.5, 3)).toBe(5); // (2^(4/8), 2^(5/8)] = (1.414, 1.542]
    // Schema 0: (1, 2] is bucket 1, (2, 4] bucket 2.
    expect([bucketIndex(1, 0), bucketIndex(2, 0), bucketIndex(3, 0), bucketIndex(4, 0)]).toEqual([0, 1, 2, 2]);
    // Schema -1: base 4, (1, 4] is bucket 1.
    expect([bucketIndex(1, -1), bucketIndex(2, -1), bucketIndex(4, -1), bucketIndex(5, -1)]).toEqual([0, 1, 1, 2]);
  });

  it('finds, for values across 40 orders of magnitude, the bucket whose bounds hold them', () => {
    for (const schema of [-4, -1, 0, 1, 3, 8]) {
      for (let i = 0; i < 2000; i++) {
        const value = 10 ** (-20 + (i * 40) / 2000) * (1 + (i % 7) / 10);
        const index = bucketIndex(value, schema);
        const upper = bucketUpperBound(index, schema);
        const lower = bucketUpperBound(index - 1, schema);
        // Bounds computed with pow are within an ulp or two of the exact ones.
        expect(value).toBeLessThanOrEqual(upper * (1 + 1e-12));
        expect(value).toBeGreaterThan(lower * (1 - 1e-12));
      }
    }
  });

  it('places the smallest and largest doubles too', () => {
    // Subnormals: 2^-1074 is the upper bound of bucket -1074 * 2^schema.
    expect(bucketIndex(2 ** -1074, 3)).toBe(-1074 * 8);
    expect(bucketIndex(2 ** -1073, 0)).toBe(-1073);
    expect(bucketIndex(2 ** -1060, -2)).toBe(-265);
    expect(bucketIndex(2 ** 1023, 3)).toBe(1023 * 8);
    expect(bucketIndex(Number.MAX_VALUE, 0)).toBe(1024);
  });
});

describe('NativeBuckets', () => {
  it('counts the zero bucket, negative and positive values apart', () => {
    const buckets = new NativeBuckets(3, 1e-9, 160);
    for (const value of [0, 1e-12, -1e-12, 1, 1, 2, -1]) buckets.observe(value);
    expect(buckets.zeroCount).toBe(3);
    expect(buckets.count('positive', 0)).toBe(2);
    expect(buckets.count('positive', 8)).toBe(1);
    expect(buckets.count('negative', 0)).toBe(1);
  });

  it('writes spans and deltas, bridging gaps of up to two empty buckets', () => {
    const buckets = new NativeBuckets(0, 0, 160);
    // Buckets 0 (x2), 1 (x1), 3 (x4), then 10 (x1): a gap of one is bridged, a gap of six is not.
    for (const value of [1, 1, 2, 8, 8, 8, 8, 1024]) buckets.observe(value);
    expect(buckets.sparse('positive')).toEqual({
      spans: [
        { offset: 0, length: 4 },
        { offset: 6, length: 1 },
      ],
      deltas: [2, -1, -1, 4, -3],
    });
    expect(buckets.sparse('negative')).toEqual({ spans: [], deltas: [] });
  });

  it('halves its resolution past the bucket limit, keeping every observation', () => {
    const buckets = new NativeBuckets(3, 0, 8);
    const values = Array.from({ length: 100 }, (_, i) => 1 + i / 10);
    for (const value of values) buckets.observe(value);
    expect(buckets.schema).toBeLessThan(3);
    const { spans, deltas } = buckets.sparse('positive');
    expect(spans.reduce((n, s) => n + s.length, 0)).toBeLessThanOrEqual(8);
    let count = 0;
    let total = 0;
    for (const delta of deltas) total += count += delta;
    expect(total).toBe(100);
    // Each value is still in the bucket its bounds say, at the reduced schema.
    for (const value of values) expect(buckets.count('positive', bucketIndex(value, buckets.schema))).toBeGreaterThan(0);
  });
});
