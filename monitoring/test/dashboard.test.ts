/**
 * The Grafana dashboard: the committed JSON is what the generator makes, it has the rows and
 * variables the design asks for, its ranges are $__rate_interval, and every query parses as
 * PromQL (each one becomes a recording rule that `promtool check rules` must accept).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { metricOfSeries } from '@orfeas/metrics/catalog';
import { buildDashboard, renderDashboard } from '../dashboard/build-dashboard.mjs';
import { dashboardQueries, runnable } from '../dashboard/queries.mjs';
import { tempDir } from '../stack/processes.mjs';
import { DASHBOARD_JSON, MONITORING_DIR } from '../stack/paths.mjs';
import { haveTools } from './support/tools.js';
import { run } from './support/run.js';

const dashboard = buildDashboard();
const queries = dashboardQueries(dashboard);

describe('dashboard JSON', () => {
  it('is what dashboard/generate.mjs makes (run it after changing dashboard/)', () => {
    expect(readFileSync(DASHBOARD_JSON, 'utf8')).toBe(renderDashboard());
  });

  it('has the rows of the design, in order', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    expect(rows).toEqual([
      'Overview', 'Replicas', 'GPU', 'GPU health', 'GPU processes', 'HTTP', 'Generation', 'Generation cost', 'Pipeline stages', 'WebSocket',
      'Queue and cache', 'Quality', 'System',
    ]);
  });

  it('has the datasource, job, instance and gpu variables, and every panel uses the datasource variable', () => {
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'job', 'instance', 'gpu']);
    const datasource = parse(readFileSync(join(MONITORING_DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(dashboard.templating.list[0]?.current.value).toBe(datasource.datasources[0].uid);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource.uid).toBe('${datasource}');
  });

  it('selects every query on job and instance, and GPU queries on gpu', () => {
    for (const { panel, expr } of queries.filter((query) => !query.panel.startsWith('annotation') && !query.expr.includes('ALERTS'))) {
      expect(expr, panel).toContain('instance=~"$instance"');
      for (const [, name, matchers] of expr.matchAll(/(\w+)\{([^}]*)\}/g)) {
        if (metricOfSeries(name!)?.labels.includes('gpu')) expect(matchers, `${panel}: ${name}`).toContain('gpu=~"$gpu"');
      }
    }
  });

  it('uses $__rate_interval in every range selector', () => {
    const ranges = queries.flatMap(({ expr }) => [...expr.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]));
    expect(ranges.length).toBeGreaterThan(30);
    expect(new Set(ranges)).toEqual(new Set(['$__rate_interval']));
  });

  it('shows GPU utilization from the rate of busy seconds', () => {
    const gpuRowStart = dashboard.panels.findIndex((panel) => panel.title === 'GPU');
    const utilization = dashboard.panels.slice(gpuRowStart).find((panel) => panel.title.startsWith('Utilization'));
    expect(utilization?.targets[0].expr).toMatch(/^rate\(gpu_busy_seconds_total\{.*\}\[\$__rate_interval\]\)$/);
  });

  it('breaks the fleet down by instance in the Replicas row', () => {
    const start = dashboard.panels.findIndex((panel) => panel.title === 'Replicas');
    const end = dashboard.panels.findIndex((panel, i) => i > start && panel.type === 'row');
    const replicas = dashboard.panels.slice(start + 1, end);
    expect(replicas.map((panel) => panel.title)).toEqual(
      expect.arrayContaining(['Up by instance', 'Requests by instance', 'Job slots by instance', 'GPU utilization by instance', 'Queue store up by instance']),
    );
    for (const panel of replicas.filter((p) => p.title.endsWith('by instance'))) {
      expect(panel.targets.every((target: { legendFormat: string }) => target.legendFormat.includes('{{instance}}')), panel.title).toBe(true);
    }
  });

  it('lays panels out without overlap on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe.runIf(haveTools(['promtool']))('dashboard queries parse', () => {
  const work = tempDir('orfeas-dashboard-');
  afterAll(() => work.remove());

  it('every panel query is valid PromQL once variables are filled in', () => {
    const rules = queries.map((query, i) => ({ record: `dashboard:query_${i}`, expr: runnable(query.expr) }));
    const file = join(work.path, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const { status, output } = run('promtool', ['check', 'rules', file]);
    expect(status, output).toBe(0);
    expect(output).toContain(`${queries.length} rules found`);
  });
});
