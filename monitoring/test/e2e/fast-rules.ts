/**
 * Test copies of the committed configuration, sped up so alerts fire within seconds: the alert
 * rules with every `for`, range window and offset shortened (thresholds and expressions
 * otherwise untouched), and alertmanager.yml with the SMTP server, password file, webhook URL and group
 * timings of the test (routes, receivers and inhibit rules untouched).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALERT_RULES, ALERTMANAGER_CONFIG, ALERTMANAGER_TEMPLATES } from '../../stack/paths.mjs';

interface Rule { alert?: string; expr: string; for?: string }

export function fastAlertRules(options: { forDuration: string; window: string; forOf?: Record<string, string> }): string {
  const { forDuration, window, forOf = {} } = options;
  const rules = parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    if (rule.for) rule.for = (rule.alert && forOf[rule.alert]) ?? forDuration;
    // An offset goes with the window (GpuXidError looks back as far as its increase() does).
    rule.expr = rule.expr.replace(/\[\d+[smh]\]/g, `[${window}]`).replace(/\boffset \d+[smh]\b/g, `offset ${window}`);
  }
  return stringify(rules);
}

interface Route { group_wait?: string; group_interval?: string; routes?: Route[] }

export function testAlertmanagerConfig(options: { smtpPort: number; passwordFile: string; webhookUrl: string }): string {
  const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8'));
  config.global.smtp_smarthost = `127.0.0.1:${options.smtpPort}`;
  config.global.smtp_require_tls = false;
  config.global.smtp_auth_password_file = options.passwordFile;
  config.templates = [join(ALERTMANAGER_TEMPLATES, '*.tmpl')];
  const speedUp = (route: Route) => {
    if (route.group_wait) route.group_wait = '1s';
    if (route.group_interval) route.group_interval = '5s';
    route.routes?.forEach(speedUp);
  };
  speedUp(config.route);
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) webhook.url = options.webhookUrl;
  }
  return stringify(config);
}

/** The addresses a receiver of the committed configuration mails. */
export function receiverAddresses(name: string): string[] {
  const config = parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8'));
  const receiver = config.receivers.find((r: { name: string }) => r.name === name);
  if (!receiver) throw new Error(`alertmanager.yml has no receiver ${name}`);
  return receiver.email_configs.map((email: { to: string }) => email.to);
}

/** The SMTP user of the committed configuration. */
export const smtpUser = (): string => parse(readFileSync(ALERTMANAGER_CONFIG, 'utf8')).global.smtp_auth_username;
