/** (c) /metrics serialization with the catalog populated: p50 over repeated scrapes, both formats. */
import { exposition } from '../dist/index.js';
import { populatedMetrics } from './populate.mjs';
import { median, round, writeResult } from './result.mjs';

const SCRAPES = 100;

export async function benchScrape() {
  const { registry } = populatedMetrics();
  const rows = [];
  const baseline = await timings(() => registry.metrics());
  for (const format of ['prometheus', 'openmetrics']) {
    const times = await timings(() => exposition(registry, format));
    const p50 = median(times);
    rows.push({ case: `${format} p50`, value: round(p50), unit: 'ms', ratio: round(p50 / median(baseline)), target: '< 10 ms', met: p50 < 10 });
  }
  const text = await exposition(registry, 'prometheus');
  const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  rows.push({ case: 'prom-client registry.metrics() p50 (baseline)', value: round(median(baseline)), unit: 'ms', ratio: 1 });
  rows.push({ case: 'samples per scrape', value: series, unit: 'lines' });
  rows.push({ case: 'scrape size', value: round(text.length / 1024), unit: 'KiB' });
  writeResult('metrics-scrape.json', {
    name: 'metrics-scrape',
    description: `Serializing a registry with every catalog family: 50 routes x 4 methods x 5 statuses of HTTP series, 8 GPUs of every GPU metric, prom-client defaults. p50 of ${SCRAPES} scrapes; ratio against prom-client's own registry.metrics() on the same registry.`,
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
