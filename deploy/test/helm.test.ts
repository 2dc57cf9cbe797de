/**
 * The Helm chart deploy/helm/orfeas as an operator meets it: `helm lint --strict`, and what
 * `helm template` renders with the default, GPU and DaemonSet values, every object checked
 * offline against the Kubernetes and prometheus-operator schemas, then read for what matters
 * (the alert rules and dashboard of the repository, GPU scheduling, the security context, the
 * probes, Secrets as files, the scrape's token and job label).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonSet, Deployment, type IDaemonSet, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  ConfigMap,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
  type IConfigMap,
  type IContainer,
  type IPersistentVolumeClaim,
  type IPodSpec,
  type ISecret,
  type IService,
} from 'kubernetes-models/v1';
import {
  PrometheusRule,
  ServiceMonitor,
  type IPrometheusRule,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CHART_DIR, CHART_FILES, REFRESH_COMMAND } from '../scripts/chart-files.mjs';
import { needs } from './support/needs.js';

const [ALERT_RULES, DASHBOARD] = CHART_FILES.map((file) => file.source) as [string, string];
const chart = parse(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };

/** Every kind the chart may render, by apiVersion/kind; any other kind fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** helm on PATH, or where `go install helm.sh/helm/v3/cmd/helm` puts it. */
function findHelm(): string | undefined {
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = ['helm', ...(gopath ? [path.join(gopath, 'bin', 'helm')] : []), path.join(os.homedir(), 'go', 'bin', 'helm')];
  return candidates.find((helm) => spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).status === 0);
}
const HELM = findHelm();
const needsHelm = (ctx: TestContext) => needs(ctx, HELM ? undefined : 'helm: go install helm.sh/helm/v3/cmd/helm@v3.22.0');

// A helm built by `go install` assumes Kubernetes v1.20, below the chart's kubeVersion.
const KUBE_VERSION = '1.31.0';

function helm(args: string[]): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(HELM!, args, { encoding: 'utf8', cwd: CHART_DIR });
  return { status: result.status, stdout: result.stdout, output: result.stdout + result.stderr };
}

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } };

const rendered = new Map<string, K8sObject[]>();
/** The objects `helm template` renders for release "orfeas" in namespace "gpu" with these arguments. */
function render(args: string[]): K8sObject[] {
  const key = args.join(' ');
  if (!rendered.has(key)) {
    const { status, stdout, output } = helm(['template', 'orfeas', '.', '--namespace', 'gpu', '--kube-version', KUBE_VERSION, ...args]);
    expect(status, output).toBe(0);
    const docs = parseAllDocuments(stdout);
    for (const doc of docs) expect(doc.errors, String(doc.errors)).toEqual([]);
    rendered.set(key, docs.map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null));
  }
  return rendered.get(key)!;
}

