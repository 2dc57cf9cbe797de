/**
 * Alerts end to end: the backend with a simulated GPU at 98% utilization and 90 °C and a second
 * GPU that is lost, a burst of requests failing on an internal fault, the committed rules (with
 * `for` and windows shortened) in a real Prometheus, a real Alertmanager with the committed
 * routes and inhibit rules, and an SMTP server on loopback that receives the mails.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_BIN, PROMETHEUS_BIN, tempDir } from '../../stack/processes.mjs';
import { haveTools } from '../support/tools.js';
import { startBackend, type Backend } from './backend.js';
import { fastAlertRules, receiverAddresses, smtpUser, testAlertmanagerConfig } from './fast-rules.js';
import { startMailbox, type Mail, type Mailbox } from './mailbox.js';
import { startStack, type Stack } from './monitoring-stack.js';
import { alertsOf, eventually, type PromAlert } from './prometheus-api.js';
import { hotGpu } from './scenarios.js';
import { drawImage, submitImageTo3d, withUploadsBroken } from './traffic.js';
import { startWebhook } from './webhook.js';

interface AmAlert { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }

describe.runIf(haveTools([PROMETHEUS_BIN, ALERTMANAGER_BIN]))('alerts from a hot GPU, a lost GPU and failing requests', () => {
  const work = tempDir('orfeas-e2e-alerts-');
  let backend: Backend | undefined;
  let stack: Stack | undefined;
  let mailbox: Mailbox | undefined;
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;

  beforeAll(async () => {
    const password = randomBytes(12).toString('hex');
    const passwordFile = join(work.path, 'smtp-password');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    mailbox = await startMailbox({ user: smtpUser(), password });
    webhook = await startWebhook();
    const rules = join(work.path, 'alert_rules.yml');
    // BackendDown keeps a longer `for`: on a loaded machine a scrape can miss its 1 s timeout,
    // and a BackendDown fired by that would rightly inhibit every other alert of the instance.
    writeFileSync(rules, fastAlertRules({ forDuration: '2s', window: '20s', forOf: { BackendDown: '20s' } }));
    const alertmanagerConfig = join(work.path, 'alertmanager.yml');
    writeFileSync(alertmanagerConfig, testAlertmanagerConfig({ smtpPort: mailbox.port, passwordFile, webhookUrl: webhook.url }));
    backend = await startBackend({ NVML_SIM_SCENARIO: JSON.stringify(hotGpu), ORFEAS_GPU_INTERVAL_MS: '50', ORFEAS_RATE_LIMIT: '0' });
    stack = await startStack({ backend: backend.host, ruleFiles: [rules], alertmanagerConfig }).catch((error: Error) => {
      throw new Error(`${error.message}\nbackend output:\n${backend!.output()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await backend?.stop();
    await mailbox?.close();
    await webhook?.close();
    work.remove();
  }, 30_000);

  it('fires in Prometheus, routes, groups and inhibits in Alertmanager, and mails', async () => {
    const prometheus = stack!.prometheus;
    const instance = backend!.host;
    // Requests failing on an internal fault, spread over several scrapes so the 5xx counter
    // visibly rises.
    const image = await drawImage();
    const statuses = await withUploadsBroken(backend!.dataDir, async () => {
      const answered: number[] = [];
      for (let round = 0; round < 12; round++) {
        answered.push(...(await Promise.all([1, 2, 3].map(() => submitImageTo3d(backend!.url, image)))).map((r) => r.status));
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      return answered;
    });
    expect(new Set(statuses)).toEqual(new Set([500]));

    const key = (alert: { labels: Record<string, string> }) =>
      [alert.labels.alertname, alert.labels.gpu].filter(Boolean).join(' gpu ');
    const expected = ['GpuTemperatureHigh gpu 0', 'GpuUtilizationHigh gpu 0', 'GpuLost gpu 1', 'HighErrorRatio', 'GpuTelemetryStale gpu 1'];
    // The error ratio fires and resolves within its 20 s window, before the lost GPU's
    // telemetry turns stale: every alert seen firing at some point counts.
    const seen = new Set<string>();
    let firing: PromAlert[] = [];
    await eventually(
      async () => {
        firing = (await alertsOf(prometheus)).filter((alert) => alert.state === 'firing');
        for (const alert of firing) seen.add(key(alert));
        return expected.every((name) => seen.has(name)) ? true : undefined;
      },
      async () => {
        const targets = (await (await fetch(`${prometheus}/api/v1/targets`)).json()) as {
          data: { activeTargets: { scrapeUrl: string; lastError: string }[] };
        };
        const errors = targets.data.activeTargets.map((t) => `${t.scrapeUrl}: ${t.lastError || 'ok'}`);
        return `alerts ${expected.join(', ')} firing in Prometheus; seen firing: ${[...seen].join(', ') || 'none'}; targets: ${errors.join('; ')}; backend log:\n${backend!.output()}`;
      },
      90_000,
    );
    // Below the thresholds: GPU 1 was neither hot nor busy.
    expect([...seen]).not.toContain('GpuTemperatureHigh gpu 1');
    expect([...seen]).not.toContain('GpuUtilizationHigh gpu 1');

    // Alertmanager holds the stale-telemetry alert of the lost GPU as inhibited by GpuLost.
    const amAlerts = async () => (await (await fetch(`${stack!.alertmanager}/api/v2/alerts`)).json()) as AmAlert[];
    const stale = await eventually(
      async () => (await amAlerts()).find((alert) => key(alert) === 'GpuTelemetryStale gpu 1'),
      () => 'GpuTelemetryStale for GPU 1 in Alertmanager',
      20_000,
    );
    expect(stale.status.state).toBe('suppressed');
    expect(stale.status.inhibitedBy.length).toBeGreaterThan(0);

    // One mail per alert, instance and GPU, to the receiver of its severity.
    const subject = (alertname: string, severity: string, gpu?: string) =>
      `[FIRING:1] ${alertname} on ${instance}${gpu ? ` GPU ${gpu}` : ''} (${severity})`;
    const wanted = [
      { subject: subject('GpuTemperatureHigh', 'critical', '0'), to: receiverAddresses('email-critical'), says: 'GPU 0 is at 90 °C' },
      { subject: subject('GpuLost', 'critical', '1'), to: receiverAddresses('email-critical'), says: 'GPU 1 stopped answering NVML' },
      { subject: subject('HighErrorRatio', 'critical'), to: receiverAddresses('email-critical'), says: 'of HTTP requests answered 5xx' },
      { subject: subject('GpuUtilizationHigh', 'warning', '0'), to: receiverAddresses('email-warning'), says: 'GPU 0 has been 9' },
    ];
    const mailFor = (subjectLine: string) => mailbox!.mails.find((mail: Mail) => mail.subject === subjectLine);
    await eventually(
      () => Promise.resolve(wanted.every((mail) => mailFor(mail.subject)) ? true : undefined),
      () => `mails ${wanted.map((m) => m.subject).join(' | ')}; got: ${mailbox!.mails.map((m) => m.subject).join(' | ') || 'none'} (refused logins: ${mailbox!.refusedLogins})`,
      30_000,
    );
    for (const mail of wanted) {
      const got = mailFor(mail.subject)!;
      expect(got.to, mail.subject).toEqual(mail.to);
      expect(got.text, mail.subject).toContain(mail.says);
      expect(got.text, mail.subject).toContain('What to do:');
    }
    expect(mailbox!.refusedLogins).toBe(0);

    // Critical alerts also reached the webhook; warnings did not.
    const hooked = webhook!.notifications.flatMap((n) => n.alerts.map((alert) => alert.labels.alertname));
    expect(hooked).toEqual(expect.arrayContaining(['GpuTemperatureHigh', 'GpuLost', 'HighErrorRatio']));
    expect(hooked).not.toContain('GpuUtilizationHigh');

    // Inhibition holds: after a further group wait, still no mail about the lost GPU's telemetry.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(mailbox!.mails.map((mail) => mail.subject).filter((s) => s.includes('GpuTelemetryStale'))).toEqual([]);
  }, 180_000);
});
