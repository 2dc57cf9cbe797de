/**
 * Grafana panel objects (schema 39): time series, stat and table panels bound to the
 * dashboard's datasource variable. Layout (ids, grid positions) is left to build-dashboard.mjs.
 */

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** One query of a panel; refIds are assigned in order by the panel. */
export const query = (expr, legendFormat = '__auto') => ({ expr, legendFormat });

/** What every panel shares: type, title, description, datasource, width, unit, queries. */
function panel(type, { title, description, width, unit, targets }, defaults = {}) {
  return {
    type,
    title,
    description,
    datasource: DATASOURCE,
    width,
    fieldConfig: { defaults: { unit, ...defaults }, overrides: [] },
    targets: withTargets(targets),
  };
}

function withTargets(targets) {
  return targets.map((target, i) => ({
    datasource: DATASOURCE,
    refId: String.fromCharCode(65 + i),
    expr: target.expr,
    legendFormat: target.legendFormat,
    range: true,
  }));
}

/** A time series panel; `unit` is a Grafana unit id (percentunit, s, bytes, celsius, ...). */
export function timeseries({ title, description, unit = 'short', targets, width = 8, stack = false, min }) {
  return {
    ...panel('timeseries', { title, description, width, unit, targets }, {
      ...(min === undefined ? {} : { min }),
      custom: { lineWidth: 1, fillOpacity: stack ? 30 : 10, stacking: { mode: stack ? 'normal' : 'none' } },
    }),
    options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

/** A single-value panel with optional thresholds ([[value, color], ...], first value null). */
export function stat({ title, description, unit = 'short', targets, width = 4, thresholds }) {
  return {
    ...panel('stat', { title, description, width, unit, targets }, {
      thresholds: { mode: 'absolute', steps: (thresholds ?? [[null, 'green']]).map(([value, color]) => ({ value, color })) },
    }),
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area' },
  };
}

/**
 * A stat that names a state instead of showing a number: each [value, text, color] of
 * `states` becomes a value mapping on a coloured background, `noValue` the text for no data.
 */
export function stateStat({ title, description, targets, width = 4, states, noValue }) {
  const base = stat({ title, description, targets, width, thresholds: [[null, 'transparent']] });
  const options = Object.fromEntries(states.map(([value, text, color], index) => [String(value), { text, color, index }]));
  return {
    ...base,
    fieldConfig: { ...base.fieldConfig, defaults: { ...base.fieldConfig.defaults, noValue, mappings: [{ type: 'value', options }] } },
    options: { ...base.options, colorMode: 'background', graphMode: 'none', textMode: 'value' },
  };
}

/** A table of the latest value of each series, e.g. info metrics whose labels are the data. */
export function table({ title, description, targets, width = 12 }) {
  const base = panel('table', { title, description, width, unit: undefined, targets });
  return {
    ...base,
    options: { showHeader: true },
    targets: base.targets.map((target) => ({ ...target, instant: true, range: false, format: 'table' })),
  };
}
