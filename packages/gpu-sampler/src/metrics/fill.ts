/**
 * How each GPU metric of the catalog is filled from one sampler snapshot. A lost GPU keeps
 * its identity, gpu_up 0 and its counters, but no gauges: its last values would be stale.
 */
import type { MetricFor } from '@orfeas/metrics';
import { GPU_CLOCKS, GPU_MEMORY_TYPES, GPU_THROTTLE_REASONS, type Catalog } from '@orfeas/metrics/catalog';
import type { Counter, Gauge } from 'prom-client';
import type { GpuDevice, GpuDeviceStats, GpuReading, GpuSnapshot } from '../../addon.js';

type GpuKey = keyof Catalog['gpu'];
type Fill<K extends GpuKey> = (metric: MetricFor<Catalog['gpu'][K]>, snapshot: GpuSnapshot, available: boolean) => void;

interface DeviceView {
  gpu: string;
  device: GpuDevice;
  reading?: GpuReading;
  stats?: GpuDeviceStats;
}

function devices(s: GpuSnapshot): DeviceView[] {
  return s.devices.map((device) => ({
    gpu: String(device.index),
    device,
    reading: s.latest.find((r) => r.gpu === device.index),
    stats: s.stats.devices.find((d) => d.gpu === device.index),
  }));
}

/** Devices still answering, with their latest reading. */
function live(s: GpuSnapshot): (DeviceView & { reading: GpuReading })[] {
  return devices(s).filter((d): d is DeviceView & { reading: GpuReading } => !d.device.lost && d.reading !== undefined);
}

function gauge(value: (r: GpuReading) => number | undefined): (m: Gauge<'gpu'>, s: GpuSnapshot) => void {
  return (m, s) => {
    for (const { gpu, reading } of live(s)) {
      const v = value(reading);
      if (v !== undefined) m.set({ gpu }, v);
    }
  };
}

function counter(value: (d: GpuDeviceStats) => number): (m: Counter<'gpu'>, s: GpuSnapshot) => void {
  return (m, s) => {
    for (const { gpu, stats } of devices(s)) if (stats) m.inc({ gpu }, value(stats));
  };
}

export const fillGpuMetrics: { [K in GpuKey]: Fill<K> } = {
  samplerUp: (m, s, available) => m.set(available && s.stats.running ? 1 : 0),
  info: (m, s) => {
    for (const { gpu, device } of devices(s)) {
      m.set({ gpu, uuid: device.uuid, name: device.name, driver_version: s.stats.driverVersion, source: s.stats.source ?? 'nvml' }, 1);
    }
  },
  up: (m, s) => {
    for (const { gpu, device } of devices(s)) m.set({ gpu }, device.lost ? 0 : 1);
  },
  utilizationRatio: gauge((r) => r.utilizationRatio),
  memoryUtilizationRatio: gauge((r) => r.memoryUtilizationRatio),
  busySecondsTotal: counter((d) => d.busySeconds),
  memoryBytes: (m, s) => {
    for (const { gpu, reading } of live(s)) {
      if (!reading.memoryBytes) continue;
      for (const type of GPU_MEMORY_TYPES) m.set({ gpu, type }, reading.memoryBytes[type]);
    }
  },
  temperatureCelsius: gauge((r) => r.temperatureCelsius),
  powerWatts: gauge((r) => r.powerWatts),
  powerLimitWatts: gauge((r) => r.powerLimitWatts),
  energyJoulesTotal: counter((d) => d.energyJoules),
  clockHertz: (m, s) => {
    for (const { gpu, reading } of live(s)) {
      for (const clock of GPU_CLOCKS) {
        const hz = reading.clocksHz[clock];
        if (hz !== undefined) m.set({ gpu, clock }, hz);
      }
    }
  },
  throttleActive: (m, s) => {
    for (const { gpu, reading } of live(s)) {
      if (!reading.throttleReasons) continue;
      const active = new Set(reading.throttleReasons);
      for (const reason of GPU_THROTTLE_REASONS) m.set({ gpu, reason }, active.has(reason) ? 1 : 0);
    }
  },
  throttleSecondsTotal: (m, s) => {
    for (const { gpu, device, stats } of devices(s)) {
      if (!stats || device.disabledFields.includes('throttle')) continue;
      for (const { reason, seconds } of stats.throttleSeconds) m.inc({ gpu, reason }, seconds);
    }
  },
  fanSpeedRatio: (m, s) => {
    for (const { gpu, reading } of live(s)) {
      reading.fanSpeedRatios?.forEach((ratio, fan) => m.set({ gpu, fan: String(fan) }, ratio));
    }
  },
  performanceState: gauge((r) => r.performanceState),
  samplerSamplesTotal: counter((d) => d.samplesTotal),
  samplerErrorsTotal: (m, s) => {
    for (const { gpu, stats } of devices(s)) {
      for (const { field, error, count } of stats?.errors ?? []) m.inc({ gpu, field, error }, count);
    }
  },
  samplerLastSampleTimestampSeconds: (m, s) => {
    for (const { gpu, stats } of devices(s)) {
      if (stats?.lastSampleMs !== undefined) m.set({ gpu }, stats.lastSampleMs / 1000);
    }
  },
};
