/**
 * Builds the native half of @orfeas/gpu-sampler into native/: the napi-rs addon and
 * libnvml_sim.so with its default scenario. The addon's generated types go to addon.d.ts,
 * committed as napi-rs/node-rs commit their index.d.ts, so the TypeScript builds without cargo;
 * a build that changes it says so (and fails under CI=true: commit the new file). Without cargo
 * it says what is missing and leaves the TypeScript build to go on, except under CI=true.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pkg, requireCargo, root, run } from './cargo.mjs';

const label = 'gpu-sampler build';
const native = join(pkg, 'native');
requireCargo(label, 'the native addon and libnvml_sim.so were not built; the sampler will report available: false');

// Everything is built into a staging folder and renamed into native/ at the end: a process
// that has the old libraries mapped (a running backend, `npm run dev`) keeps its copy instead
// of crashing on a file overwritten in place.
const staging = join(pkg, 'native.staging');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
run(
  join(root, 'node_modules/.bin/napi'),
  ['build', '--platform', '--release', '--manifest-path', join(root, 'crates/gpu-sampler/Cargo.toml'),
    '--features', 'napi', '--package-json-path', join(pkg, 'package.json'), '--output-dir', staging,
    '--no-js', '--dts', 'index.d.ts'],
  pkg,
  label,
);
run('cargo', ['build', '--release', '-p', 'nvml-sim'], root, label);
const target = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
copyFileSync(join(target, 'release/libnvml_sim.so'), join(staging, 'libnvml_sim.so'));
copyFileSync(join(root, 'crates/nvml-sim/scenarios/default.json'), join(staging, 'nvml-sim-default.json'));
const types = join(pkg, 'addon.d.ts');
const generated = readFileSync(join(staging, 'index.d.ts'), 'utf8');
rmSync(join(staging, 'index.d.ts'));
const changed = !existsSync(types) || readFileSync(types, 'utf8') !== generated;
if (changed) writeFileSync(types, generated);
mkdirSync(native, { recursive: true });
for (const file of readdirSync(staging)) renameSync(join(staging, file), join(native, file));
rmSync(staging, { recursive: true, force: true });
console.log(`gpu-sampler build: native addon and libnvml_sim.so in ${native}`);
if (changed) {
  console.error(`gpu-sampler build: addon.d.ts changed with crates/gpu-sampler/src/napi.rs; commit it with the Rust`);
  if (process.env.CI === 'true') process.exit(1);
}
