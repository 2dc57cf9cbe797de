/**
 * Every series named by an alert rule, a dashboard query or a dashboard variable is in the
 * allowed set (the catalog, prom-client's runtime metrics, Prometheus's own series), and the
 * name finder that checks this finds what it should.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalog, RUNTIME_METRIC_NAMES } from '@orfeas/metrics/catalog';
import { allowedSeries, disallowedSeries } from '../promql/allowed-series.mjs';
import { seriesNamesIn } from '../promql/series-names.mjs';
import { FLEET_WIDE_METRICS, fleetWideUncounted } from '../promql/fleet-wide.mjs';
import { buildDashboard } from '../dashboard/build-dashboard.mjs';
import { dashboardQueries } from '../dashboard/queries.mjs';
import { variableSelector } from '../dashboard/variables.mjs';
import { ALERT_RULES } from '../stack/paths.mjs';

const ruleExprs: { alert: string; expr: string }[] = parse(readFileSync(ALERT_RULES, 'utf8')).groups.flatMap(
  (group: { rules: { alert: string; expr: string }[] }) => group.rules,
);
const dashboard = buildDashboard();

describe('series names in PromQL', () => {
  it('finds selectors but not functions, keywords, labels, strings or variables', () => {
    const expr = `sum by (instance, job) (rate(http_requests_total{status=~"5..", route="up"}[$__rate_interval]))
      / ignoring (type) group_left (gpu) (gpu_memory_bytes{gpu=~"$gpu"} > 0)
      or label_replace(absent(up{job="x"}), "type", "image_to_3d", "", "") offset 5m
      unless on () time() - gpu_sampler_last_sample_timestamp_seconds > 1e3 and bool 0x1f`;
    expect(seriesNamesIn(expr)).toEqual(['http_requests_total', 'gpu_memory_bytes', 'up', 'gpu_sampler_last_sample_timestamp_seconds']);
  });

  it('finds histogram series and recording-rule style names', () => {
    expect(seriesNamesIn('histogram_quantile(0.95, sum by (le) (rate(x_duration_seconds_bucket[5m]))) + job:y:rate5m')).toEqual([
      'x_duration_seconds_bucket',
      'job:y:rate5m',
    ]);
  });

  it('reports a name outside the catalog', () => {
    expect(disallowedSeries(seriesNamesIn('rate(gpu_busy_seconds_totl[5m]) + node_load1'))).toEqual(['gpu_busy_seconds_totl', 'node_load1']);
  });

  it('allows histogram series, runtime metrics and Prometheus series, not node exporter', () => {
    for (const name of ['pipeline_stage_duration_seconds_bucket', 'quality_score_sum', RUNTIME_METRIC_NAMES[0], 'up', 'ALERTS']) {
      expect(allowedSeries.has(name), name).toBe(true);
    }
    expect(allowedSeries.has('pipeline_stage_duration_seconds')).toBe(false);
    expect(allowedSeries.has('node_cpu_seconds_total')).toBe(false);
  });
});

describe('names used by rules and the dashboard', () => {
  it.each(ruleExprs.map((rule) => [rule.alert, rule.expr]))('alert %s names only allowed series', (_, expr) => {
    const names = seriesNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(disallowedSeries(names)).toEqual([]);
  });

  it('every dashboard query names only allowed series', () => {
    const offending = dashboardQueries(dashboard)
      .map((query) => ({ ...query, bad: disallowedSeries(seriesNamesIn(query.expr)) }))
      .filter((query) => query.bad.length > 0 || seriesNamesIn(query.expr).length === 0);
    expect(offending).toEqual([]);
  });

  it('every variable query names only allowed series', () => {
    const selectors = dashboard.templating.list.filter((variable) => variable.type === 'query').map(variableSelector);
    expect(selectors).not.toContain(undefined);
    expect(disallowedSeries(selectors.flatMap((selector) => seriesNamesIn(selector!)))).toEqual([]);
  });

  it('the dashboard shows every catalog family', () => {
    const used = new Set(dashboardQueries(dashboard).flatMap((query) => seriesNamesIn(query.expr)));
    const families = Object.entries(catalog).filter(
      ([, metrics]) => !Object.values(metrics).some((metric) => [...used].some((name) => name.startsWith(metric.name))),
    );
    expect(families.map(([family]) => family)).toEqual([]);
  });
});

describe('fleet-wide series are counted once', () => {
  it('finds a fleet-wide series used without max without (instance, pod), and nothing else', () => {
    expect(fleetWideUncounted('sum by (job) (max without (instance, pod) (job_queue_size)) > 0')).toEqual([]);
    expect(fleetWideUncounted('sum by (job) (job_queue_size) + max without (instance, pod) (job_queue_workers{job="x"})')).toEqual(['job_queue_size']);
    expect(fleetWideUncounted('max by (job) (active_jobs) or sum(cache_entries)')).toEqual(['active_jobs', 'cache_entries']);
    expect(fleetWideUncounted('sum(job_queue_size_total) + job_slots')).toEqual([]);
  });

  it('names the queue and cache gauges of the catalog', () => {
    expect([...FLEET_WIDE_METRICS].sort()).toEqual(['active_jobs', 'cache_entries', 'job_queue_size', 'job_queue_workers']);
    expect(FLEET_WIDE_METRICS.every((name) => [...Object.values(catalog.queue), ...Object.values(catalog.cache)].some((metric) => metric.name === name))).toBe(true);
  });

  it.each(ruleExprs.map((rule) => [rule.alert, rule.expr]))('alert %s counts fleet-wide series once', (_, expr) => {
    expect(fleetWideUncounted(expr)).toEqual([]);
  });

  it('every dashboard query counts fleet-wide series once, and some use them', () => {
    const queries = dashboardQueries(dashboard);
    expect(queries.map((query) => ({ panel: query.panel, uncounted: fleetWideUncounted(query.expr) })).filter((q) => q.uncounted.length > 0)).toEqual([]);
    const used = new Set(queries.flatMap((query) => seriesNamesIn(query.expr)));
    expect(FLEET_WIDE_METRICS.filter((name) => !used.has(name))).toEqual([]);
  });
});
