/**
 * The public shapes of @orfeas/gpu-sampler. They mirror the napi binding's generated
 * native/index.d.ts (checked by test/native-types.test.ts) with narrower string types.
 */
import type { GPU_THROTTLE_REASONS } from '@orfeas/metrics';

export type GpuThrottleReason = (typeof GPU_THROTTLE_REASONS)[number];

export interface GpuSamplerOptions {
  /** NVML library to load; default ORFEAS_NVML_LIBRARY, else libnvidia-ml.so.1. */
  libraryPath?: string;
  /** Sampling interval, ms (1 to 3600000; default 100). */
  intervalMs?: number;
  /** Readings and driver samples kept per device (default 1000). */
  ringSize?: number;
  /** Throw instead of returning `available: false` when NVML or the addon is missing. */
  required?: boolean;
}

export interface GpuDevice {
  index: number;
  name: string;
  uuid: string;
  lost: boolean;
  lostAtMs?: number;
  /** Fields the device answered NotSupported for: no longer read. */
  disabledFields: string[];
}

export interface GpuMemoryBytes {
  total: number;
  used: number;
  free: number;
  reserved: number;
}

export interface GpuClocksHz {
  sm?: number;
  memory?: number;
  graphics?: number;
  video?: number;
}

/** One sampling tick of one device; a field is absent when it could not be read. */
export interface GpuReading {
  /** Position in the sampler's sequence (see samples()). */
  seq: number;
  gpu: number;
  /** Unix time of the read, ms. */
  timeMs: number;
  utilizationRatio?: number;
  memoryUtilizationRatio?: number;
  memoryBytes?: GpuMemoryBytes;
  temperatureCelsius?: number;
  powerWatts?: number;
  powerLimitWatts?: number;
  /** NVML's energy counter (since driver load), J. */
  energyCounterJoules?: number;
  clocksHz: GpuClocksHz;
  throttleReasons?: GpuThrottleReason[];
  fanSpeedRatios?: number[];
  performanceState?: number;
}

/** A sample of the driver's own buffer (nvmlDeviceGetSamples). */
export interface GpuDriverSample {
  seq: number;
  gpu: number;
  kind: 'utilization' | 'power';
  /** The driver's CPU timestamp, µs. */
  timestampUs: number;
  /** Ratio for utilization, watts for power. */
  value: number;
}

export interface GpuMinMaxMean {
  min: number;
  max: number;
  mean: number;
  count: number;
}

export interface GpuWindow {
  gpu: number;
  count: number;
  fromMs?: number;
  toMs?: number;
  utilizationRatio?: GpuMinMaxMean;
  memoryUtilizationRatio?: GpuMinMaxMean;
  memoryUsedBytes?: GpuMinMaxMean;
  temperatureCelsius?: GpuMinMaxMean;
  powerWatts?: GpuMinMaxMean;
  smClockHz?: GpuMinMaxMean;
}

export interface GpuSamples {
  /** Pass back as sinceCursor to get only what came after. */
  cursor: number;
  /** Entries after sinceCursor fell out of a ring before this read (read more often). */
  missed: boolean;
  readings: GpuReading[];
  driver: GpuDriverSample[];
}

export interface GpuDeviceStats {
  gpu: number;
  lost: boolean;
  samplesTotal: number;
  lastSampleMs?: number;
  /** ∫ utilization dt since the sampler started; only grows (a Prometheus counter). */
  busySeconds: number;
  /** Energy since the sampler started, J; only grows, whatever the source or a driver reload. */
  energyJoules: number;
  /** The best source the driver offered: a later, better one goes on from the value reached. */
  energySource: 'counter' | 'power_samples' | 'power_readings';
  throttleSeconds: { reason: GpuThrottleReason; seconds: number }[];
  errors: { field: string; error: string; count: number }[];
  driverSamplesKept: number;
  readingsKept: number;
}

export interface GpuSamplerStats {
  running: boolean;
  intervalMs: number;
  ringSize: number;
  driverVersion: string;
  /** 'nvml' for the NVIDIA driver, 'sim' for nvml-sim (which says so itself); absent when no NVML is loaded. */
  source?: 'nvml' | 'sim';
  ticks: number;
  panics: number;
  devices: GpuDeviceStats[];
}

export interface GpuSnapshot {
  devices: GpuDevice[];
  latest: GpuReading[];
  stats: GpuSamplerStats;
}

export interface GpuSampler {
  /** Whether NVML is loaded and sampling. */
  readonly available: boolean;
  /** Why not, when available is false. */
  readonly reason?: string;
  devices(): GpuDevice[];
  /** The newest reading of each device. */
  latest(): GpuReading[];
  /** Min / max / mean per device over the last `ms` milliseconds of readings. */
  window(ms: number): GpuWindow[];
  /** Readings and driver samples after a cursor (0: everything still in the rings). */
  samples(sinceCursor?: number): GpuSamples;
  stats(): GpuSamplerStats;
  /** devices + latest + stats in one consistent copy. */
  snapshot(): GpuSnapshot;
  /** Joins the sampling thread; reads keep returning the last values. */
  stop(): void;
}
