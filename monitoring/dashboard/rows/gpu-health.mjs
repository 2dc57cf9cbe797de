/**
 * GPU health row: XID events, ECC errors, retired pages and remapped rows, PCIe and NVLink
 * traffic, and the fields each GPU does not report (a gap by design, not a lost series).
 */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, rate, selector, sumRate } from '../promql.mjs';
import { query, table, timeseries } from '../panels.mjs';

const { gpu, gpuHealth } = catalog;
const perGpu = 'GPU {{gpu}} {{instance}}';

export const gpuHealthRow = {
  title: 'GPU health',
  panels: [
    timeseries({
      title: 'XID events per minute',
      description: 'XID errors the driver reported, by code (docs.nvidia.com/deploy/xid-errors); only codes that occurred are shown. GpuXidError fires on each: critical for the codes that need the GPU serviced.',
      min: 0,
      targets: [query(`${sumRate(gpuHealth.xidErrorsTotal, ['instance', 'gpu', 'xid'])} * 60 > 0`, `XID {{xid}} ${perGpu}`)],
    }),
    timeseries({
      title: 'Time since the last XID',
      unit: 's',
      targets: [query(`time() - ${gauge(gpuHealth.xidLastTimestampSeconds)}`, perGpu)],
    }),
    timeseries({
      title: 'ECC errors since the driver loaded',
      description: 'Volatile counts, cleared by a GPU reset. GpuEccUncorrectable fires while the uncorrected count is above 0.',
      min: 0,
      targets: [query(selector(gpuHealth.eccErrorsTotal), `{{type}} ${perGpu}`)],
    }),
    timeseries({
      title: 'Retired pages and remapped rows',
      description: 'Memory repairs over the GPU\'s life: pages retired (before Ampere) and rows remapped (Ampere and later), by cause. A pending remap (1) needs a GPU reset; a failed one (1) needs service.',
      min: 0,
      targets: [
        query(gauge(gpuHealth.retiredPages), `retired {{cause}} ${perGpu}`),
        query(gauge(gpuHealth.remappedRows), `remapped {{cause}} ${perGpu}`),
        query(gauge(gpuHealth.rowRemapStatus), `remap {{status}} ${perGpu}`),
      ],
    }),
    timeseries({
      title: 'PCIe throughput',
      description: 'tx: from the GPU, rx: to it.',
      unit: 'Bps',
      min: 0,
      targets: [query(rate(gpuHealth.pcieBytesTotal), `{{direction}} ${perGpu}`)],
    }),
    timeseries({
      title: 'PCIe replays per minute',
      description: 'Retransmissions after link errors. GpuPcieReplaysRising fires above 8 a minute (the driver\'s recommended maximum) for 10 minutes.',
      min: 0,
      targets: [query(`${rate(gpuHealth.pcieReplaysTotal)} * 60`, perGpu)],
    }),
    timeseries({
      title: 'NVLink throughput',
      unit: 'Bps',
      min: 0,
      width: 12,
      targets: [query(rate(gpuHealth.nvlinkBytesTotal), `link {{link}} {{direction}} ${perGpu}`)],
    }),
    table({
      title: 'Fields each GPU does not report',
      description: 'gpu_field_supported at 0: the driver answered NotSupported (or lacks the call), so these fields have no series on that GPU.',
      targets: [query(`${gauge(gpu.fieldSupported)} == 0`)],
    }),
  ],
};
