/** Queue and cache row: backlog, workers busy, time waited, cache effectiveness. */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { queue, cache } = catalog;

export const queueCacheRow = {
  title: 'Queue and cache',
  panels: [
    timeseries({
      title: 'Jobs waiting and running',
      targets: [
        query(`sum by (type) (${gauge(queue.jobQueueSize)})`, 'waiting {{type}}'),
        query(`sum by (type) (${gauge(queue.activeJobs)})`, 'running {{type}}'),
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
        query(`sum by (cache_type) (${gauge(cache.entries)})`, 'entries {{cache_type}}'),
      ],
    }),
  ],
};
