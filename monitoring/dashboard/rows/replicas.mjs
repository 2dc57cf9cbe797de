/**
 * Replicas row: the fleet broken down by instance. Per-replica figures (scrapes, requests, job
 * slots, GPUs, queue store, socket.io clients) keep their instance here, while the rest of the
 * dashboard shows the fleet as a whole.
 */
import { catalog } from '@orfeas/metrics/catalog';
import { backendUp, gauge, RATE_INTERVAL, selector, sumRate } from '../promql.mjs';
import { query, stat, timeseries } from '../panels.mjs';

const { http, business, queue, gpu, websocket } = catalog;

export const replicasRow = {
  title: 'Replicas',
  panels: [
    stat({
      title: 'Replicas up',
      description: 'Replicas of each backend job that Prometheus scrapes, out of the targets it lists (file SD or the ServiceMonitor).',
      targets: [query(`sum by (job) (${backendUp()})`, '{{job}} up'), query(`count by (job) (${backendUp()})`, '{{job}} listed')],
    }),
    timeseries({
      title: 'Up by instance',
      description: 'Whether each replica answers its scrapes (1 up, 0 down).',
      width: 10,
      min: 0,
      targets: [query(backendUp(), '{{instance}}')],
    }),
    timeseries({
      title: 'Queue store up by instance',
      description: 'job_queue_up: 1 while the replica reaches its queue store (Redis in a fleet, SQLite on one host).',
      width: 10,
      min: 0,
      targets: [query(gauge(queue.queueUp), '{{instance}} {{backend}}')],
    }),
    timeseries({
      title: 'Requests by instance',
      unit: 'reqps',
      targets: [query(sumRate(http.requestsTotal, ['instance']), '{{instance}}')],
    }),
    timeseries({
      title: 'Job slots by instance',
      description: 'Each replica\'s job slots (ORFEAS_WORKERS), busy or idle; an API-only replica has none.',
      stack: true,
      targets: [query(`sum by (instance, state) (${gauge(queue.jobSlots)})`, '{{instance}} {{state}}')],
    }),
    timeseries({
      title: 'Generations by instance',
      description: 'Results produced by each replica\'s job slots.',
      unit: 'ops',
      targets: [query(sumRate(business.successfulGenerationsTotal, ['instance']), '{{instance}}')],
    }),
    timeseries({
      title: 'GPU utilization by instance',
      description: 'Mean utilization of each replica\'s GPUs, from the rate of busy seconds.',
      unit: 'percentunit',
      width: 12,
      min: 0,
      targets: [query(`avg by (instance) (rate(${selector(gpu.busySecondsTotal)}[${RATE_INTERVAL}]))`, '{{instance}}')],
    }),
    timeseries({
      title: 'WebSocket connections by instance',
      width: 12,
      targets: [query(`sum by (instance) (${gauge(websocket.connectionsActive)})`, '{{instance}}')],
    }),
  ],
};
