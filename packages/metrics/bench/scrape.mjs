/**
 * (c) /metrics serialization with the catalog populated: p50 over repeated scrapes, in the text
 * formats and in protobuf (with native histograms, and with classic buckets only).
 */
import { exposition } from '../dist/handler/exposition.js';
import { protobufExposition } from '../dist/handler/protobuf.js';
import { populatedMetrics } from './populate.mjs';
import { median, round, writeResult } from './result.mjs';

const SCRAPES = 100;

export async function benchScrape() {
  const { registry } = populatedMetrics();
  const classic = populatedMetrics({ nativeHistograms: false }).registry;
  const rows = [];
  const baseline = median(await timings(() => registry.metrics()));
  for (const format of ['prometheus', 'openmetrics']) {
    const p50 = median(await timings(() => exposition(registry, format)));
    rows.push({ case: `${format} p50`, value: round(p50), unit: 'ms', ratio: round(p50 / baseline), target: '< 10 ms', met: p50 < 10 });
  }
  const protobuf = median(await timings(() => protobufExposition(registry)));
  const protobufClassic = median(await timings(() => protobufExposition(classic)));
  rows.push({ case: 'protobuf with native histograms p50', value: round(protobuf), unit: 'ms', ratio: round(protobuf / baseline) });
  rows.push({ case: 'protobuf, classic buckets only, p50', value: round(protobufClassic), unit: 'ms', ratio: round(protobufClassic / baseline) });
  rows.push({ case: 'protobuf: native against classic only', value: round(protobuf / protobufClassic), unit: 'ratio', ratio: round(protobuf / protobufClassic) });
  const text = await exposition(registry, 'prometheus');
  const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  rows.push({ case: 'prom-client registry.metrics() p50 (baseline)', value: round(baseline), unit: 'ms', ratio: 1 });
  rows.push({ case: 'samples per scrape', value: series, unit: 'lines' });
  rows.push({ case: 'scrape size, text', value: round(text.length / 1024), unit: 'KiB' });
  rows.push({ case: 'scrape size, protobuf with native histograms', value: round((await protobufExposition(registry)).length / 1024), unit: 'KiB' });
  writeResult('metrics-scrape.json', {
    name: 'metrics-scrape',
    description: `Serializing a registry with every catalog family: 50 routes x 4 methods x 5 statuses of HTTP series, 8 GPUs of every GPU metric, prom-client defaults. p50 of ${SCRAPES} scrapes; ratio against prom-client's own registry.metrics() on the same registry. Protobuf is the format Prometheus asks for with native histograms on; "classic only" is the same registry built with nativeHistograms: false.`,
    rows,
  });
}

async function timings(scrape) {
  for (let i = 0; i < 10; i++) await scrape();
  const times = [];
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    await scrape();
    times.push(performance.now() - started);
  }
  return times;
}
