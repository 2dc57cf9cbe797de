/**
 * Builds the native half of @orfeas/gpu-sampler into native/: the napi-rs addon (with its
 * generated index.d.ts) and libnvml_sim.so with its default scenario. Without cargo it says
 * what is missing and leaves the TypeScript build to go on, except under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(pkg, '../..');
const native = join(pkg, 'native');
const ci = process.env.CI === 'true';
// Two cores are shared on the development machines: keep cargo to two jobs unless told.
const env = { ...process.env, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '2' };

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`gpu-sampler build: \`${command} ${args.join(' ')}\` failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

const cargo = spawnSync('cargo', ['--version'], { env, encoding: 'utf8' });
if (cargo.error || cargo.status !== 0) {
  const message =
    'gpu-sampler build: cargo (Rust) was not found, so the native addon and libnvml_sim.so were not built; ' +
    'the sampler will report available: false. Install Rust (https://rustup.rs), then run ' +
    '`npm run build -w @orfeas/gpu-sampler`.';
  console.error(message);
  process.exit(ci ? 1 : 0);
}

mkdirSync(native, { recursive: true });
run(
  join(root, 'node_modules/.bin/napi'),
  ['build', '--platform', '--release', '--manifest-path', join(root, 'crates/gpu-sampler/Cargo.toml'),
    '--features', 'napi', '--package-json-path', join(pkg, 'package.json'), '--output-dir', native,
    '--no-js', '--dts', 'index.d.ts'],
  pkg,
);
run('cargo', ['build', '--release', '-p', 'nvml-sim'], root);
const target = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
copyFileSync(join(target, 'release/libnvml_sim.so'), join(native, 'libnvml_sim.so'));
copyFileSync(join(root, 'crates/nvml-sim/scenarios/default.json'), join(native, 'nvml-sim-default.json'));
console.log(`gpu-sampler build: native addon and libnvml_sim.so in ${native}`);
