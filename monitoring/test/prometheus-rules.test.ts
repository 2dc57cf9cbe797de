/**
 * prometheus.yml and alert_rules.yml as Prometheus sees them: `promtool check config`,
 * `promtool check rules`, the unit tests of alert_rules.test.yml, and a check that those unit
 * tests cover every alert both firing and silent.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_RULES, ALERT_RULES_TEST, PROMETHEUS_CONFIG } from '../stack/paths.mjs';
import { haveTools } from './support/tools.js';
import { run } from './support/run.js';

interface Rule { alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface AlertTest { alertname: string; exp_alerts: unknown[] }

const rules: Rule[] = parse(readFileSync(ALERT_RULES, 'utf8')).groups.flatMap((group: { rules: Rule[] }) => group.rules);
const alerts = rules.filter((rule) => rule.alert);
const alertTests: AlertTest[] = parse(readFileSync(ALERT_RULES_TEST, 'utf8')).tests.flatMap(
  (test: { alert_rule_test?: AlertTest[] }) => test.alert_rule_test ?? [],
);

describe('alert rules', () => {
  it('has the alerts the issue asks for', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'GpuUtilizationHigh', 'GpuTemperatureHigh', 'GpuMemoryHigh', 'GpuLost', 'GpuSamplerDown',
        'GpuTelemetryStale', 'GpuThrottling', 'HighErrorRatio', 'BackendDown', 'GenerationsStalled',
        'JobQueueBacklog', 'GenerationSlow', 'PipelineStageFailing', 'WebSocketErrorsHigh', 'QualityDrop',
        'EventLoopLagHigh', 'StorageLow', 'StorageExhausted',
      ]),
    );
  });

  it.each(alerts.map((rule) => [rule.alert, rule] as const))('%s has severity, summary, description with the value, runbook', (_, rule) => {
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toContain('$value');
    expect(rule.annotations?.runbook).toBeTruthy();
  });

  it('takes GPU utilization from the rate of busy seconds, not the gauge', () => {
    const utilization = alerts.find((rule) => rule.alert === 'GpuUtilizationHigh');
    expect(utilization?.expr).toMatch(/rate\(gpu_busy_seconds_total\[5m\]\)/);
  });

  it.each(alerts.map((rule) => [rule.alert]))('%s is unit-tested firing and silent', (alert) => {
    const tests = alertTests.filter((test) => test.alertname === alert);
    expect(tests.some((test) => test.exp_alerts.length > 0), `${alert} is never shown firing`).toBe(true);
    expect(tests.some((test) => test.exp_alerts.length === 0), `${alert} is never shown silent`).toBe(true);
  });
});

describe.runIf(haveTools(['promtool']))('promtool', () => {
  it('accepts prometheus.yml and the rule file it names', () => {
    const { status, output } = run('promtool', ['check', 'config', PROMETHEUS_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });

  it('accepts alert_rules.yml', () => {
    const { status, output } = run('promtool', ['check', 'rules', ALERT_RULES]);
    expect(output).toContain(`${alerts.length} rules found`);
    expect(status, output).toBe(0);
  });

  it('passes the unit tests in alert_rules.test.yml', () => {
    const { status, output } = run('promtool', ['test', 'rules', ALERT_RULES_TEST], dirname(ALERT_RULES_TEST));
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});
