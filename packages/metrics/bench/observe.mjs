/**
 * (d) The cost of one histogram observation with native buckets beside the classic ones,
 * against classic buckets only: through prom-client's public observe() (label-guarded) and
 * through the cached series the HTTP instrumentation uses. Rounds alternate between the two
 * registries; ratio = median over rounds of native time / classic time.
 */
import { createMetrics } from '../dist/index.js';
import { HistogramSeries } from '../dist/registry/series-cache.js';
import { median, round, writeResult } from './result.mjs';

const ROUNDS = 15;
const OBSERVATIONS = 200_000;
const LABELS = [0, 1, 2, 3].map((i) => ({ method: 'GET', route: `/api/v1/resource-${i}/:id`, status: '200' }));
// Durations across the buckets' whole range, fixed so every round sees the same values.
const VALUES = Array.from({ length: 1024 }, (_, i) => 0.0005 * 1.01 ** (i % 700));

export async function benchObserve() {
  const variants = {
    classic: setup(createMetrics({ defaultMetrics: false, nativeHistograms: false })),
    native: setup(createMetrics({ defaultMetrics: false })),
  };
  const times = { classic: { public: [], cached: [] }, native: { public: [], cached: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 ? ['classic', 'native'] : ['native', 'classic']) {
      for (const path of ['public', 'cached']) times[name][path].push(run(variants[name][path]));
    }
  }
  const rows = [];
  for (const path of ['public', 'cached']) {
    const classic = median(times.classic[path]);
    const native = median(times.native[path]);
    const ratio = median(times.native[path].map((t, i) => t / times.classic[path][i]));
    rows.push({ case: `${path} observe, classic only`, value: round(classic), unit: 'ns', ratio: 1 });
    rows.push({ case: `${path} observe, native + classic`, value: round(native), unit: 'ns', ratio: round(ratio) });
  }
  writeResult('metrics-observe.json', {
    name: 'metrics-observe',
    description: `ns per observation of http_request_duration_seconds (4 label sets, values over the whole bucket range), median of ${ROUNDS} rounds of ${OBSERVATIONS} observations. "public" = histogram.observe(labels, v) with the label guard; "cached" = the HistogramSeries path the HTTP instrumentation records through. Ratio = native + classic time over classic-only time in the same round.`,
    rows,
  });
}

function setup(metrics) {
  const histogram = metrics.http.requestDurationSeconds;
  const series = new HistogramSeries(histogram);
  return {
    public: (i) => histogram.observe(LABELS[i & 3], VALUES[i & 1023]),
    cached: (i) => series.observe(String(i & 3), LABELS[i & 3], VALUES[i & 1023]),
  };
}

function run(observe) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OBSERVATIONS; i++) observe(i);
  return Number(process.hrtime.bigint() - started) / OBSERVATIONS;
}
