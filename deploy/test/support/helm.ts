/**
 * helm for test/helm.test.ts: finding the binary, running it on the chart, and reading what
 * `helm template` renders as objects (the workloads, their pod spec, container and env).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { IDaemonSet, IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { expect, type TestContext } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR } from '../../scripts/chart-files.mjs';
import { needs } from './needs.js';

/** helm on PATH, or where `go install helm.sh/helm/v3/cmd/helm` puts it. */
function findHelm(): string | undefined {
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = ['helm', ...(gopath ? [path.join(gopath, 'bin', 'helm')] : []), path.join(os.homedir(), 'go', 'bin', 'helm')];
  return candidates.find((helm) => spawnSync(helm, ['version', '--short'], { encoding: 'utf8' }).status === 0);
}
const HELM = findHelm();
export const needsHelm = (ctx: TestContext) => needs(ctx, HELM ? undefined : 'helm: go install helm.sh/helm/v3/cmd/helm@v3.22.0');

// A helm built by `go install` assumes Kubernetes v1.20, below the chart's kubeVersion.
export const KUBE_VERSION = '1.31.0';

export function helm(args: string[]): { status: number | null; output: string; stdout: string } {
  const result = spawnSync(HELM!, args, { encoding: 'utf8', cwd: CHART_DIR });
  return { status: result.status, stdout: result.stdout, output: result.stdout + result.stderr };
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> } };
export type Workload = IDeployment | IDaemonSet;

const rendered = new Map<string, { objects: K8sObject[]; text: string }>();
/** `helm template` for release "orfeas" in namespace "gpu" with these arguments: the objects, and the text they came from. */
export function renderText(args: string[]): { objects: K8sObject[]; text: string } {
  const key = args.join(' ');
  if (!rendered.has(key)) {
    const { status, stdout, output } = helm(['template', 'orfeas', '.', '--namespace', 'gpu', '--kube-version', KUBE_VERSION, ...args]);
    expect(status, output).toBe(0);
    const docs = parseAllDocuments(stdout);
    for (const doc of docs) expect(doc.errors, String(doc.errors)).toEqual([]);
    const objects = docs.map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
    rendered.set(key, { objects, text: stdout });
  }
  return rendered.get(key)!;
}
export const render = (args: string[]): K8sObject[] => renderText(args).objects;

/** `helm template` that must fail: its exit status and what it said. */
export const renderFailure = (args: string[]) => helm(['template', 'orfeas', '.', '--kube-version', KUBE_VERSION, ...args]);

export function only<T>(objects: K8sObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.map((o) => o.kind), `one ${kind}`).toEqual([kind]);
  return found[0] as T;
}

const isWorkload = (o: K8sObject) => o.kind === 'Deployment' || o.kind === 'DaemonSet';
/** The one workload of the SQLite mode. */
export const workload = (objects: K8sObject[]) => objects.find(isWorkload) as Workload;
/** The workload of a Redis mode tier, by its app.kubernetes.io/component label. */
export function tier(objects: K8sObject[], component: 'api' | 'worker'): Workload {
  const found = objects.filter((o) => isWorkload(o) && o.metadata.labels?.['app.kubernetes.io/component'] === component);
  expect(found.map((o) => o.metadata.name), `one ${component} workload`).toHaveLength(1);
  return found[0] as Workload;
}

export const specOf = (w: Workload): IPodSpec => w.spec!.template.spec!;
export const containerOf = (w: Workload): IContainer => specOf(w).containers[0]!;
/** The plain variables of a workload's container, NAME -> value. */
export const envOf = (w: Workload) => Object.fromEntries((containerOf(w).env ?? []).map((v) => [v.name, v.value]));
export const podSpec = (objects: K8sObject[]) => specOf(workload(objects));
export const backend = (objects: K8sObject[]) => containerOf(workload(objects));
export const env = (objects: K8sObject[]) => envOf(workload(objects));

/** Whether a selector's matchLabels pick an object with these labels. */
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
