/**
 * The Helm chart deploy/helm/orfeas as an operator meets it: `helm lint --strict`, and what
 * `helm template` renders with the default, GPU, DaemonSet and Redis mode values, every object
 * checked offline against the Kubernetes and prometheus-operator schemas, then read for what
 * matters (the alert rules and dashboard of the repository, GPU scheduling, the security
 * context, the probes, Secrets as files, the scrape's token and job label, and the Redis mode's
 * two tiers, its Secret, shared claim and scrape targets).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DaemonSet, Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  ConfigMap,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
  type IConfigMap,
  type IPersistentVolumeClaim,
  type ISecret,
  type IService,
} from 'kubernetes-models/v1';
import {
  PrometheusRule,
  ServiceMonitor,
  type IPrometheusRule,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, CHART_FILES, REFRESH_COMMAND } from '../scripts/chart-files.mjs';
import {
  KUBE_VERSION,
  backend,
  containerOf,
  env,
  envOf,
  helm,
  needsHelm,
  only,
  podSpec,
  render,
  renderFailure,
  renderText,
  selects,
  specOf,
  tier,
  workload,
  type K8sObject,
  type Workload,
} from './support/helm.js';

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

// The Redis mode: the example values (existing Secret, GPU worker DaemonSet), and a URL given
// at install with worker Deployments.
const REDIS_VALUES = ['-f', 'ci/redis-values.yaml'];
const REDIS_URL = 'redis://orfeas:s3cret@redis.redis.svc:6379/0';
const REDIS_URL_VALUES = ['--set', `redis.enabled=true,redis.url=${REDIS_URL},api.replicas=3,worker.replicas=4,worker.jobSlots=3`];

const VALUES: [string, string[]][] = [
  ['the default values', []],
  ['ci/gpu-values.yaml', GPU_VALUES],
  ['ci/daemonset-values.yaml', DAEMONSET_VALUES],
  ['a keys file given with --set-file', SET_FILE_VALUES],
  ['ci/redis-values.yaml', REDIS_VALUES],
  ['the Redis mode with a URL given at install', REDIS_URL_VALUES],
];

describe('the files the chart carries', () => {
  const copies = CHART_FILES.map((file) => ({ ...file, name: path.relative(CHART_DIR, file.copy) }));
  it.each(copies)('$name is the current copy of its source', ({ source, copy, name }) => {
    const same = readFileSync(copy, 'utf8') === readFileSync(source, 'utf8');
    expect(same, `${name} differs from ${source}: run ${REFRESH_COMMAND}`).toBe(true);
  });
});

describe('helm lint and schemas', () => {
  it.for(VALUES.filter(([, args]) => args !== SET_FILE_VALUES))('helm lint --strict passes with %s', ([, args], ctx) => {
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
    const { status, output } = renderFailure(args);
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

describe('the Redis mode', () => {
  const pvcClaim = (w: Workload) => {
    const data = containerOf(w).volumeMounts!.find((m) => m.mountPath === '/data');
    return specOf(w).volumes!.find((v) => v.name === data?.name)?.persistentVolumeClaim?.claimName;
  };
  const podLabels = (w: Workload) => w.spec!.template.metadata!.labels!;
  const services = (objects: K8sObject[]) => objects.filter((o): o is K8sObject & IService => o.kind === 'Service');

  it('runs an API Deployment and a worker Deployment of their replicas, each selecting only its own pods', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_URL_VALUES);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['orfeas-api', 'orfeas-worker']);
    expect(objects.map((o) => o.kind)).not.toContain('DaemonSet');
    const [api, worker] = [tier(objects, 'api'), tier(objects, 'worker')] as IDeployment[];
    expect(api!.spec!.replicas).toBe(3);
    expect(worker!.spec!.replicas).toBe(4);
    // Several pods on shared state: rolling updates, never the SQLite mode's Recreate.
    expect(api!.spec!.strategy?.type).not.toBe('Recreate');
    expect(worker!.spec!.strategy?.type).not.toBe('Recreate');
    expect(selects(api!.spec!.selector.matchLabels, podLabels(api!))).toBe(true);
    expect(selects(api!.spec!.selector.matchLabels, podLabels(worker!))).toBe(false);
    expect(selects(worker!.spec!.selector.matchLabels, podLabels(worker!))).toBe(true);
    expect(selects(worker!.spec!.selector.matchLabels, podLabels(api!))).toBe(false);
  });

  it('runs a worker on every GPU node with worker.kind DaemonSet', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_VALUES);
    const worker = tier(objects, 'worker');
    expect(worker.kind).toBe('DaemonSet');
    expect(tier(objects, 'api').kind).toBe('Deployment');
    expect((tier(objects, 'api') as IDeployment).spec!.replicas).toBe(3);
    expect(specOf(worker).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
  });

  it('gives each tier its role: ORFEAS_WORKERS=0 on the API, ORFEAS_API=off and the job slots on the workers, whatever env says', (ctx) => {
    needsHelm(ctx);
    const objects = render([...REDIS_URL_VALUES, '--set', 'env.ORFEAS_WORKERS=9,env.ORFEAS_API=off,config.workerConcurrency=5']);
    const [api, worker] = [envOf(tier(objects, 'api')), envOf(tier(objects, 'worker'))];
    expect(api).toMatchObject({ ORFEAS_WORKERS: '0', ORFEAS_DATA_DIR: '/data', ORFEAS_REDIS_PREFIX: 'orfeas', PORT: '5000' });
    expect(api).not.toHaveProperty('ORFEAS_API');
    expect(worker).toMatchObject({ ORFEAS_API: 'off', ORFEAS_WORKERS: '3', ORFEAS_DATA_DIR: '/data', ORFEAS_REDIS_PREFIX: 'orfeas', PORT: '5000' });
    // The job slots are ORFEAS_WORKERS, which the backend reads before WORKER_CONCURRENCY.
    expect(api).not.toHaveProperty('WORKER_CONCURRENCY');
    expect(worker).not.toHaveProperty('WORKER_CONCURRENCY');
    const example = render(REDIS_VALUES);
    expect(envOf(tier(example, 'worker'))).toMatchObject({ ORFEAS_WORKERS: '4', ORFEAS_REDIS_PREFIX: 'orfeas-prod' });
    expect(envOf(tier(render([...REDIS_URL_VALUES, '--set', 'redis.jobLockMs=15000']), 'worker')).ORFEAS_JOB_LOCK_MS).toBe('15000');
  });

  it('hands both tiers the Redis URL only from a Secret, the chart\'s when the URL was given at install', (ctx) => {
    needsHelm(ctx);
    const { objects, text } = renderText(REDIS_URL_VALUES);
    const secret = only<ISecret>(objects, 'Secret');
    expect(Buffer.from(secret.data!['redis-url']!, 'base64').toString()).toBe(REDIS_URL);
    // Nowhere in plain text: not in a variable, an annotation or a ConfigMap.
    expect(text).not.toContain(REDIS_URL);
    expect(text).not.toContain('s3cret');
    for (const w of [tier(objects, 'api'), tier(objects, 'worker')]) {
      const vars = containerOf(w).env!.filter((v) => v.name === 'ORFEAS_REDIS_URL');
      expect(vars, w.metadata!.name).toEqual([{ name: 'ORFEAS_REDIS_URL', valueFrom: { secretKeyRef: { name: secret.metadata!.name, key: 'redis-url' } } }]);
      // A new URL restarts the pods, which read it at start.
      expect(w.spec!.template.metadata!.annotations?.['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    }
    const example = render(REDIS_VALUES);
    expect(example.map((o) => o.kind)).not.toContain('Secret');
    for (const w of [tier(example, 'api'), tier(example, 'worker')]) {
      expect(containerOf(w).env).toContainEqual({ name: 'ORFEAS_REDIS_URL', valueFrom: { secretKeyRef: { name: 'orfeas-redis', key: 'redis-url' } } });
    }
  });

  it('mounts one ReadWriteMany claim at /data in every pod of both tiers', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_VALUES);
    const claim = only<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-client', resources: { requests: { storage: '500Gi' } } });
    expect(pvcClaim(tier(objects, 'api'))).toBe(claim.metadata!.name);
    expect(pvcClaim(tier(objects, 'worker'))).toBe(claim.metadata!.name);
    // The SQLite mode's ReadWriteOnce claim is not made beside it.
    expect(claim.metadata!.name).not.toBe('orfeas');

    const existing = render([...REDIS_URL_VALUES, '--set', 'sharedStorage.existingClaim=orfeas-nfs']);
    expect(existing.map((o) => o.kind)).not.toContain('PersistentVolumeClaim');
    expect([pvcClaim(tier(existing, 'api')), pvcClaim(tier(existing, 'worker'))]).toEqual(['orfeas-nfs', 'orfeas-nfs']);
  });

  it('puts the workers on GPU nodes with a GPU each, and the API tier on none', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_VALUES);
    const [api, worker] = [tier(objects, 'api'), tier(objects, 'worker')];
    expect(containerOf(worker).resources?.limits).toMatchObject({ 'nvidia.com/gpu': 1 });
    expect(specOf(worker).tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(specOf(worker).runtimeClassName).toBe('nvidia');
    expect(envOf(worker).ORFEAS_GPU).toBe('auto');
    expect(containerOf(api).resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } });
    expect(specOf(api).nodeSelector).toBeUndefined();
    expect(specOf(api).tolerations).toBeUndefined();
    expect(specOf(api).runtimeClassName).toBeUndefined();
    expect(envOf(api).ORFEAS_GPU).toBe('off');

    const placed = render([...REDIS_VALUES, '--set', 'worker.nodeSelector.pool=a100,worker.resources.limits.memory=16Gi,api.nodeSelector.pool=cpu']);
    expect(specOf(tier(placed, 'worker')).nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true', pool: 'a100' });
    expect(containerOf(tier(placed, 'worker')).resources?.limits).toEqual({ memory: '16Gi', 'nvidia.com/gpu': 1 });
    expect(specOf(tier(placed, 'api')).nodeSelector).toEqual({ pool: 'cpu' });
  });

  it('probes /health and /ready on both tiers, on the port the Services send to', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_URL_VALUES);
    for (const w of [tier(objects, 'api'), tier(objects, 'worker')]) {
      const container = containerOf(w);
      expect(container.livenessProbe?.httpGet, w.metadata!.name).toMatchObject({ path: '/health', port: 'http' });
      expect(container.readinessProbe?.httpGet, w.metadata!.name).toMatchObject({ path: '/ready', port: 'http' });
      expect(container.ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
    }
    for (const service of services(objects)) expect(service.spec!.ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('sends users to the API tier only, with each client kept on one replica', (ctx) => {
    needsHelm(ctx);
    const objects = render(REDIS_URL_VALUES);
    const users = services(objects).find((s) => s.metadata.name === 'orfeas')!;
    expect(selects(users.spec!.selector, podLabels(tier(objects, 'api')))).toBe(true);
    expect(selects(users.spec!.selector, podLabels(tier(objects, 'worker')))).toBe(false);
    expect(users.spec!.sessionAffinity).toBe('ClientIP');
  });

  it('scrapes every replica of both tiers as its own target, all with one job and one service label', (ctx) => {
    needsHelm(ctx);
    for (const args of [REDIS_URL_VALUES, REDIS_VALUES]) {
      const objects = render(args);
      const monitor = only<IServiceMonitor>(objects, 'ServiceMonitor');
      // One Service behind the ServiceMonitor, so no pod is scraped twice and the fleet-wide
      // values folded by max without (instance, pod) are not split by a service label.
      const scraped = services(objects).filter((s) => selects(monitor.spec.selector.matchLabels, s.metadata.labels));
      expect(scraped.map((s) => s.metadata.name)).toEqual(['orfeas-metrics']);
      const metrics = scraped[0]!;
      expect(selects(metrics.spec!.selector, podLabels(tier(objects, 'api')))).toBe(true);
      expect(selects(metrics.spec!.selector, podLabels(tier(objects, 'worker')))).toBe(true);
      // Headless: its endpoints are the pods themselves, each one target with its own instance
      // and pod labels; a pod failing /ready (Redis down) is still scraped.
      expect(metrics.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
      const endpoint = monitor.spec.endpoints[0]!;
      expect(endpoint).toMatchObject({ port: 'http', path: '/metrics' });
      expect(metrics.spec!.ports!.map((p) => p.name)).toContain(endpoint.port);
      expect(endpoint.relabelings).toContainEqual({ action: 'replace', targetLabel: 'job', replacement: 'orfeas-backend' });
      expect(endpoint.relabelings?.map((r) => r.targetLabel)).not.toContain('instance');
    }
    const withToken = only<IServiceMonitor>(render(REDIS_VALUES), 'ServiceMonitor');
    expect(withToken.spec.endpoints[0]!.authorization).toEqual({ type: 'Bearer', credentials: { name: 'orfeas-metrics-token', key: 'token' } });
  });

  it('leaves the default render as it was: one backend on SQLite, no Redis', (ctx) => {
    needsHelm(ctx);
    const objects = render([]);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['orfeas']);
    expect(backend(objects).env!.map((v) => v.name).filter((name) => /^ORFEAS_(REDIS|WORKERS|API$|JOB_LOCK)/.test(name))).toEqual([]);
    expect(services(objects).map((s) => s.metadata.name)).toEqual(['orfeas']);
    expect(only<IPersistentVolumeClaim>(objects, 'PersistentVolumeClaim').spec!.accessModes).toEqual(['ReadWriteOnce']);
  });

  it.for<[string, string[], string]>([
    ['redis.enabled without a URL or Secret', ['--set', 'redis.enabled=true'], 'redis.enabled=true needs the Redis URL: set redis.existingSecret'],
    ['a URL and an existing Secret at once', ['--set', 'redis.enabled=true,redis.url=redis://r:6379,redis.existingSecret=s'], 'redis: set existingSecret or url, not both'],
    ['a URL without redis.enabled', ['--set', 'redis.url=redis://r:6379'], 'redis.url is set but redis.enabled is false'],
    ['a URL that is not redis:// or rediss://', ['--set', 'redis.enabled=true,redis.url=http://r:6379'], "at '/redis/url'"],
    ['the Redis URL as a plain variable', ['--set', 'env.ORFEAS_REDIS_URL=redis://r:6379'], 'env.ORFEAS_REDIS_URL: the Redis URL (it may hold a password) is never a plain variable'],
    ['the SQLite DaemonSet in the Redis mode', [...REDIS_URL_VALUES, '--set', 'kind=DaemonSet'], 'with redis.enabled the API tier is a Deployment and the workers are set by worker.kind=DaemonSet'],
    [
      'a ReadWriteOnce shared volume under several pods',
      [...REDIS_URL_VALUES, '--set', 'sharedStorage.accessMode=ReadWriteOnce'],
      'sharedStorage.accessMode=ReadWriteOnce: the shared data directory is mounted by every pod of both tiers (api.replicas 3, worker.replicas 4), on different nodes; it must be ReadWriteMany',
    ],
    [
      'a ReadWriteOncePod shared volume under a worker DaemonSet',
      [...REDIS_VALUES, '--set', 'api.replicas=1,sharedStorage.accessMode=ReadWriteOncePod'],
      'sharedStorage.accessMode=ReadWriteOncePod: the shared data directory is mounted by every pod of both tiers (api.replicas 1, a worker DaemonSet pod on every selected node)',
    ],
  ])('refuses %s, saying why', ([, args, message], ctx) => {
    needsHelm(ctx);
    const { status, output } = renderFailure(args);
    expect(status).not.toBe(0);
    expect(output).toContain(message);
  });
});
