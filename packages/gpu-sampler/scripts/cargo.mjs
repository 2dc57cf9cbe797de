/**
 * Running cargo from the package scripts: where the workspace is, a two-job default for the
 * two-core development machines, and what to do when cargo is missing (say so and go on,
 * except under CI=true, where a missing tool fails the run).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const root = resolve(pkg, '../..');
const ci = process.env.CI === 'true';
const env = { ...process.env, CARGO_BUILD_JOBS: process.env.CARGO_BUILD_JOBS ?? '2' };

/** Runs a command, exiting with its status when it fails. */
export function run(command, args, cwd, label) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`${label}: \`${command} ${args.join(' ')}\` failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

/** Exits (0, or 1 under CI=true) with a message naming what was skipped when cargo is missing. */
export function requireCargo(label, skipped) {
  const cargo = spawnSync('cargo', ['--version'], { env, encoding: 'utf8' });
  if (!cargo.error && cargo.status === 0) return;
  console.error(
    `${label}: cargo (Rust) was not found, so ${skipped}. Install Rust (https://rustup.rs), then run ` +
      '`npm run build -w @orfeas/gpu-sampler`.',
  );
  process.exit(ci ? 1 : 0);
}
