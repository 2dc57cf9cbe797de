/** Where the monitoring configuration lives in the repository, as absolute paths. */
import { fileURLToPath } from 'node:url';

const at = (relative) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

export const MONITORING_DIR = at('.');
export const PROMETHEUS_CONFIG = at('prometheus/prometheus.yml');
export const ALERT_RULES = at('prometheus/alert_rules.yml');
export const ALERT_RULES_TEST = at('prometheus/alert_rules.test.yml');
export const ALERTMANAGER_CONFIG = at('alertmanager/alertmanager.yml');
export const ALERTMANAGER_TEMPLATES = at('alertmanager/templates');
export const DASHBOARD_JSON = at('grafana/dashboards/orfeas-dashboard.json');
export const COMPOSE_FILE = at('docker-compose-monitoring.yml');
