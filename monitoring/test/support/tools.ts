/**
 * Gates tests on outside tools (promtool, amtool, prometheus, prometheus-alertmanager,
 * redis-server): a missing tool skips the tests with a message saying what to install, except
 * under CI=true, where it is a failing test.
 */
import { test } from 'vitest';
import { onPath } from '../../stack/processes.mjs';

/** The Debian package of each tool. */
const PACKAGE_OF: Record<string, string> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'redis-server': 'redis-server',
};

/** True when every tool is on PATH; otherwise registers a skipped (or, in CI, failing) test. */
export function haveTools(tools: string[]): boolean {
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length === 0) return true;
  const packages = [...new Set(missing.map((tool) => PACKAGE_OF[tool] ?? tool))];
  const message = `needs ${missing.join(', ')} on PATH (apt-get install ${packages.join(' ')})`;
  if (process.env.CI === 'true') {
    test(`tools present: ${missing.join(', ')}`, () => {
      throw new Error(`${message}; CI=true, so a missing tool is a failure`);
    });
  } else {
    console.warn(`skipped: ${message}`);
    test.skip(message, () => {});
  }
  return false;
}
