import { describe, expect, it } from 'vitest';
import { populateCatalog } from '../../test/populate.js';
import { createMetrics } from '../registry/create-metrics.js';
import { exposition } from './exposition.js';

/** Samples of a text exposition as `name{sorted labels}` -> value, and the TYPE lines. */
function parse(text: string) {
  const samples = new Map<string, string>();
  const types = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) types.add(line);
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable sample line: ${line}`);
    const labels = (match[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    samples.set(`${match[1]}{${labels.sort().join(',')}}`, match[3]!);
  }
  return { samples, types };
}

describe('exposition', () => {
  it('writes the same samples as prom-client, default labels and escaping included', async () => {
    const metrics = createMetrics({ defaultLabels: { service: 'backend' }, defaultMetrics: true });
    populateCatalog(metrics);
    for (const seconds of [0.003, 0.2, 0.2, 7, 42]) {
      metrics.http.requestDurationSeconds.observe({ method: 'GET', route: '/jobs/:id', status: '200' }, seconds);
    }
    metrics.errors.validationErrorsTotal.inc({ field: 'prompt "text"\\\n', error_type: 'too_long' });
    // Gauges read at scrape time (uptime, CPU, event loop) move between two scrapes; compare the rest.
    const moving = /^(app_uptime|system_cpu|system_memory|system_disk|process_|nodejs_)/;
    const ours = parse(await exposition(metrics.registry, 'prometheus'));
    const theirs = parse(await metrics.registry.metrics());
    const stable = (m: Map<string, string>) => new Map([...m].filter(([key]) => !moving.test(key)));
    expect(stable(ours.samples)).toEqual(stable(theirs.samples));
    expect([...ours.samples.keys()].sort()).toEqual([...theirs.samples.keys()].sort());
    expect(ours.types).toEqual(theirs.types);
  });

  it('names counter families without _total in OpenMetrics and ends with # EOF', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.cache.hitsTotal.inc({ cache_type: 'mesh' }, 2);
    const text = await exposition(metrics.registry, 'openmetrics');
    expect(text).toContain('# TYPE cache_hits counter\ncache_hits_total{cache_type="mesh"} 2\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(await exposition(metrics.registry, 'prometheus')).toContain('# TYPE cache_hits_total counter\n');
    // The catalog's help of metrics_label_overflow_total quotes "other": escaped in OpenMetrics only.
    expect(text).toContain('recorded as \\"other\\", by metric.');
    expect(await exposition(metrics.registry, 'prometheus')).toContain('recorded as "other", by metric.');
  });
});
