/**
 * A job's (or a stage's) GPU cost from the sampler's integrals over the segments of its
 * window: per device, its share of busy seconds and energy, split between the jobs running
 * in each segment, and whose processes the driver says did the work where it says so.
 */
import type { GpuIntegrals } from '../../addon.js';
import type { Segment } from './timeline.js';

/**
 * How a device's share was worked out. process: from the busy seconds of this service's own
 * processes (nvmlDeviceGetProcessUtilization), split by time share between concurrent jobs;
 * time_share: the whole device's, split by time share (the driver reports no per-process use).
 */
export type GpuCostAttribution = 'process' | 'time_share';

export interface GpuDeviceCost {
  /** The device's `gpu` label: "0", or "0/3" for a MIG instance. */
  gpu: string;
  busySeconds: number;
  energyJoules: number;
  attribution: GpuCostAttribution;
}

export interface GpuCost {
  /** Every device counted: all the sampler has (not lost before the window), less those where process attribution found no use of ours. */
  devices: GpuDeviceCost[];
  /** Sums over the devices. */
  busySeconds: number;
  energyJoules: number;
  /** process only when every device counted used it. */
  attribution: GpuCostAttribution;
  /** Set when the sampler had not covered the whole window when the meter stopped waiting: the cost counts up to here (Unix ms). */
  coveredToMs?: number;
}

/** One segment of the window and the integrals over it. */
export interface MeasuredSegment {
  segment: Segment;
  integrals: GpuIntegrals;
}

interface Share {
  busySeconds: number;
  energyJoules: number;
  process: boolean;
}

/**
 * The cost of a window from its measured segments, counting the devices `counted` admits.
 * A device's energy follows its busy seconds: the share of the device's busy time that was
 * ours (at most all of it) of the device's energy.
 */
export function costOf(measured: readonly MeasuredSegment[], counted: (id: string) => boolean, coveredToMs?: number): GpuCost {
  const shares = new Map<string, Share>();
  for (const { segment, integrals } of measured) {
    for (const d of integrals.devices) {
      if (!counted(d.id)) continue;
      const share = shares.get(d.id) ?? { busySeconds: 0, energyJoules: 0, process: true };
      shares.set(d.id, share);
      if (d.attributedBusySeconds === undefined) {
        share.process = false;
        share.busySeconds += d.busySeconds / segment.jobs;
        share.energyJoules += d.energyJoules / segment.jobs;
      } else {
        const ours = d.busySeconds > 0 ? Math.min(1, d.attributedBusySeconds / d.busySeconds) : d.attributedBusySeconds > 0 ? 1 : 0;
        share.busySeconds += d.attributedBusySeconds / segment.jobs;
        share.energyJoules += (d.energyJoules * ours) / segment.jobs;
      }
    }
  }
  const all = [...shares].map(([gpu, s]): GpuDeviceCost => ({
    gpu,
    busySeconds: s.busySeconds,
    energyJoules: s.energyJoules,
    attribution: s.process ? 'process' : 'time_share',
  }));
  // A device where none of our processes ran is not part of the job's cost.
  const devices = all.filter((d) => d.attribution === 'time_share' || d.busySeconds > 0);
  const sum = (f: (d: GpuDeviceCost) => number) => devices.reduce((total, d) => total + f(d), 0);
  return {
    devices,
    busySeconds: sum((d) => d.busySeconds),
    energyJoules: sum((d) => d.energyJoules),
    attribution: all.length > 0 && all.every((d) => d.attribution === 'process') ? 'process' : 'time_share',
    ...(coveredToMs !== undefined ? { coveredToMs } : {}),
  };
}
