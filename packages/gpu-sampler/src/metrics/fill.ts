/**
 * How each metric of the catalog's gpu family is filled from one scrape. A lost GPU keeps
 * its identity, gpu_up 0 and its counters, but no gauges: its last values would be stale.
 */
import type { MetricFor } from '@orfeas/metrics';
import { GPU_CLOCKS, GPU_MEMORY_TYPES, GPU_THROTTLE_REASONS, type Catalog } from '@orfeas/metrics/catalog';
import type { Counter, Gauge } from 'prom-client';
import type { GpuDeviceStats, GpuReading } from '../../addon.js';
import type { Scrape } from './scrape.js';

export type FamilyFill<F extends keyof Catalog, C = Scrape> = {
  [K in keyof Catalog[F]]: (metric: MetricFor<Catalog[F][K]>, scrape: C) => void;
};

/** Live devices with a reading, and the reading. */
function readings(s: Scrape): { gpu: string; reading: GpuReading }[] {
  return s.live.flatMap(({ gpu, reading }) => (reading ? [{ gpu, reading }] : []));
}

function gauge(value: (r: GpuReading) => number | undefined): (m: Gauge<'gpu'>, s: Scrape) => void {
  return (m, s) => {
    for (const { gpu, reading } of readings(s)) {
      const v = value(reading);
      if (v !== undefined) m.set({ gpu }, v);
    }
  };
}

function counter(value: (d: GpuDeviceStats) => number): (m: Counter<'gpu'>, s: Scrape) => void {
  return (m, s) => {
    for (const { gpu, stats } of s.devices) if (stats) m.inc({ gpu }, value(stats));
  };
}

export const fillGpu: FamilyFill<'gpu'> = {
  samplerUp: (m, s) => m.set(s.available && s.snapshot.stats.running ? 1 : 0),
  info: (m, s) => {
    const { driverVersion, source = 'nvml' } = s.snapshot.stats;
    for (const { gpu, device } of s.devices) {
      const parent = device.parent === undefined ? '' : String(device.parent);
      m.set({ gpu, uuid: device.uuid, name: device.name, driver_version: driverVersion, source, parent, profile: device.profile ?? '' }, 1);
    }
  },
  up: (m, s) => {
    for (const { gpu, device } of s.devices) m.set({ gpu }, device.lost ? 0 : 1);
  },
  utilizationRatio: gauge((r) => r.utilizationRatio),
  memoryUtilizationRatio: gauge((r) => r.memoryUtilizationRatio),
  busySecondsTotal: counter((d) => d.busySeconds),
  memoryBytes: (m, s) => {
    for (const { gpu, reading } of readings(s)) {
      if (!reading.memoryBytes) continue;
      for (const type of GPU_MEMORY_TYPES) m.set({ gpu, type }, reading.memoryBytes[type]);
    }
  },
  temperatureCelsius: gauge((r) => r.temperatureCelsius),
  powerWatts: gauge((r) => r.powerWatts),
  powerLimitWatts: gauge((r) => r.powerLimitWatts),
  energyJoulesTotal: counter((d) => d.energyJoules),
  clockHertz: (m, s) => {
    for (const { gpu, reading } of readings(s)) {
      for (const clock of GPU_CLOCKS) {
        const hz = reading.clocksHz[clock];
        if (hz !== undefined) m.set({ gpu, clock }, hz);
      }
    }
  },
  throttleActive: (m, s) => {
    for (const { gpu, reading } of readings(s)) {
      if (!reading.throttleReasons) continue;
      const active = new Set(reading.throttleReasons);
      for (const reason of GPU_THROTTLE_REASONS) m.set({ gpu, reason }, active.has(reason) ? 1 : 0);
    }
  },
  throttleSecondsTotal: (m, s) => {
    for (const { gpu, device, stats } of s.devices) {
      if (!stats || device.disabledFields.includes('throttle')) continue;
      for (const { reason, seconds } of stats.throttleSeconds) m.inc({ gpu, reason }, seconds);
    }
  },
  fanSpeedRatio: (m, s) => {
    for (const { gpu, reading } of readings(s)) {
      reading.fanSpeedRatios?.forEach((ratio, fan) => m.set({ gpu, fan: String(fan) }, ratio));
    }
  },
  performanceState: gauge((r) => r.performanceState),
  // Capability, not a reading: kept for a lost GPU like its identity. "handle" (opening the
  // GPU at all) has no series: a GPU that could not be opened is gpu_up 0.
  fieldSupported: (m, s) => {
    for (const { gpu, device } of s.devices) {
      for (const { field, supported } of device.fields) if (field !== 'handle') m.set({ gpu, field }, supported ? 1 : 0);
    }
  },
  samplerSamplesTotal: counter((d) => d.samplesTotal),
  samplerErrorsTotal: (m, s) => {
    for (const { gpu, stats } of s.devices) {
      for (const { field, error, count } of stats?.errors ?? []) m.inc({ gpu, field, error }, count);
    }
  },
  samplerLastSampleTimestampSeconds: (m, s) => {
    for (const { gpu, stats } of s.devices) {
      if (stats?.lastSampleMs !== undefined) m.set({ gpu }, stats.lastSampleMs / 1000);
    }
  },
};
