/**
 * Prometheus's protobuf exposition schema (io.prometheus.client, from prometheus/client_model's
 * metrics.proto), the part a scrape carries: families, metrics, labels, counters, gauges,
 * summaries, classic and native histogram buckets. Exemplars and created timestamps are not
 * sent, so they are left out.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto2";
package io.prometheus.client;

message LabelPair { optional string name = 1; optional string value = 2; }
enum MetricType { COUNTER = 0; GAUGE = 1; SUMMARY = 2; UNTYPED = 3; HISTOGRAM = 4; GAUGE_HISTOGRAM = 5; }
message Gauge { optional double value = 1; }
message Counter { optional double value = 1; }
message Quantile { optional double quantile = 1; optional double value = 2; }
message Summary { optional uint64 sample_count = 1; optional double sample_sum = 2; repeated Quantile quantile = 3; }
message Untyped { optional double value = 1; }
message Bucket { optional uint64 cumulative_count = 1; optional double upper_bound = 2; }
message BucketSpan { optional sint32 offset = 1; optional uint32 length = 2; }
message Histogram {
  optional uint64 sample_count = 1;
  optional double sample_sum = 2;
  repeated Bucket bucket = 3;
  optional sint32 schema = 5;
  optional double zero_threshold = 6;
  optional uint64 zero_count = 7;
  repeated BucketSpan negative_span = 9;
  repeated sint64 negative_delta = 10;
  repeated BucketSpan positive_span = 12;
  repeated sint64 positive_delta = 13;
}
message Metric {
  repeated LabelPair label = 1;
  optional Gauge gauge = 2;
  optional Counter counter = 3;
  optional Summary summary = 4;
  optional Untyped untyped = 5;
  optional Histogram histogram = 7;
}
message MetricFamily { optional string name = 1; optional string help = 2; optional MetricType type = 3; repeated Metric metric = 4; }
`;

/** The MetricFamily message type, with camelCase field names (sampleCount, positiveSpan...). */
export const MetricFamily = protobuf.parse(SCHEMA).root.lookupType('io.prometheus.client.MetricFamily');

export const METRIC_TYPES = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 } as const;
