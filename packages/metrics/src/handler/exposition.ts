/**
 * The text exposition of a registry in a format chosen per scrape, without touching the
 * registry: prom-client's own OpenMetrics path reads the registry's process-wide content type
 * and renames counters in place (it strips `_total` from `metric.name`), so a shared registry
 * cannot be flipped for one scrape while another is being served.
 */
import { Registry, type RegistryContentType } from 'prom-client';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** The registry's metrics in the given format; the registry's own serializer when it matches. */
export async function exposition(registry: Registry<RegistryContentType>, format: ExpositionFormat): Promise<string> {
  if (registry.contentType === CONTENT_TYPES[format]) return registry.metrics();
  const families = await registry.getMetricsAsJSON();
  const text = (families as unknown as Family[]).map((family) => familyText(family, format)).join('\n');
  return format === 'openmetrics' ? `${text}\n# EOF\n` : `${text}\n`;
}

interface Sample {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
}
interface Family {
  name: string;
  help: string;
  type: string;
  values: Sample[];
}

function familyText(family: Family, format: ExpositionFormat): string {
  // A counter family is `x` in OpenMetrics and `x_total` in the Prometheus format; its samples
  // are `x_total` in both. The name may arrive either way: prom-client strips `_total` in place
  // once a registry has served OpenMetrics itself.
  const counter = family.type === 'counter';
  const base = counter ? family.name.replace(/_total$/, '') : family.name;
  const familyName = counter && format === 'prometheus' ? `${base}_total` : base;
  const lines = [`# HELP ${familyName} ${escapeHelp(family.help)}`, `# TYPE ${familyName} ${family.type}`];
  for (const sample of family.values) {
    const name = counter ? `${base}_total` : (sample.metricName ?? family.name);
    lines.push(`${name}${labelText(sample.labels)} ${valueText(sample.value)}`);
  }
  return lines.join('\n');
}

function labelText(labels: Partial<Record<string, string | number>>): string {
  let text = '';
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined) continue;
    text += `${text === '' ? '' : ','}${key}="${escapeLabel(String(value))}"`;
  }
  return text === '' ? '' : `{${text}}`;
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string) => escapeHelp(text).replace(/"/g, '\\"');
