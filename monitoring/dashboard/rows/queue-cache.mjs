/**
 * Queue and cache row: backlog, replicas taking jobs and their job slots, time waited, cache
 * effectiveness. The queue and cache gauges are fleet-wide, counted once (fleetGauge).
 */
import { catalog } from '@orfeas/metrics/catalog';
import { fleetGauge, gauge, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { queue, cache } = catalog;

export const queueCacheRow = {
  title: 'Queue and cache',
  panels: [
    timeseries({
      title: 'Jobs waiting and running',
      description: 'The queue of the selected fleets: every replica of a fleet exports the same figures, counted once.',
      targets: [
        query(`sum by (type) (${fleetGauge(queue.jobQueueSize)})`, 'waiting {{type}}'),
        query(`sum by (type) (${fleetGauge(queue.activeJobs)})`, 'running {{type}}'),
      ],
    }),
    timeseries({
      title: 'Replicas taking jobs and job slots',
      description: 'Replicas connected to the queue as workers (fleet-wide, counted once), and the job slots of the selected replicas, busy or idle (per replica, summed).',
      targets: [
        query(`sum(${fleetGauge(queue.queueWorkers)})`, 'replicas taking jobs'),
        query(`sum by (state) (${gauge(queue.jobSlots)})`, 'job slots {{state}}'),
      ],
    }),
    timeseries({
      title: 'Queue wait (p50, p95)',
      unit: 's',
      targets: [
        query(quantile(0.5, queue.jobWaitDurationSeconds, ['type']), 'p50 {{type}}'),
        query(quantile(0.95, queue.jobWaitDurationSeconds, ['type']), 'p95 {{type}}'),
      ],
    }),
    timeseries({
      title: 'Cache lookups',
      unit: 'ops',
      targets: [
        query(sumRate(cache.hitsTotal, ['cache_type']), 'hits {{cache_type}}'),
        query(sumRate(cache.missesTotal, ['cache_type']), 'misses {{cache_type}}'),
      ],
    }),
    timeseries({
      title: 'Cache hit ratio and entries',
      targets: [
        query(
          `${sumRate(cache.hitsTotal, ['cache_type'])} / (${sumRate(cache.hitsTotal, ['cache_type'])} + ${sumRate(cache.missesTotal, ['cache_type'])} > 0)`,
          'hit ratio {{cache_type}}',
        ),
        query(`sum by (cache_type) (${fleetGauge(cache.entries)})`, 'entries {{cache_type}}'),
      ],
    }),
  ],
};
