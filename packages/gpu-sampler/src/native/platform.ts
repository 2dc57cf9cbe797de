/**
 * Which platform package holds this host's addon, in napi-rs's naming (linux-x64-gnu,
 * linux-arm64-musl, ...), with gnu and musl told apart, and what to say when there is none.
 * Everything but currentHost() is a pure function of the host, so tests can ask about any.
 */
import { readFileSync } from 'node:fs';

export type Libc = 'glibc' | 'musl';

export interface Host {
  platform: string;
  arch: string;
  /** The C library Node runs on (Linux only). */
  libc?: Libc;
}

/** The package's name and its `napi.targets` (Rust target triples). */
export interface PackageTargets {
  name: string;
  targets: readonly string[];
}

export type PlatformPackage =
  | { identity: string; packageName: string }
  | { identity: string; error: string };

export const BUILD_COMMAND = 'npm run build -w @orfeas/gpu-sampler';

/** napi-rs's platform identity, as in gpu-sampler.linux-x64-gnu.node and the package's name. */
export function platformIdentity({ platform, arch, libc }: Host): string {
  if (platform === 'linux') {
    const musl = libc === 'musl';
    return arch === 'arm' ? `linux-arm-${musl ? 'musleabihf' : 'gnueabihf'}` : `linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  }
  return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

const CPUS: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64', s390x: 's390x', powerpc64le: 'ppc64' };
const SYSTEMS: Record<string, string> = { linux: 'linux', darwin: 'darwin', windows: 'win32', freebsd: 'freebsd' };
const ABIS = new Set(['gnu', 'musl', 'msvc', 'gnueabihf', 'musleabihf']);

/** The identity of a Rust target triple, as napi-rs names its npm dir: x86_64-unknown-linux-gnu -> linux-x64-gnu. */
export function tripleIdentity(triple: string): string {
  const [cpu = '', , system = '', abi] = triple.split('-');
  const arch = CPUS[cpu];
  const platform = SYSTEMS[system];
  if (!arch || !platform || (abi !== undefined && !ABIS.has(abi))) {
    throw new Error(`napi.targets: cannot name the platform of the target triple "${triple}"`);
  }
  return [platform, arch, abi].filter(Boolean).join('-');
}

/** The platform package for a host, or an error naming the host and the platforms that have builds. */
export function platformPackage(host: Host, pkg: PackageTargets): PlatformPackage {
  const identity = platformIdentity(host);
  const identities = pkg.targets.map(tripleIdentity);
  if (identities.includes(identity)) return { identity, packageName: `${pkg.name}-${identity}` };
  return {
    identity,
    error:
      `${pkg.name} has no native build for ${identity}; builds exist for ${identities.join(', ')}. ` +
      `On one of those, install ${pkg.name} with its optional dependencies (npm picks ${pkg.name}-<platform> for the host); ` +
      `elsewhere build the addon from source in the ORFEAS repository with \`${BUILD_COMMAND}\` (needs Rust's cargo) ` +
      `and point ORFEAS_GPU_SAMPLER_ADDON at the .node file it writes`,
  };
}

/** Why a platform package that should be there could not be found. */
export function notInstalledMessage(pkg: { name: string }, found: { identity: string; packageName: string }): string {
  return (
    `the addon for ${found.identity} is missing: the platform package ${found.packageName} is not installed. ` +
    `Install ${pkg.name} again without leaving out optional dependencies (npm's --omit=optional drops it), ` +
    `or install ${found.packageName} beside it; in the ORFEAS repository, build it with \`${BUILD_COMMAND}\` (needs Rust's cargo)`
  );
}

/** This process's host. */
export function currentHost(): Host {
  return process.platform === 'linux' ? { platform: 'linux', arch: process.arch, libc: runningLibc() } : { platform: process.platform, arch: process.arch };
}

/**
 * The C library this Node runs on, as napi-rs's generated loader tells: glibc when Node's own
 * report names a glibc runtime, musl when ldd or the loaded libraries say musl.
 */
function runningLibc(): Libc {
  const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined;
  if (report && typeof report.getReport === 'function') {
    // Without this the report resolves the host's sockets, which can take seconds.
    const excludeNetwork = report.excludeNetwork;
    report.excludeNetwork = true;
    try {
      const content = report.getReport() as { header?: { glibcVersionRuntime?: string }; sharedObjects?: string[] };
      if (content.header?.glibcVersionRuntime) return 'glibc';
      if (content.sharedObjects?.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))) return 'musl';
    } finally {
      report.excludeNetwork = excludeNetwork;
    }
  }
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl') ? 'musl' : 'glibc';
  } catch {
    return 'glibc';
  }
}
