/**
 * System row: host CPU, memory and disk from the catalog's system_* family, the data
 * directory's free space and retention, and the Node.js runtime.
 */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, rate, runtime, selector, sumRate } from '../promql.mjs';
import { query, table, timeseries } from '../panels.mjs';

const { system, storage, meta } = catalog;

export const systemRow = {
  title: 'System',
  panels: [
    timeseries({
      title: 'CPU',
      unit: 'percentunit',
      min: 0,
      targets: [
        query(`avg by (instance) (${gauge(system.cpuUsageRatio)})`, 'host {{instance}}'),
        query(rate(runtime('process_cpu_seconds_total')), 'backend process {{instance}}'),
      ],
    }),
    timeseries({
      title: 'Host memory',
      unit: 'bytes',
      targets: [query(gauge(system.memoryBytes), '{{type}} {{instance}}')],
    }),
    timeseries({
      title: 'Disk',
      unit: 'bytes',
      targets: [query(gauge(system.diskBytes), '{{type}} {{path}}')],
    }),
    timeseries({
      title: 'Data directory free space',
      description: 'Below the watermark (ORFEAS_MIN_FREE_BYTES, 0 = off) new jobs get 507: StorageExhausted fires; StorageLow below twice it.',
      unit: 'bytes',
      min: 0,
      targets: [
        query(gauge(storage.freeBytes), 'free {{instance}}'),
        query(gauge(storage.minFreeBytes), 'watermark {{instance}}'),
      ],
    }),
    timeseries({
      title: 'Retention deletions',
      description: 'Finished jobs deleted because they passed the retention period.',
      unit: 'ops',
      min: 0,
      targets: [query(rate(storage.retentionDeletionsTotal), 'jobs {{instance}}')],
    }),
    timeseries({
      title: 'Retention bytes freed',
      unit: 'Bps',
      min: 0,
      targets: [query(rate(storage.retentionFreedBytesTotal), 'freed {{instance}}')],
    }),
    timeseries({
      title: 'Backend memory',
      unit: 'bytes',
      targets: [
        query(gauge(runtime('process_resident_memory_bytes')), 'resident {{instance}}'),
        query(gauge(runtime('nodejs_heap_size_used_bytes')), 'heap used {{instance}}'),
        query(gauge(runtime('nodejs_heap_size_total_bytes')), 'heap total {{instance}}'),
      ],
    }),
    timeseries({
      title: 'Event-loop lag',
      description: 'The EventLoopLagHigh alert fires when p99 stays above 500 ms.',
      unit: 's',
      targets: [
        query(gauge(runtime('nodejs_eventloop_lag_p50_seconds')), 'p50 {{instance}}'),
        query(gauge(runtime('nodejs_eventloop_lag_p99_seconds')), 'p99 {{instance}}'),
      ],
    }),
    timeseries({
      title: 'Handles and file descriptors',
      targets: [
        query(`sum by (instance) (${gauge(runtime('nodejs_active_handles'))})`, 'handles {{instance}}'),
        query(gauge(runtime('process_open_fds')), 'open fds {{instance}}'),
      ],
    }),
    timeseries({
      title: 'Scrape',
      description: 'How long Prometheus takes to scrape /metrics, and label values refused by a cardinality cap.',
      targets: [
        query(selector('scrape_duration_seconds'), 'scrape seconds {{instance}}'),
        query(sumRate(meta.labelOverflowTotal, ['metric']), 'overflow/s {{metric}}'),
      ],
    }),
    table({
      title: 'Version',
      width: 16,
      targets: [query(gauge(system.appInfo)), query(gauge(system.appUptimeSeconds))],
    }),
  ],
};
