/**
 * Copies the monitoring files the Helm chart ships into deploy/helm/orfeas/files/: Helm reads
 * no file outside the chart directory, and these stay the one source of truth
 * (the PrometheusRule is rendered from alert_rules.yml, the dashboard ConfigMap from the JSON).
 * `npm run chart-files -w @orfeas/deploy` refreshes the copies; test/helm.test.ts fails while
 * a copy differs from its source.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
const inRepo = (relative) => path.join(REPO_DIR, relative);

export const REFRESH_COMMAND = 'npm run chart-files -w @orfeas/deploy';
export const CHART_DIR = inRepo('deploy/helm/orfeas');

/** Each copy the chart carries, from its source in the repository. */
export const CHART_FILES = [
  { source: inRepo('monitoring/prometheus/alert_rules.yml'), copy: inRepo('deploy/helm/orfeas/files/alert_rules.yml') },
  { source: inRepo('monitoring/grafana/dashboards/orfeas-dashboard.json'), copy: inRepo('deploy/helm/orfeas/files/orfeas-dashboard.json') },
];

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const { source, copy } of CHART_FILES) {
    copyFileSync(source, copy);
    console.log(`${path.relative(REPO_DIR, copy)} <- ${path.relative(REPO_DIR, source)}`);
  }
}
