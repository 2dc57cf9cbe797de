/**
 * Every PromQL query of a dashboard (panel targets and the alert annotation), and how to make
 * one runnable outside Grafana: variables become match-all regexes, $__rate_interval and the
 * other interval macros become a fixed duration.
 */

/** @returns {{ panel: string, refId: string, expr: string }[]} */
export function dashboardQueries(dashboard) {
  const found = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) found.push({ panel: panel.title, refId: target.refId, expr: target.expr });
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr) found.push({ panel: `annotation ${annotation.name}`, refId: '-', expr: annotation.expr });
  }
  return found;
}

/** Replaces Grafana's macros and variables so Prometheus can run the query as is. */
export function runnable(expr, interval = '1m') {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, interval)
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}
