/**
 * Finds and loads the napi addon: ORFEAS_GPU_SAMPLER_ADDON when set, else the build in native/
 * (this repository), else the host's platform package (an install). A missing or broken addon
 * is a reason saying what to install or build (code `addon` in createGpuSampler), never a
 * crash: the backend treats it like a host without NVML.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Addon from '../../addon.js';
import { BUILD_COMMAND, currentHost, notInstalledMessage, platformPackage } from './platform.js';

export { BUILD_COMMAND } from './platform.js';

/** The package root (this file is dist/native/binding.js or src/native/binding.ts). */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const nativeDir = join(packageRoot, 'native');
/** Overrides the addon's path (tests point it at a missing file). */
export const ADDON_ENV = 'ORFEAS_GPU_SAMPLER_ADDON';

/** What the addon exports, as its generated addon.d.ts declares. */
export type NativeBinding = typeof Addon;

/** The addon, or why there is none (what to install or build; `cause` when it failed to load). */
export type Loaded = { binding: NativeBinding; path: string } | { reason: string; cause?: unknown };

const require = createRequire(import.meta.url);
const manifest = require('../../package.json') as { name: string; napi: { binaryName: string; targets: string[] } };

/** This host's platform package (or why there is none). */
export const hostPlatform = platformPackage(currentHost(), { name: manifest.name, targets: manifest.napi.targets });
/** Where `napi build --platform` puts this host's addon in this repository. */
const builtAddon = join(nativeDir, `${manifest.napi.binaryName}.${hostPlatform.identity}.node`);

/** The installed platform package's folder, if there is one. */
export function platformPackageDir(): string | undefined {
  if (!('packageName' in hostPlatform)) return undefined;
  try {
    return dirname(require.resolve(`${hostPlatform.packageName}/package.json`));
  } catch {
    return undefined;
  }
}

function addonPath(): { path: string } | { reason: string } {
  const override = process.env[ADDON_ENV];
  if (override) {
    return existsSync(override) ? { path: override } : { reason: `the native addon ${override} (${ADDON_ENV}) is missing: build it with \`${BUILD_COMMAND}\` (needs Rust's cargo)` };
  }
  if (existsSync(builtAddon)) return { path: builtAddon };
  if ('error' in hostPlatform) return { reason: hostPlatform.error };
  const dir = platformPackageDir();
  if (!dir) return { reason: notInstalledMessage(manifest, hostPlatform) };
  return { path: join(dir, `${manifest.napi.binaryName}.${hostPlatform.identity}.node`) };
}

export function loadBinding(): Loaded {
  const found = addonPath();
  if ('reason' in found) return found;
  const { path } = found;
  try {
    return { binding: require(path) as NativeBinding, path };
  } catch (error) {
    return {
      reason: `the native addon ${path} failed to load (${(error as Error).message}): reinstall ${manifest.name}, or in the ORFEAS repository rebuild it with \`${BUILD_COMMAND}\``,
      cause: error,
    };
  }
}
