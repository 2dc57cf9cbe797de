/**
 * Running podman on these machines: runc (crun fails on the hybrid cgroups), cgroupfs, the
 * host's network (the package registries are reached through it) and rlimits the kernel accepts.
 */
import { spawnSync } from 'node:child_process';

export const PODMAN_GLOBAL = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
export const PODMAN_RUN = ['--network=host', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

/** The tools `npm run image` needs, each with the Debian package that has it; [] when all are there. */
export function missingTools() {
  const tools = [['podman', 'podman'], ['runc', 'runc'], ['debootstrap', 'debootstrap']];
  return tools.filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0).map(([, pkg]) => pkg);
}

/** Runs `podman <args>`; returns stdout, or throws with podman's own message. */
export function podman(args, { stdio = 'pipe', input, cwd } = {}) {
  const result = spawnSync('podman', [...PODMAN_GLOBAL, ...args], { cwd, encoding: 'utf8', stdio: stdio === 'inherit' ? ['pipe', 'inherit', 'inherit'] : 'pipe', input, maxBuffer: 64 << 20 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`podman ${args.join(' ')} failed (exit ${result.status})${result.stderr ? `: ${result.stderr.trim().slice(-2000)}` : ''}`);
  }
  return result.stdout ?? '';
}

export const imageExists = (name) => spawnSync('podman', [...PODMAN_GLOBAL, 'image', 'exists', name]).status === 0;
