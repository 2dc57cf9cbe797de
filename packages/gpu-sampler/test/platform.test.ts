/**
 * Which platform package a host gets (napi-rs's names, gnu and musl apart), the error a host
 * without a build sees, and the committed npm/<platform>/ packages agreeing with napi.targets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILD_COMMAND, currentHost, notInstalledMessage, platformIdentity, platformPackage, tripleIdentity } from '../src/native/platform.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  napi: { binaryName: string; targets: string[] };
};
const pkg = { name: manifest.name, targets: manifest.napi.targets };

describe('platform identity', () => {
  it('tells gnu and musl apart on Linux, as napi-rs names its packages', () => {
    expect(platformIdentity({ platform: 'linux', arch: 'x64', libc: 'glibc' })).toBe('linux-x64-gnu');
    expect(platformIdentity({ platform: 'linux', arch: 'x64', libc: 'musl' })).toBe('linux-x64-musl');
    expect(platformIdentity({ platform: 'linux', arch: 'arm64', libc: 'glibc' })).toBe('linux-arm64-gnu');
    expect(platformIdentity({ platform: 'linux', arch: 'arm64', libc: 'musl' })).toBe('linux-arm64-musl');
    expect(platformIdentity({ platform: 'linux', arch: 'arm', libc: 'glibc' })).toBe('linux-arm-gnueabihf');
    expect(platformIdentity({ platform: 'darwin', arch: 'arm64' })).toBe('darwin-arm64');
    expect(platformIdentity({ platform: 'win32', arch: 'x64' })).toBe('win32-x64-msvc');
  });

  it('names target triples the same way', () => {
    expect(manifest.napi.targets.map(tripleIdentity)).toEqual(['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl']);
    expect(tripleIdentity('aarch64-apple-darwin')).toBe('darwin-arm64');
    expect(tripleIdentity('x86_64-pc-windows-msvc')).toBe('win32-x64-msvc');
    expect(() => tripleIdentity('wasm32-wasip1-threads')).toThrow('cannot name the platform of the target triple "wasm32-wasip1-threads"');
  });

  it("reads this host's C library as its ldd does", () => {
    const host = currentHost();
    expect(host).toMatchObject({ platform: process.platform, arch: process.arch });
    if (process.platform === 'linux' && existsSync('/usr/bin/ldd')) {
      expect(host.libc).toBe(readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'glibc');
    }
  });
});

describe('platform package', () => {
  it('is the gnu package on glibc and the musl package on musl', () => {
    expect(platformPackage({ platform: 'linux', arch: 'x64', libc: 'glibc' }, pkg)).toEqual({ identity: 'linux-x64-gnu', packageName: '@orfeas/gpu-sampler-linux-x64-gnu' });
    expect(platformPackage({ platform: 'linux', arch: 'x64', libc: 'musl' }, pkg)).toEqual({ identity: 'linux-x64-musl', packageName: '@orfeas/gpu-sampler-linux-x64-musl' });
    expect(platformPackage({ platform: 'linux', arch: 'arm64', libc: 'musl' }, pkg)).toEqual({ identity: 'linux-arm64-musl', packageName: '@orfeas/gpu-sampler-linux-arm64-musl' });
  });

  it('names the host, the platforms with builds and the way out when none fits', () => {
    const none = platformPackage({ platform: 'darwin', arch: 'arm64' }, pkg);
    expect(none).toHaveProperty('error');
    const error = (none as { error: string }).error;
    expect(error).toContain('@orfeas/gpu-sampler has no native build for darwin-arm64; builds exist for linux-x64-gnu, linux-arm64-gnu, linux-x64-musl, linux-arm64-musl.');
    expect(error).toContain(`build the addon from source in the ORFEAS repository with \`${BUILD_COMMAND}\``);
    expect(error).toContain('ORFEAS_GPU_SAMPLER_ADDON');
    // A musl host where only gnu builds exist is told so, not handed the glibc addon.
    const gnuOnly = platformPackage({ platform: 'linux', arch: 'x64', libc: 'musl' }, { name: pkg.name, targets: ['x86_64-unknown-linux-gnu'] });
    expect(gnuOnly).toMatchObject({ error: expect.stringContaining('has no native build for linux-x64-musl; builds exist for linux-x64-gnu.') });
  });

  it('names the platform package to install when a supported host lacks it', () => {
    const message = notInstalledMessage(pkg, { identity: 'linux-arm64-gnu', packageName: '@orfeas/gpu-sampler-linux-arm64-gnu' });
    expect(message).toContain('the platform package @orfeas/gpu-sampler-linux-arm64-gnu is not installed');
    expect(message).toContain('--omit=optional');
    expect(message).toContain(BUILD_COMMAND);
  });
});

describe('npm/<platform>/ (napi create-npm-dirs, then nvml-sim added)', () => {
  it.each(manifest.napi.targets.map(tripleIdentity))('%s is the package the loader asks for, carrying the addon and nvml-sim', (identity) => {
    const platform = JSON.parse(readFileSync(new URL(`../npm/${identity}/package.json`, import.meta.url), 'utf8'));
    const [, arch, abi] = identity.split('-');
    expect(platform).toMatchObject({
      name: `${manifest.name}-${identity}`,
      version: manifest.version,
      os: ['linux'],
      cpu: [arch],
      libc: [abi === 'musl' ? 'musl' : 'glibc'],
      main: `${manifest.napi.binaryName}.${identity}.node`,
    });
    expect(platform.files).toEqual([`${manifest.napi.binaryName}.${identity}.node`, 'libnvml_sim.so', 'nvml-sim-default.json']);
  });
});
