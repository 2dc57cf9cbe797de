/**
 * `npm run image`: builds the root Dockerfile as orfeas-backend:dev with podman, on local base
 * images (base-images.mjs) since no registry can be reached here, the host's Rust toolchain
 * mounted into the build stage. Prints the image's size and the build's time as JSON on the
 * last line. Elsewhere, `docker build -t orfeas-backend .` builds the same file.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBaseImages, hostRust } from './base-images.mjs';
import { missingTools, podman, PODMAN_RUN } from './podman.mjs';

export const IMAGE = process.env.ORFEAS_IMAGE ?? 'orfeas-backend:dev';
const root = fileURLToPath(new URL('../..', import.meta.url));

function gitRevision() {
  const git = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : 'unknown';
}

/** Builds the image; returns { image, seconds, bytes, baseSeconds }. */
export function buildImage({ noCache = false } = {}) {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(`npm run image needs ${missing.join(', ')}: apt-get install -y ${missing.join(' ')} (or build with Docker: docker build -t orfeas-backend .)`);
  }
  const baseStart = performance.now();
  const bases = ensureBaseImages();
  const baseSeconds = (performance.now() - baseStart) / 1000;
  const { rustupHome, cargoHome } = hostRust();
  const start = performance.now();
  podman(
    [
      'build', ...PODMAN_RUN, '--format', 'docker', '--layers',
      ...(noCache ? ['--no-cache'] : []),
      '--build-arg', `NODE_IMAGE=${bases.node}`,
      '--build-arg', `RUST_IMAGE=${bases.rust}`,
      '--build-arg', `REVISION=${gitRevision()}`,
      '--build-arg', `CREATED=${new Date().toISOString()}`,
      // The toolchain is read-only; cargo's home holds its registry cache, which the build fills.
      '--volume', `${rustupHome}:/usr/local/rustup:ro`,
      '--volume', `${cargoHome}:/usr/local/cargo`,
      '-t', IMAGE, '-f', 'Dockerfile', '.',
    ],
    { stdio: 'inherit', cwd: root },
  );
  const seconds = (performance.now() - start) / 1000;
  const bytes = Number(podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]).trim());
  return { image: IMAGE, seconds, bytes, baseSeconds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const result = buildImage({ noCache: process.argv.includes('--no-cache') });
    console.log(`image: ${result.image}, ${(result.bytes / 2 ** 20).toFixed(0)} MiB, built in ${result.seconds.toFixed(0)} s`);
    console.log(JSON.stringify(result));
  } catch (error) {
    console.error(`image: ${error.message}`);
    process.exit(1);
  }
}
