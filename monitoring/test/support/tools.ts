/**
 * Gates tests on outside tools (promtool, amtool, prometheus, prometheus-alertmanager): a missing
 * tool skips the tests with a message saying what to install, except under CI=true, where it is
 * a failing test.
 */
import { test } from 'vitest';
import { onPath } from '../../stack/processes.mjs';

const INSTALL = 'apt-get install prometheus prometheus-alertmanager';

/** True when every tool is on PATH; otherwise registers a skipped (or, in CI, failing) test. */
export function haveTools(tools: string[]): boolean {
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length === 0) return true;
  const message = `needs ${missing.join(', ')} on PATH (${INSTALL})`;
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
