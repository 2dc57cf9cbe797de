#!/usr/bin/env node
/**
 * Writes grafana/dashboards/orfeas-dashboard.json from the catalog.
 * `node dashboard/generate.mjs` writes it; `--check` only reports whether it is up to date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDashboard } from './build-dashboard.mjs';

export const DASHBOARD_PATH = fileURLToPath(new URL('../grafana/dashboards/orfeas-dashboard.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = renderDashboard();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(DASHBOARD_PATH, 'utf8');
    if (committed !== json) {
      console.error(`${DASHBOARD_PATH} is out of date: run node monitoring/dashboard/generate.mjs`);
      process.exit(1);
    }
    console.log(`${DASHBOARD_PATH} is up to date`);
  } else {
    writeFileSync(DASHBOARD_PATH, json);
    console.log(`wrote ${DASHBOARD_PATH}`);
  }
}
