/**
 * prometheus.yml and alert_rules.yml as Prometheus sees them: `promtool check config`,
 * `promtool check rules`, the unit tests of alert_rules.test.yml, and a check that those unit
 * tests cover every alert (each severity of it) both firing and silent.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GPU_CRITICAL_XIDS } from '@orfeas/metrics/catalog';
import { ALERT_RULES, ALERT_RULES_TEST, PROMETHEUS_CONFIG } from '../stack/paths.mjs';
import { haveTools } from './support/tools.js';
import { run } from './support/run.js';

interface Rule { alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface AlertTest { alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }

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
        'EventLoopLagHigh', 'StorageLow', 'StorageExhausted', 'GpuXidError', 'GpuEccUncorrectable', 'GpuPcieReplaysRising',
        'FleetReplicaMissing', 'FleetWorkersMissing', 'RedisUnreachable',
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

  it('fires GpuXidError critical for exactly the catalog\'s GPU_CRITICAL_XIDS, warning for the rest', () => {
    const xidRules = alerts.filter((rule) => rule.alert === 'GpuXidError');
    const matchers = (rule: Rule | undefined) => [...(rule?.expr.matchAll(/xid(=~|!~)"([^"]*)"/g) ?? [])].map(([, op, list]) => `${op}${list}`);
    const critical = xidRules.find((rule) => rule.labels?.severity === 'critical');
    const warning = xidRules.find((rule) => rule.labels?.severity === 'warning');
    expect(xidRules).toHaveLength(2);
    expect(new Set(matchers(critical))).toEqual(new Set([`=~${GPU_CRITICAL_XIDS.join('|')}`]));
    expect(new Set(matchers(warning))).toEqual(new Set([`!~${GPU_CRITICAL_XIDS.join('|')}`]));
    // The runbook names what each critical XID means, with the catalog's source.
    expect(critical?.annotations?.runbook).toContain('docs.nvidia.com/deploy/xid-errors');
    const named = new Set(critical?.annotations?.runbook?.match(/\b\d+\b/g));
    expect(GPU_CRITICAL_XIDS.filter((xid) => !named.has(xid))).toEqual([]);
  });

  // An alert with two severities (GpuXidError) is shown firing at each of them.
  it.each(alerts.map((rule) => [`${rule.alert} (${rule.labels?.severity})`, rule] as const))('%s is unit-tested firing and silent', (name, rule) => {
    const tests = alertTests.filter((test) => test.alertname === rule.alert);
    const fires = (test: AlertTest) => test.exp_alerts.some((alert) => alert.exp_labels?.severity === rule.labels?.severity);
    expect(tests.some(fires), `${name} is never shown firing`).toBe(true);
    expect(tests.some((test) => test.exp_alerts.length === 0), `${name} is never shown silent`).toBe(true);
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
