/** Decodes a protobuf scrape into plain MetricFamily objects, for tests. */
import protobuf from 'protobufjs';
import { MetricFamily } from '../src/handler/metric-family.proto.js';

export interface DecodedFamily {
  name: string;
  help: string;
  type: number;
  metric: {
    label?: { name: string; value: string }[];
    counter?: { value: number };
    gauge?: { value: number };
    histogram?: {
      sampleCount: number;
      sampleSum: number;
      bucket?: { cumulativeCount: number; upperBound: number }[];
      schema?: number;
      zeroThreshold?: number;
      zeroCount?: number;
      positiveSpan?: { offset: number; length: number }[];
      positiveDelta?: number[];
    };
  }[];
}

export function decodeScrape(bytes: Uint8Array): DecodedFamily[] {
  const reader = protobuf.Reader.create(bytes);
  const families: DecodedFamily[] = [];
  while (reader.pos < reader.len) {
    const message = MetricFamily.decodeDelimited(reader);
    families.push(MetricFamily.toObject(message, { longs: Number, enums: Number, defaults: false }) as DecodedFamily);
  }
  return families;
}

/** The absolute bucket counts by index of a decoded native histogram's positive side. */
export function positiveBuckets(histogram: NonNullable<DecodedFamily['metric'][number]['histogram']>): Map<number, number> {
  const counts = new Map<number, number>();
  const deltas = histogram.positiveDelta ?? [];
  let index = 0;
  let position = 0;
  let count = 0;
  for (const [i, span] of (histogram.positiveSpan ?? []).entries()) {
    index += i === 0 ? span.offset : span.offset;
    for (let j = 0; j < span.length; j++) {
      count += deltas[position++]!;
      if (count > 0) counts.set(index, count);
      index++;
    }
  }
  return counts;
}
