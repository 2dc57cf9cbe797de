/**
 * The platform packages under npm/ (napi-rs's layout: npm/<platform>/package.json), shared by
 * the script that writes them and the one that packs them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pkg } from './cargo.mjs';

/** nvml-sim's files, shipped in each platform package beside the addon. */
export const SIM_FILES = ['libnvml_sim.so', 'nvml-sim-default.json'];
export const npmDir = join(pkg, 'npm');

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** npm/<platform>/ folders. */
export function platformDirs() {
  return readdirSync(npmDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(npmDir, d.name));
}
