/**
 * Compiled by native-types.test.ts once the addon is built: the public types of
 * src/sampler/types.ts against the addon's generated native/index.d.ts. Same field names,
 * and every public value fits the generated type (the public ones only narrow strings).
 */
import type * as Native from '../../native/index.js';
import type * as Public from '../../src/sampler/types.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function sameKeys<_ extends true>(): void {}
function fits<N>(_: N): void {}

sameKeys<Same<keyof Native.NativeDevice, keyof Public.GpuDevice>>();
sameKeys<Same<keyof Native.NativeReading, keyof Public.GpuReading>>();
sameKeys<Same<keyof Native.NativeMemory, keyof Public.GpuMemoryBytes>>();
sameKeys<Same<keyof Native.NativeClocks, keyof Public.GpuClocksHz>>();
sameKeys<Same<keyof Native.NativeDriverSample, keyof Public.GpuDriverSample>>();
sameKeys<Same<keyof Native.NativeMinMaxMean, keyof Public.GpuMinMaxMean>>();
sameKeys<Same<keyof Native.NativeWindow, keyof Public.GpuWindow>>();
sameKeys<Same<keyof Native.NativeSamples, keyof Public.GpuSamples>>();
sameKeys<Same<keyof Native.NativeDeviceStats, keyof Public.GpuDeviceStats>>();
sameKeys<Same<keyof Native.NativeStats, keyof Public.GpuSamplerStats>>();
sameKeys<Same<keyof Native.NativeSnapshot, keyof Public.GpuSnapshot>>();
sameKeys<Same<keyof Native.NativeSampler, Exclude<keyof Public.GpuSampler, 'available' | 'reason'>>>();

declare const snapshot: Public.GpuSnapshot;
declare const samples: Public.GpuSamples;
declare const windows: Public.GpuWindow[];
declare const sampler: Omit<Public.GpuSampler, 'available' | 'reason'>;
fits<Native.NativeSnapshot>(snapshot);
fits<Native.NativeSamples>(samples);
fits<Native.NativeWindow[]>(windows);
fits<Native.NativeSampler>(sampler);
