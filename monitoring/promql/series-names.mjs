/**
 * Finds the series names a PromQL expression selects, without a PromQL parser: strings, label
 * matchers, range/offset durations, grouping label lists, Grafana variables and numbers are
 * removed first; an identifier left over is a series name unless it is a keyword or is called
 * like a function (`rate(`, `sum by (...) (`). Enough for rules and panels, which `promtool`
 * parses for real elsewhere.
 */

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'bool', 'offset', 'inf', 'nan', 'atan2', 'start', 'end',
]);

/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g;

/**
 * @param {string} expr a PromQL expression, possibly with Grafana variables ($gpu, ${gpu},
 *   $__rate_interval, [[gpu]])
 * @returns {string[]} the series names it selects, in order of appearance, without repeats
 */
export function seriesNamesIn(expr) {
  const bare = expr
    .replace(/#[^\n]*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\]/g, ' ')
    .replace(LABEL_LIST, ' ')
    .replace(/(?<![\w:])\d[\w.:]*/g, ' ');
  const names = [];
  for (const match of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const name = match[0];
    const rest = bare.slice(match.index + name.length);
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\s*\(/.test(rest)) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
