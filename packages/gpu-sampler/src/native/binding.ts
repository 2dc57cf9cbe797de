/**
 * Finds and loads the napi addon built into native/. A missing or broken addon is a reason
 * naming the build command, never a crash: the backend treats it like a host without NVML.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GpuSampler } from '../sampler/types.js';

/** The package root (this file is dist/native/binding.js or src/native/binding.ts). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const nativeDir = join(packageRoot, 'native');
export const BUILD_COMMAND = 'npm run build -w @orfeas/gpu-sampler';
/** Overrides the addon's path (tests point it at a missing file). */
export const ADDON_ENV = 'ORFEAS_GPU_SAMPLER_ADDON';

/** The addon's sampler: the public sampler's reads, checked against native/index.d.ts by a test. */
export type NativeSampler = Omit<GpuSampler, 'available' | 'reason'>;

export interface NativeBinding {
  startSampler(options: { libraryPath?: string; intervalMs?: number; ringSize?: number }): NativeSampler;
}

export type Loaded = { binding: NativeBinding; path: string } | { reason: string };

const require = createRequire(import.meta.url);

/** The addon for this platform: native/gpu-sampler.<platform>-<arch>[-libc].node. */
function addonPath(): string | undefined {
  const override = process.env[ADDON_ENV];
  if (override) return override;
  if (!existsSync(nativeDir)) return undefined;
  const prefix = `gpu-sampler.${process.platform}-${process.arch}`;
  const file = readdirSync(nativeDir).find((f) => f.startsWith(prefix) && f.endsWith('.node'));
  return file && join(nativeDir, file);
}

export function loadBinding(): Loaded {
  const path = addonPath();
  if (!path || !existsSync(path)) {
    return {
      reason:
        `the native addon ${path ?? join(nativeDir, `gpu-sampler.${process.platform}-${process.arch}*.node`)} is missing: ` +
        `build it with \`${BUILD_COMMAND}\` (needs Rust's cargo)`,
    };
  }
  try {
    return { binding: require(path) as NativeBinding, path };
  } catch (error) {
    return { reason: `the native addon ${path} failed to load (${(error as Error).message}): rebuild it with \`${BUILD_COMMAND}\`` };
  }
}
