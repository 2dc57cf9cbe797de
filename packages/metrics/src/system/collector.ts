/**
 * The system family, read at scrape time: CPU busy ratio per core since the previous scrape,
 * host memory, disk space of configured paths, uptime and app_info.
 */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Gauge } from 'prom-client';

export interface SystemOptions {
  /** Paths whose file system is reported in system_disk_bytes (default: the working directory). */
  diskPaths?: readonly string[];
  /** app_info labels. */
  version?: string;
  environment?: string;
}

type CpuTimes = { busy: number; total: number };

/** The collect() functions of the system family, keyed by catalog handle. */
export function systemCollectors(options: SystemOptions = {}) {
  const diskPaths = options.diskPaths ?? [process.cwd()];
  const version = options.version ?? process.env.npm_package_version ?? '0.0.0';
  const environment = options.environment ?? process.env.NODE_ENV ?? 'development';
  let previous = cpuTimes();

  return {
    cpuUsageRatio(this: Gauge<'core'>) {
      const current = cpuTimes();
      current.forEach((now, core) => {
        const before = previous[core] ?? { busy: 0, total: 0 };
        const total = now.total - before.total;
        this.set({ core: String(core) }, total > 0 ? (now.busy - before.busy) / total : 0);
      });
      previous = current;
    },
    memoryBytes(this: Gauge<'type'>) {
      const total = os.totalmem();
      const free = os.freemem();
      const available = memAvailable() ?? free;
      this.set({ type: 'total' }, total);
      this.set({ type: 'free' }, free);
      this.set({ type: 'available' }, available);
      this.set({ type: 'used' }, total - available);
    },
    diskBytes(this: Gauge<'path' | 'type'>) {
      for (const path of diskPaths) {
        try {
          const s = statfsSync(path);
          const total = s.blocks * s.bsize;
          const free = s.bavail * s.bsize;
          this.set({ path, type: 'total' }, total);
          this.set({ path, type: 'free' }, free);
          this.set({ path, type: 'used' }, total - s.bfree * s.bsize);
        } catch {
          // A path that does not exist (yet) has no series rather than failing the scrape.
        }
      }
    },
    appUptimeSeconds(this: Gauge) {
      this.set(process.uptime());
    },
    appInfo(this: Gauge<'version' | 'environment' | 'node_version'>) {
      this.set({ version, environment, node_version: process.version }, 1);
    },
  };
}

function cpuTimes(): CpuTimes[] {
  return os.cpus().map(({ times }) => {
    const total = times.user + times.nice + times.sys + times.idle + times.irq;
    return { busy: total - times.idle, total };
  });
}

function memAvailable(): number | undefined {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
