/** GPU processes row: each executable's share of each GPU and the memory it holds (no pids). */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, rate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { gpuProcess } = catalog;
const perProcess = '{{process}} GPU {{gpu}} {{instance}}';

export const gpuProcessesRow = {
  title: 'GPU processes',
  panels: [
    timeseries({
      title: 'GPU use by process',
      description: 'rate() of each executable\'s busy seconds (its SM utilization, integrated): the share of the GPU it used. pids are in GET /api/v1/gpu.',
      unit: 'percentunit',
      min: 0,
      width: 12,
      targets: [query(rate(gpuProcess.busySecondsTotal), perProcess)],
    }),
    timeseries({
      title: 'GPU memory by process',
      unit: 'bytes',
      min: 0,
      width: 12,
      targets: [query(gauge(gpuProcess.memoryBytes), perProcess)],
    }),
  ],
};
