/**
 * What one scrape reads: a sampler snapshot, each device with its latest reading and its
 * counters (joined by the device's id label), and whether the sampler is available.
 */
import type { GpuDevice, GpuDeviceStats, GpuReading, GpuSnapshot } from '../../addon.js';

export interface DeviceView {
  /** The `gpu` label: "0" for a whole GPU, "0/3" for a MIG instance. */
  gpu: string;
  device: GpuDevice;
  reading?: GpuReading;
  stats?: GpuDeviceStats;
}

export interface Scrape {
  snapshot: GpuSnapshot;
  available: boolean;
  /** Every device the sampler lists, lost ones included. */
  devices: DeviceView[];
  /** Devices still answering: the only ones with gauges (a lost GPU's last values would be stale). */
  live: DeviceView[];
}

export function readScrape(snapshot: GpuSnapshot, available: boolean): Scrape {
  const devices = snapshot.devices.map((device) => ({
    gpu: device.id,
    device,
    reading: snapshot.latest.find((r) => r.gpu === device.index),
    stats: snapshot.stats.devices.find((d) => d.id === device.id),
  }));
  return { snapshot, available, devices, live: devices.filter((d) => !d.device.lost) };
}
