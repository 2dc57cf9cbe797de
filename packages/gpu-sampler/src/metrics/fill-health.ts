/**
 * The catalog's gpuHealth family from one scrape: XID events, ECC, retired pages and
 * remapped rows, PCIe and NVLink. A series exists only where the GPU reports the value (a
 * field it answered NotSupported for is absent, never a 0), except the XID counters: every
 * known XID starts at 0 on a GPU whose XID events are read, so increase() sees the first one.
 */
import { GPU_XIDS, OVERFLOW_LABEL_VALUE } from '@orfeas/metrics/catalog';
import type { FamilyFill } from './fill.js';

const KNOWN_XIDS: ReadonlySet<string> = new Set(GPU_XIDS);
const xidLabel = (xid: number) => (KNOWN_XIDS.has(String(xid)) ? String(xid) : OVERFLOW_LABEL_VALUE);

export const fillGpuHealth: FamilyFill<'gpuHealth'> = {
  xidErrorsTotal: (m, s) => {
    for (const { gpu, device, stats } of s.devices) {
      if (!device.fields.some((f) => f.field === 'xid_events' && f.supported)) continue;
      for (const xid of [...GPU_XIDS, OVERFLOW_LABEL_VALUE]) m.inc({ gpu, xid }, 0);
      for (const { xid, count } of stats?.xid ?? []) m.inc({ gpu, xid: xidLabel(xid) }, count);
    }
  },
  xidLastTimestampSeconds: (m, s) => {
    for (const { gpu, stats } of s.live) if (stats?.xidLastMs !== undefined) m.set({ gpu }, stats.xidLastMs / 1000);
  },
  eccErrorsTotal: (m, s) => {
    for (const { gpu, stats } of s.devices) {
      if (!stats?.ecc) continue;
      m.inc({ gpu, type: 'corrected' }, stats.ecc.corrected);
      m.inc({ gpu, type: 'uncorrected' }, stats.ecc.uncorrected);
    }
  },
  retiredPages: (m, s) => {
    for (const { gpu, stats } of s.live) {
      if (!stats?.retiredPages) continue;
      m.set({ gpu, cause: 'single_bit' }, stats.retiredPages.singleBit);
      m.set({ gpu, cause: 'double_bit' }, stats.retiredPages.doubleBit);
    }
  },
  remappedRows: (m, s) => {
    for (const { gpu, stats } of s.live) {
      if (!stats?.remappedRows) continue;
      m.set({ gpu, cause: 'correctable' }, stats.remappedRows.correctable);
      m.set({ gpu, cause: 'uncorrectable' }, stats.remappedRows.uncorrectable);
    }
  },
  rowRemapStatus: (m, s) => {
    for (const { gpu, stats } of s.live) {
      if (!stats?.remappedRows) continue;
      m.set({ gpu, status: 'pending' }, stats.remappedRows.pending ? 1 : 0);
      m.set({ gpu, status: 'failed' }, stats.remappedRows.failed ? 1 : 0);
    }
  },
  pcieBytesTotal: (m, s) => {
    for (const { gpu, stats } of s.devices) {
      if (!stats?.pcie) continue;
      m.inc({ gpu, direction: 'tx' }, stats.pcie.txBytes);
      m.inc({ gpu, direction: 'rx' }, stats.pcie.rxBytes);
    }
  },
  pcieReplaysTotal: (m, s) => {
    for (const { gpu, stats } of s.devices) if (stats?.pcie?.replays !== undefined) m.inc({ gpu }, stats.pcie.replays);
  },
  nvlinkBytesTotal: (m, s) => {
    for (const { gpu, stats } of s.devices) {
      for (const { link, txBytes, rxBytes } of stats?.nvlink ?? []) {
        m.inc({ gpu, link: String(link), direction: 'tx' }, txBytes);
        m.inc({ gpu, link: String(link), direction: 'rx' }, rxBytes);
      }
    }
  },
};
