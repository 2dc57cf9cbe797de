/**
 * The last minutes of GPU telemetry, as chart columns: one point per gpu_stats snapshot with
 * each device's latest reading and, when the snapshot carries the sampler's window, the min
 * and max it saw since the previous snapshot. A missing reading stays a gap, never a guess.
 */
import type { GpuMinMaxMean, GpuReading, GpuSnapshot, GpuWindow } from './api-types.js';

const GIB = 1024 ** 3;
/** How much history the charts keep. */
export const KEEP_MINUTES = 5;

export interface GpuField {
  key: string;
  title: string;
  unit: string;
  value(reading: GpuReading): number | undefined;
  window(window: GpuWindow): GpuMinMaxMean | undefined;
  /** Multiplies the sampler's unit into the chart's (ratio -> %, bytes -> GiB). */
  scale: number;
  /** A fixed y range; otherwise from 0 to the largest value. */
  range?: [number, number];
}

export const GPU_FIELDS: readonly GpuField[] = [
  { key: 'utilization', title: 'Utilization', unit: '%', scale: 100, range: [0, 100], value: (r) => r.utilizationRatio, window: (w) => w.utilizationRatio },
  { key: 'memory', title: 'Memory used', unit: 'GiB', scale: 1 / GIB, value: (r) => r.memoryBytes?.used, window: (w) => w.memoryUsedBytes },
  { key: 'temperature', title: 'Temperature', unit: '°C', scale: 1, value: (r) => r.temperatureCelsius, window: (w) => w.temperatureCelsius },
  { key: 'power', title: 'Power', unit: 'W', scale: 1, value: (r) => r.powerWatts, window: (w) => w.powerWatts },
];

type Column = (number | null)[];
export interface DeviceColumns {
  value: Column;
  min: Column;
  max: Column;
}

export class GpuHistory {
  /** Unix seconds of each point. */
  readonly times: number[] = [];
  /** Per field key, per device (in `gpus` order). */
  readonly columns = new Map<string, DeviceColumns[]>();
  /** Whether any snapshot so far carried min / max. */
  hasWindow = false;

  private readonly keep: number;

  /** `hz`: snapshots a second, to keep KEEP_MINUTES of them. */
  constructor(
    readonly gpus: readonly number[],
    hz: number,
  ) {
    this.keep = KEEP_MINUTES * 60 * hz;
    for (const field of GPU_FIELDS) this.columns.set(field.key, gpus.map(() => ({ value: [], min: [], max: [] })));
  }

  push(snapshot: GpuSnapshot): void {
    this.times.push(Date.parse(snapshot.timestamp) / 1000);
    if (snapshot.window?.length) this.hasWindow = true;
    for (const field of GPU_FIELDS) {
      const devices = this.columns.get(field.key)!;
      this.gpus.forEach((gpu, i) => {
        const reading = snapshot.latest?.find((r) => r.gpu === gpu);
        const raw = reading && field.value(reading);
        const span = snapshot.window?.find((w) => w.gpu === gpu);
        const range = span && field.window(span);
        devices[i]!.value.push(raw === undefined || raw === null ? null : raw * field.scale);
        devices[i]!.min.push(range ? range.min * field.scale : null);
        devices[i]!.max.push(range ? range.max * field.scale : null);
      });
    }
    if (this.times.length > this.keep) {
      const drop = this.times.length - this.keep;
      this.times.splice(0, drop);
      for (const devices of this.columns.values()) for (const d of devices) for (const c of [d.value, d.min, d.max]) c.splice(0, drop);
    }
  }
}
