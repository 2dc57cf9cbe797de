/**
 * The committed inhibit rules in a real Alertmanager: alerts posted to its API the way
 * Prometheus posts them, then read back. A down backend silences the other alerts of its own
 * instance only; a lost GPU silences that GPU's other alerts only, but not its XID and ECC
 * alerts (the reason it was lost); a full disk silences the low-space warning of its own
 * instance only. In a fleet, a missing replica silences its own instance's alerts; no worker
 * silences its fleet's (job's) stall and backlog; Redis out of reach silences its fleet's
 * missing workers and stall; other fleets are untouched.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_BIN, freePort, startAlertmanager, tempDir } from '../stack/processes.mjs';
import { testAlertmanagerConfig } from './e2e/fast-rules.js';
import { eventually } from './e2e/prometheus-api.js';
import { haveTools } from './support/tools.js';

interface AmAlert { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }

describe.runIf(haveTools([ALERTMANAGER_BIN]))('inhibition in Alertmanager', () => {
  const work = tempDir('orfeas-inhibition-');
  let alertmanager: Awaited<ReturnType<typeof startAlertmanager>> | undefined;

  beforeAll(async () => {
    const passwordFile = join(work.path, 'smtp-password');
    writeFileSync(passwordFile, 'unused', { mode: 0o600 });
    const configPath = join(work.path, 'alertmanager.yml');
    // Nothing listens on these ports: only the alert states are read here, no notification.
    writeFileSync(configPath, testAlertmanagerConfig({ smtpPort: await freePort(), passwordFile, webhookUrl: `http://127.0.0.1:${await freePort()}/` }));
    alertmanager = await startAlertmanager({ configPath, port: await freePort(), dataDir: join(work.path, 'data') });
  }, 30_000);

  afterAll(async () => {
    await alertmanager?.stop();
    work.remove();
  });

  it('silences what a down backend or replica, a lost GPU, a full disk, a fleet without workers or Redis explains, and nothing else', async () => {
    const alert = (labels: Record<string, string>) => ({ labels: { job: 'orfeas-backend', ...labels }, annotations: { summary: labels.alertname } });
    const posted = [
      alert({ alertname: 'BackendDown', severity: 'critical', instance: 'a:5000' }),
      alert({ alertname: 'HighErrorRatio', severity: 'critical', instance: 'a:5000' }),
      alert({ alertname: 'HighErrorRatio', severity: 'critical', instance: 'b:5000' }),
      alert({ alertname: 'GpuLost', severity: 'critical', instance: 'b:5000', gpu: '1' }),
      alert({ alertname: 'GpuTemperatureHigh', severity: 'critical', instance: 'b:5000', gpu: '1' }),
      alert({ alertname: 'GpuTemperatureHigh', severity: 'critical', instance: 'b:5000', gpu: '0' }),
      alert({ alertname: 'GpuPcieReplaysRising', severity: 'warning', instance: 'b:5000', gpu: '1' }),
      alert({ alertname: 'GpuXidError', severity: 'critical', instance: 'b:5000', gpu: '1', xid: '79' }),
      alert({ alertname: 'GpuEccUncorrectable', severity: 'critical', instance: 'b:5000', gpu: '1', type: 'uncorrected' }),
      alert({ alertname: 'StorageExhausted', severity: 'critical', instance: 'b:5000' }),
      alert({ alertname: 'StorageLow', severity: 'warning', instance: 'b:5000' }),
      alert({ alertname: 'StorageLow', severity: 'warning', instance: 'c:5000' }),
      alert({ alertname: 'FleetReplicaMissing', severity: 'warning', instance: 'd:5000' }),
      alert({ alertname: 'EventLoopLagHigh', severity: 'warning', instance: 'd:5000' }),
      alert({ alertname: 'RedisUnreachable', severity: 'critical', job: 'orfeas-eu', instance: 'e:5000' }),
      alert({ alertname: 'FleetWorkersMissing', severity: 'critical', job: 'orfeas-eu' }),
      alert({ alertname: 'GenerationsStalled', severity: 'critical', job: 'orfeas-eu' }),
      alert({ alertname: 'FleetWorkersMissing', severity: 'critical', job: 'orfeas-us' }),
      alert({ alertname: 'GenerationsStalled', severity: 'critical', job: 'orfeas-us' }),
      alert({ alertname: 'JobQueueBacklog', severity: 'warning', job: 'orfeas-us' }),
      alert({ alertname: 'JobQueueBacklog', severity: 'warning', job: 'orfeas-ap' }),
    ];
    const response = await fetch(`${alertmanager!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(posted),
    });
    expect(response.status).toBe(200);

    const expected = {
      'BackendDown a:5000': 'active',
      'HighErrorRatio a:5000': 'suppressed',
      'HighErrorRatio b:5000': 'active',
      'GpuLost b:5000 1': 'active',
      'GpuTemperatureHigh b:5000 1': 'suppressed',
      'GpuTemperatureHigh b:5000 0': 'active',
      'GpuPcieReplaysRising b:5000 1': 'suppressed',
      'GpuXidError b:5000 1': 'active',
      'GpuEccUncorrectable b:5000 1': 'active',
      'StorageExhausted b:5000': 'active',
      'StorageLow b:5000': 'suppressed',
      'StorageLow c:5000': 'active',
      'FleetReplicaMissing d:5000': 'active',
      'EventLoopLagHigh d:5000': 'suppressed',
      'RedisUnreachable orfeas-eu e:5000': 'active',
      'FleetWorkersMissing orfeas-eu': 'suppressed',
      'GenerationsStalled orfeas-eu': 'suppressed',
      'FleetWorkersMissing orfeas-us': 'active',
      'GenerationsStalled orfeas-us': 'suppressed',
      'JobQueueBacklog orfeas-us': 'suppressed',
      'JobQueueBacklog orfeas-ap': 'active',
    };
    // Alertmanager works inhibition out as alerts arrive: read until it settles (or time runs out).
    let states: Record<string, string> = {};
    await eventually(
      async () => {
        const alerts = (await (await fetch(`${alertmanager!.url}/api/v2/alerts`)).json()) as AmAlert[];
        states = Object.fromEntries(
          alerts.map((a) => {
            const fleet = a.labels.job === 'orfeas-backend' ? undefined : a.labels.job;
            return [[a.labels.alertname, fleet, a.labels.instance, a.labels.gpu].filter(Boolean).join(' '), a.status.state];
          }),
        );
        const settledAsExpected = Object.keys(states).length === posted.length && Object.entries(expected).every(([key, state]) => states[key] === state);
        return settledAsExpected ? true : undefined;
      },
      () => `inhibition to settle; states now ${JSON.stringify(states)}`,
      10_000,
    ).catch(() => undefined);
    expect(states).toEqual(expected);
  });
});
