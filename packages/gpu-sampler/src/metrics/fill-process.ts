/**
 * The catalog's gpuProcess family from one scrape: busy seconds by executable name (summed
 * by the sampler, never shrinking) and the memory of the processes running now, by name.
 * pids never become labels: stats().devices[].processes has them, for an API to show.
 */
import { catalog } from '@orfeas/metrics/catalog';
import type { FamilyFill } from './fill.js';
import type { ProcessLabels } from './process-labels.js';

export function fillGpuProcess(labels: ProcessLabels): FamilyFill<'gpuProcess'> {
  return {
    busySecondsTotal: (m, s) => {
      const metric = catalog.gpuProcess.busySecondsTotal.name;
      for (const { gpu, stats } of s.devices) {
        for (const { name, busySeconds } of stats?.processBusy ?? []) m.inc({ gpu, process: labels.label(metric, name) }, busySeconds);
      }
    },
    memoryBytes: (m, s) => {
      const metric = catalog.gpuProcess.memoryBytes.name;
      for (const { gpu, stats } of s.live) {
        // inc on a gauge reset at the start of the scrape: processes of one name (and the names
        // under "other") add up.
        for (const { name, memoryBytes } of stats?.processes ?? []) {
          if (memoryBytes !== undefined) m.inc({ gpu, process: labels.label(metric, name) }, memoryBytes);
        }
      }
    },
  };
}
