/**
 * The dashboard's template variables: datasource, then job, instance and gpu, each narrowing
 * the next. Queries select on them with =~ so "All" (.*) and multi-selection both work.
 */
import { catalog } from '@orfeas/metrics/catalog';

const { system, gpu } = catalog;

function labelValues(name, query) {
  return {
    type: 'query',
    name,
    label: name,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query, refId: `${name}-values` },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

export const variables = [
  {
    type: 'datasource',
    name: 'datasource',
    label: 'Data source',
    query: 'prometheus',
    current: { selected: true, text: 'Prometheus', value: 'orfeas-prometheus' },
  },
  labelValues('job', `label_values(${system.appUptimeSeconds.name}, job)`),
  labelValues('instance', `label_values(${system.appUptimeSeconds.name}{job=~"$job"}, instance)`),
  labelValues('gpu', `label_values(${gpu.info.name}{job=~"$job", instance=~"$instance"}, gpu)`),
];

/** The series selector inside a variable's label_values(...) query, for checking it. */
export function variableSelector(variable) {
  const match = /^label_values\((.*),\s*\w+\)$/.exec(variable.definition ?? '');
  return match?.[1];
}
