/** Overview row: are the GPUs real, is the backend up, how busy is it, is anything on fire. */
import { catalog, GPU_SOURCES } from '@orfeas/metrics/catalog';
import { fleetGauge, gauge, rate, RATE_INTERVAL, selector } from '../promql.mjs';
import { query, stat, stateStat } from '../panels.mjs';

const { http, system, queue, gpu } = catalog;

// How the GPU source marker shows each gpu_info source. The highest rank of the selection
// wins, so one simulated GPU marks the whole view: its numbers are not a real GPU's.
const SOURCE_STATES = { sim: [2, 'SIMULATED (nvml-sim)', 'red'], nvml: [1, 'NVIDIA driver', 'green'] };
const unmarked = GPU_SOURCES.filter((source) => !SOURCE_STATES[source]);
if (unmarked.length > 0) throw new Error(`GPU source marker: no state for gpu_info source ${unmarked.join(', ')}`);

const sourceRanks = GPU_SOURCES.map(
  (source) => `${SOURCE_STATES[source][0]} * max by (source) (${gauge(gpu.info, { source: `="${source}"` })})`,
);

export const overview = {
  title: 'Overview',
  panels: [
    stateStat({
      title: 'GPU source',
      description: 'Where the GPU numbers come from: the NVIDIA driver, or nvml-sim\'s simulated GPUs (ORFEAS_GPU=sim) on any selected instance.',
      targets: [query(`max(${sourceRanks.join(' or ')})`, 'source')],
      states: Object.values(SOURCE_STATES),
      noValue: 'no GPU telemetry',
    }),
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
      description: 'Jobs in the queue of the selected fleets, each counted once however many replicas export it.',
      targets: [query(`sum(${fleetGauge(queue.jobQueueSize)})`, 'queued')],
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
