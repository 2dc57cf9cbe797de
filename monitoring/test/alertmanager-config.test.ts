/**
 * alertmanager.yml as Alertmanager sees it: `amtool check-config`, severity routing, the
 * templates rendering, the inhibit rules of the design, and no secret in the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTMANAGER_CONFIG, ALERTMANAGER_TEMPLATES } from '../stack/paths.mjs';
import { haveTools } from './support/tools.js';
import { run } from './support/run.js';

const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8'));

describe('alertmanager.yml', () => {
  it('groups by alert, job (a fleet), instance and GPU', () => {
    expect(config.route.group_by).toEqual(['alertname', 'job', 'instance', 'gpu']);
    for (const key of ['group_wait', 'group_interval', 'repeat_interval']) expect(config.route[key], key).toMatch(/^\d+[smh]$/);
  });

  it('reads the SMTP password from a file outside the repository and holds no secret', () => {
    expect(config.global.smtp_auth_password_file).toMatch(/^\/etc\//);
    expect(config.global.smtp_auth_password).toBeUndefined();
    expect(readFileSync(ALERTMANAGER_CONFIG, 'utf8')).not.toMatch(/password:|auth_secret|api_key/);
  });

  it('inhibits the alerts a down backend, a lost GPU, a full disk or a fleet without workers or Redis explain', () => {
    const inhibit = (source: string) => config.inhibit_rules.find((rule: { source_matchers: string[] }) => rule.source_matchers.includes(`alertname="${source}"`));
    const down = config.inhibit_rules.find((rule: { source_matchers: string[] }) => rule.source_matchers.includes('alertname=~"BackendDown|FleetReplicaMissing"'));
    expect(down?.equal).toEqual(['instance']);
    expect(inhibit('FleetWorkersMissing')?.equal).toEqual(['job']);
    expect(inhibit('RedisUnreachable')?.equal).toEqual(['job']);
    expect(inhibit('GpuLost')?.equal).toEqual(['instance', 'gpu']);
    expect(inhibit('StorageExhausted')?.target_matchers).toEqual(['alertname="StorageLow"']);
    expect(inhibit('StorageExhausted')?.equal).toEqual(['instance']);
  });
});

describe.runIf(haveTools(['amtool']))('amtool', () => {
  it('accepts the configuration and its templates', () => {
    const { status, output } = run('amtool', ['check-config', ALERTMANAGER_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(output).toContain('1 templates');
    expect(status, output).toBe(0);
  });

  it.each([
    [['severity=critical', 'alertname=GpuTemperatureHigh'], 'email-critical,webhook'],
    [['severity=warning', 'alertname=GpuUtilizationHigh'], 'email-warning'],
  ])('routes %j to %s', (labels, receivers) => {
    const { status, stdout, output } = run('amtool', ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_CONFIG}`, ...labels]);
    expect(status, output).toBe(0);
    expect(stdout.trim(), output).toBe(receivers);
  });

  it('renders the email templates', () => {
    const text = '{{ template "orfeas.email.subject" . }}|{{ template "orfeas.email.text" . }}|{{ template "orfeas.email.html" . }}';
    const { status, output } = run('amtool', ['template', 'render', `--template.glob=${ALERTMANAGER_TEMPLATES}/*.tmpl`, `--template.text=${text}`]);
    expect(status, output).toBe(0);
    expect(output).toContain('What to do:');
    expect(output).toContain('<html>');
  });
});