function only<T>(objects: K8sObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.map((o) => o.kind), `one ${kind}`).toEqual([kind]);
  return found[0] as T;
}
const workload = (objects: K8sObject[]) => objects.find((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet') as IDeployment | IDaemonSet;
const podSpec = (objects: K8sObject[]): IPodSpec => workload(objects).spec!.template.spec!;
const backend = (objects: K8sObject[]): IContainer => podSpec(objects).containers[0]!;
const env = (objects: K8sObject[]) => Object.fromEntries((backend(objects).env ?? []).map((v) => [v.name, v.value]));

/** The Secret name and key behind a file path the backend is told to read. */
function secretBehind(objects: K8sObject[], file: string) {
  const mount = backend(objects).volumeMounts!.find((m) => path.dirname(file) === m.mountPath);
  const volume = podSpec(objects).volumes!.find((v) => v.name === mount?.name);
  const item = volume?.secret?.items?.find((i) => i.path === path.basename(file));
  return { readOnly: mount?.readOnly, secretName: volume?.secret?.secretName, key: item?.key };
}

const GPU_VALUES = ['-f', 'ci/gpu-values.yaml'];
const DAEMONSET_VALUES = ['-f', 'ci/daemonset-values.yaml'];
const keysDir = mkdtempSync(path.join(os.tmpdir(), 'orfeas-helm-'));
const KEYS_FILE = path.join(keysDir, 'api-keys');
writeFileSync(KEYS_FILE, `ci sha256:${'ab'.repeat(32)}\n`);
const SET_FILE_VALUES = ['--set-file', `apiKeys.keysFile=${KEYS_FILE}`];
afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

const VALUES: [string, string[]][] = [
  ['the default values', []],
  ['ci/gpu-values.yaml', GPU_VALUES],
  ['ci/daemonset-values.yaml', DAEMONSET_VALUES],
  ['a keys file given with --set-file', SET_FILE_VALUES],
];

describe('the files the chart carries', () => {
  const copies = CHART_FILES.map((file) => ({ ...file, name: path.relative(CHART_DIR, file.copy) }));
  it.each(copies)('$name is the current copy of its source', ({ source, copy, name }) => {
    const same = readFileSync(copy, 'utf8') === readFileSync(source, 'utf8');
    expect(same, `${name} differs from ${source}: run ${REFRESH_COMMAND}`).toBe(true);
  });
});

describe('helm lint and schemas', () => {
  it.for(VALUES.slice(0, 3))('helm lint --strict passes with %s', ([, args], ctx) => {
    needsHelm(ctx);
    const { status, output } = helm(['lint', '.', '--strict', '--kube-version', KUBE_VERSION, ...args]);
    expect(status, output).toBe(0);
  });

  it.for(VALUES)('with %s, renders only known kinds, each valid against its schema', ([, args], ctx) => {
    needsHelm(ctx);
    const problems = render(args).map((object) => {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      if (!Model) return `${object.apiVersion} ${object.kind} ${object.metadata.name}: no schema for this kind`;
      try {
        new Model(object as never).validate();
        return undefined;
      } catch (err) {
        return `${object.kind} ${object.metadata.name}: ${(err as Error).message}`;
      }
    });
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it.for<[string, string[], string]>([
    ['a misspelt key', ['--set', 'gpu.enable=true'], "additional properties 'enable' not allowed"],
    ['a kind other than Deployment or DaemonSet', ['--set', 'kind=StatefulSet'], "'Deployment', 'DaemonSet'"],
    ['an existing Secret and a keys file at once', ['--set', 'apiKeys.existingSecret=keys', ...SET_FILE_VALUES], 'set existingSecret or keysFile, not both'],
  ])('refuses %s, saying why', ([, args, message], ctx) => {
    needsHelm(ctx);
    const { status, output } = helm(['template', 'orfeas', '.', '--kube-version', KUBE_VERSION, ...args]);
    expect(status).not.toBe(0);
    expect(output).toContain(message);
  });
});

describe('the backend with the default values', () => {
  it('is one Deployment replica, replaced with Recreate, on a ReadWriteOnce claim at /data', (ctx) => {
    needsHelm(ctx);
    const objects = render([]);
    const deployment = only<IDeployment>(objects, 'Deployment');
    expect(deployment.spec!.replicas).toBe(1);
    expect(deployment.spec!.strategy?.type).toBe('Recreate');
    const claim = only<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim');
    expect(claim.spec!.accessModes).toEqual(['ReadWriteOnce']);
    const data = backend(objects).volumeMounts!.find((m) => m.mountPath === '/data');
    expect(podSpec(objects).volumes!.find((v) => v.name === data?.name)?.persistentVolumeClaim?.claimName).toBe(claim.metadata!.name);
    expect(env(objects)).toMatchObject({ ORFEAS_DATA_DIR: '/data', PORT: '5000', NODE_ENV: 'production', ORFEAS_GPU: 'off' });
    expect(objects.map((o) => o.kind)).not.toContain('Secret');
  });

  it('runs non-root on a read-only root filesystem, writing only /data and /tmp, with no capability', (ctx) => {
    needsHelm(ctx);
    const objects = render([]);
    expect(podSpec(objects).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(backend(objects).securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const writable = backend(objects).volumeMounts!.filter((m) => !m.readOnly).map((m) => m.mountPath);
    expect(writable.sort()).toEqual(['/data', '/tmp']);
    expect(podSpec(objects).automountServiceAccountToken).toBe(false);
  });

  it('probes /health for liveness and /ready for readiness on the port the Service sends to', (ctx) => {
    needsHelm(ctx);
    const objects = render([]);
    const container = backend(objects);
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/health', port: 'http' });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/ready', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
    expect(only<IService>(objects, 'Service').spec!.ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('labels every object with the app.kubernetes.io labels, and selects the pods it labels', (ctx) => {
    needsHelm(ctx);
    const objects = render([]);
    for (const object of objects) {
      expect(object.metadata.labels, `${object.kind} ${object.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'orfeas',
        'app.kubernetes.io/instance': 'orfeas',
        'app.kubernetes.io/version': chart.appVersion,
        'app.kubernetes.io/component': expect.stringMatching(/^(backend|monitoring)$/),
        'app.kubernetes.io/part-of': 'orfeas',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': `orfeas-${chart.version}`,
      });
    }
    const podLabels = workload(objects).spec!.template.metadata!.labels!;
    const service = only<IService>(objects, 'Service');
    expect(podLabels).toMatchObject(service.spec!.selector!);
    expect(service.metadata!.labels).toMatchObject(only<IServiceMonitor>(objects, 'ServiceMonitor').spec.selector.matchLabels!);
  });
});

describe('the monitoring the chart ships', () => {
  it('has a PrometheusRule whose groups are those of monitoring/prometheus/alert_rules.yml', (ctx) => {
    needsHelm(ctx);
    const rule = only<IPrometheusRule>(render(GPU_VALUES), 'PrometheusRule');
    expect(rule.spec.groups).toEqual(parse(readFileSync(ALERT_RULES, 'utf8')).groups);
    // Prometheus' own template text reaches it untouched by Helm's.
    const gpuLost = rule.spec.groups!.flatMap((g) => g.rules ?? []).find((r) => r.alert === 'GpuLost');
    expect(gpuLost?.annotations?.summary).toBe('GPU {{ $labels.gpu }} on {{ $labels.instance }} was lost');
    expect(rule.metadata!.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  it('scrapes with the job label the alert rules select', (ctx) => {
    needsHelm(ctx);
    const jobs = new Set([...readFileSync(ALERT_RULES, 'utf8').matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
    expect(jobs.size, `jobs in the alert rules: ${[...jobs].join(', ')}`).toBe(1);
    const endpoint = only<IServiceMonitor>(render([]), 'ServiceMonitor').spec.endpoints[0]!;
    expect(endpoint).toMatchObject({ port: 'http', path: '/metrics' });
    expect(endpoint.relabelings).toContainEqual({ action: 'replace', targetLabel: 'job', replacement: [...jobs][0] });
    expect(endpoint.authorization).toBeUndefined();
  });

  it('sends the metrics token from the Secret the backend reads it from', (ctx) => {
    needsHelm(ctx);
    const objects = render(GPU_VALUES);
    const monitor = only<IServiceMonitor>(objects, 'ServiceMonitor');
    expect(monitor.spec.endpoints[0]!.authorization).toEqual({ type: 'Bearer', credentials: { name: 'orfeas-metrics-token', key: 'token' } });
    expect(secretBehind(objects, env(objects).METRICS_TOKEN_FILE!)).toEqual({ readOnly: true, secretName: 'orfeas-metrics-token', key: 'token' });
    expect(monitor.metadata!.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  it('has the dashboard of monitoring/grafana in a ConfigMap the Grafana sidecar picks up', (ctx) => {
    needsHelm(ctx);
    const configMap = only<IConfigMap>(render(GPU_VALUES), 'ConfigMap');
    expect(configMap.metadata!.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(configMap.metadata!.annotations).toEqual({ grafana_folder: 'ORFEAS' });
    expect(JSON.parse(configMap.data!['orfeas-dashboard.json']!)).toEqual(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    const relabelled = only<IConfigMap>(render(['--set', 'dashboard.label=orfeas_dashboards,dashboard.labelValue=yes']), 'ConfigMap');
    expect(relabelled.metadata!.labels).toMatchObject({ orfeas_dashboards: 'yes' });
    expect(relabelled.metadata!.labels).not.toHaveProperty('grafana_dashboard');
  });

  it('leaves out the Prometheus Operator objects where there is no Prometheus Operator', (ctx) => {
    needsHelm(ctx);
    const kinds = render(['--set', 'serviceMonitor.enabled=false,prometheusRule.enabled=false']).map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
  });
});

describe('GPU nodes, Secrets and settings', () => {
  it('requests an nvidia.com/gpu on a GPU node it tolerates, with GPU telemetry on', (ctx) => {
    needsHelm(ctx);
    const objects = render(GPU_VALUES);
    expect(backend(objects).resources?.limits).toMatchObject({ 'nvidia.com/gpu': 1 });
    expect(podSpec(objects).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(podSpec(objects).tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(podSpec(objects).runtimeClassName).toBe('nvidia');
    expect(env(objects).ORFEAS_GPU).toBe('auto');
    expect(backend(render([])).resources?.limits).not.toHaveProperty('nvidia.com/gpu');
    expect(podSpec(render([])).nodeSelector).toBeUndefined();
  });

  it('mounts the API keys and the metrics token as files and points the backend at them', (ctx) => {
    needsHelm(ctx);
    const objects = render(GPU_VALUES);
    const vars = env(objects);
    expect(secretBehind(objects, vars.ORFEAS_API_KEYS_FILE!)).toEqual({ readOnly: true, secretName: 'orfeas-api-keys', key: 'api-keys' });
    expect(secretBehind(objects, vars.METRICS_TOKEN_FILE!)).toEqual({ readOnly: true, secretName: 'orfeas-metrics-token', key: 'token' });
    expect(objects.map((o) => o.kind)).not.toContain('Secret');
  });

  it('makes the Secret from a keys file given at install, and restarts the backend when it changes', (ctx) => {
    needsHelm(ctx);
    const objects = render(SET_FILE_VALUES);
    const secret = only<ISecret>(objects, 'Secret');
    expect(Buffer.from(secret.data!['api-keys']!, 'base64').toString()).toBe(readFileSync(KEYS_FILE, 'utf8'));
    expect(secretBehind(objects, env(objects).ORFEAS_API_KEYS_FILE!)).toEqual({ readOnly: true, secretName: secret.metadata!.name, key: 'api-keys' });
    expect(workload(objects).spec!.template.metadata!.annotations?.['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes the settings to the backend as it reads them, numbers as whole numbers', (ctx) => {
    needsHelm(ctx);
    expect(env(render(GPU_VALUES))).toMatchObject({ ORFEAS_TRUST_PROXY: '1', ORFEAS_MIN_FREE_BYTES: '1073741824', ORFEAS_RETENTION: '30d' });
    const overridden = backend(render(['--set', 'env.ORFEAS_GPU=sim,env.ORFEAS_RATE_LIMIT=120'])).env!;
    expect(overridden.filter((v) => v.name === 'ORFEAS_GPU')).toEqual([{ name: 'ORFEAS_GPU', value: 'sim' }]);
    expect(overridden).toContainEqual({ name: 'ORFEAS_RATE_LIMIT', value: '120' });
  });
});

describe('kind: DaemonSet', () => {
  it('runs one backend per GPU node, each on its own data directory, each client kept on one', (ctx) => {
    needsHelm(ctx);
    const objects = render(DAEMONSET_VALUES);
    const kinds = objects.map((o) => o.kind);
    expect(kinds).toContain('DaemonSet');
    expect(kinds).not.toContain('Deployment');
    expect(kinds).not.toContain('PersistentVolumeClaim');
    const data = backend(objects).volumeMounts!.find((m) => m.mountPath === '/data');
    expect(podSpec(objects).volumes!.find((v) => v.name === data?.name)?.hostPath).toEqual({ path: '/var/lib/orfeas', type: 'Directory' });
    expect(backend(objects).resources?.limits).toMatchObject({ 'nvidia.com/gpu': 1 });
    expect(podSpec(objects).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(only<IService>(objects, 'Service').spec!.sessionAffinity).toBe('ClientIP');
    expect(only<IService>(render([]), 'Service').spec!.sessionAffinity).toBe('None');
  });
});
