/**
 * The fleet-wide series: in Redis mode every replica reads the one shared queue (and result
 * cache) and exports the same value, so rules and panels count them once with
 * `max without (instance, pod) (...)` before any sum. A SQLite host is a fleet of one, where
 * the max is its own value. Everything else the backend exports is per replica.
 */
import { catalog } from '@orfeas/metrics/catalog';

export const FLEET_WIDE_METRICS = Object.freeze(
  [catalog.queue.jobQueueSize, catalog.queue.activeJobs, catalog.queue.queueWorkers, catalog.cache.entries].map((metric) => metric.name),
);

/** How a fleet-wide selector is counted once. */
export const countedOnce = (selector) => `max without (instance, pod) (${selector})`;

/**
 * The fleet-wide series an expression names without taking `max without (instance, pod)` of
 * them directly, in order; empty when every use is counted once.
 * @param {string} expr
 */
export function fleetWideUncounted(expr) {
  const found = [];
  for (const name of FLEET_WIDE_METRICS) {
    for (const match of expr.matchAll(new RegExp(`(?<![\\w:])${name}(?![\\w:])`, 'g'))) {
      if (!/max without \(instance, pod\) \($/.test(expr.slice(0, match.index))) found.push(name);
    }
  }
  return found;
}
