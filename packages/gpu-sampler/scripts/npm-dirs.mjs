/**
 * Writes npm/<platform>/ for every `napi.targets` entry with `napi create-npm-dirs`, then adds
 * nvml-sim to each package's files: libnvml_sim.so is native code of the same platform, and
 * shipping it beside the addon is what makes simulated GPUs work from an install. The output
 * is committed; run this again after changing the targets, name, version or description.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkg, root, run } from './cargo.mjs';
import { SIM_FILES, npmDir, platformDirs, readJson } from './platforms.mjs';

const label = 'gpu-sampler npm-dirs';
run(join(root, 'node_modules/.bin/napi'), ['create-npm-dirs', '--package-json-path', join(pkg, 'package.json'), '--npm-dir', npmDir], pkg, label);
for (const dir of platformDirs()) {
  const file = join(dir, 'package.json');
  const manifest = readJson(file);
  manifest.files = [...new Set([...manifest.files, ...SIM_FILES])];
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
console.log(`${label}: ${platformDirs().length} platform packages in ${npmDir}`);
