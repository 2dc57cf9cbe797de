/**
 * Packs @orfeas/gpu-sampler into <out-dir> the way napi-rs publishes an addon: the host's
 * platform package (npm/<platform>/ with the built addon and nvml-sim copied in), and the main
 * package with an optional dependency on every target's platform package, pinned to its
 * version, as `napi pre-publish` writes them at release. Both are packed from a staging copy,
 * so the source tree stays as it was.
 *
 *   npm run pack -w @orfeas/gpu-sampler -- <out-dir>
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pkg, root } from './cargo.mjs';
import { SIM_FILES, npmDir, readJson } from './platforms.mjs';

const label = 'gpu-sampler pack';
const BUILD = 'build it with `npm run build -w @orfeas/gpu-sampler` (needs Rust\'s cargo)';

function fail(message) {
  console.error(`${label}: ${message}`);
  process.exit(1);
}

if (!process.argv[2]) fail('usage: npm run pack -w @orfeas/gpu-sampler -- <out-dir>');
// npm runs scripts in the package's folder; INIT_CWD is where the command was typed.
const out = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2]);
if (!existsSync(join(pkg, 'dist/native/platform.js'))) fail(`dist/ is missing: ${BUILD}`);
const { currentHost, platformPackage, tripleIdentity } = await import('../dist/native/platform.js');

const manifest = readJson(join(pkg, 'package.json'));
const { binaryName, targets } = manifest.napi;
const host = platformPackage(currentHost(), { name: manifest.name, targets });
if ('error' in host) fail(host.error);
const nativeFiles = [`${binaryName}.${host.identity}.node`, ...SIM_FILES];
for (const file of nativeFiles) {
  if (!existsSync(join(pkg, 'native', file))) fail(`native/${file} is missing: ${BUILD}`);
}
const platformManifest = readJson(join(npmDir, host.identity, 'package.json'));
const unlisted = nativeFiles.filter((file) => !platformManifest.files.includes(file));
if (platformManifest.version !== manifest.version || unlisted.length > 0) {
  fail(
    `npm/${host.identity}/package.json is out of date (version ${platformManifest.version}, package ${manifest.version}` +
      `${unlisted.length ? `; files lack ${unlisted.join(', ')}` : ''}): run \`npm run npm-dirs -w @orfeas/gpu-sampler\``,
  );
}

/** "*" on a workspace package becomes a caret range on its current version, which a registry can satisfy. */
function published(dependencies = {}) {
  return Object.fromEntries(
    Object.entries(dependencies).map(([name, range]) => [name, range === '*' ? `^${readJson(join(root, 'node_modules', name, 'package.json')).version}` : range]),
  );
}

/** Runs `npm pack` in a folder, without the workspace settings of the `npm run` that started this. */
function npmPack(dir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(workspaces?|include_workspace_root|local_prefix)$/i.test(key)));
  const result = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw result.error;
  if (result.status !== 0) fail(`npm pack in ${dir} failed (exit ${result.status})`);
  return JSON.parse(result.stdout)[0].filename;
}

const staging = mkdtempSync(join(tmpdir(), 'orfeas-gpu-sampler-pack-'));
try {
  const platformDir = join(staging, host.identity);
  cpSync(join(npmDir, host.identity), platformDir, { recursive: true });
  for (const file of nativeFiles) cpSync(join(pkg, 'native', file), join(platformDir, file));

  const mainDir = join(staging, 'main');
  for (const entry of [...manifest.files, 'README.md']) cpSync(join(pkg, entry), join(mainDir, entry), { recursive: true });
  const { scripts: _scripts, devDependencies: _devDependencies, ...rest } = manifest;
  const packed = {
    ...rest,
    dependencies: published(manifest.dependencies),
    optionalDependencies: Object.fromEntries(targets.map((triple) => [`${manifest.name}-${tripleIdentity(triple)}`, manifest.version])),
  };
  writeFileSync(join(mainDir, 'package.json'), `${JSON.stringify(packed, null, 2)}\n`);

  mkdirSync(out, { recursive: true });
  for (const dir of [platformDir, mainDir]) console.log(`${label}: ${join(out, npmPack(dir))}`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
