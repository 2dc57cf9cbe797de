/** Overview row: is the backend up, how busy is it, is anything on fire. */
import { catalog } from '@orfeas/metrics';
import { gauge, rate, RATE_INTERVAL, selector } from '../promql.mjs';
import { query, stat } from '../panels.mjs';

const { http, system, queue, gpu } = catalog;

export const overview = {
  title: 'Overview',
  panels: [
    stat({
      title: 'Backend up',
      description: 'Whether Prometheus can scrape the backend (1 up, 0 down).',
      targets: [query(selector('up'), '{{instance}}')],
      thresholds: [[null, 'red'], [1, 'green']],
    }),
    stat({ title: 'Uptime', unit: 's', targets: [query(gauge(system.appUptimeSeconds), '{{instance}}')] }),
    stat({
      title: 'Requests / s',
      unit: 'reqps',
      targets: [query(`sum(${rate(http.requestsTotal)})`, 'requests')],
    }),
    stat({
      title: '5xx ratio',
      description: 'Share of requests answered with a server error (client errors do not count).',
      unit: 'percentunit',
      targets: [
        query(
          `(sum(${rate(http.requestsTotal, { status: '=~"5.."' })}) or vector(0)) / (sum(${rate(http.requestsTotal)}) > 0)`,
          '5xx',
        ),
      ],
      thresholds: [[null, 'green'], [0.01, 'orange'], [0.05, 'red']],
    }),
    stat({
      title: 'Jobs waiting',
      targets: [query(`sum(${gauge(queue.jobQueueSize)})`, 'queued')],
      thresholds: [[null, 'green'], [10, 'orange']],
    }),
    stat({
      title: 'GPUs up',
      description: 'GPUs answering NVML, out of those the sampler found.',
      targets: [query(`sum(${gauge(gpu.up)})`, 'up'), query(`count(${gauge(gpu.up)})`, 'found')],
    }),
    stat({
      title: 'Firing alerts',
      targets: [query('count(ALERTS{alertstate="firing"}) or vector(0)', 'firing')],
      thresholds: [[null, 'green'], [1, 'red']],
    }),
    stat({
      title: 'Mean GPU utilization',
      unit: 'percentunit',
      targets: [query(`avg(rate(${selector(gpu.busySecondsTotal)}[${RATE_INTERVAL}]))`, 'busy')],
      thresholds: [[null, 'green'], [0.95, 'orange']],
    }),
  ],
};
