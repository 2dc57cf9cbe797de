/**
 * docker-compose-monitoring.yml, checked structurally and by `docker-compose config` (no Docker
 * engine here): the backend built from the repository's Dockerfile beside the four monitoring
 * services, pinned images, every mounted repository path present, the provisioning mounted
 * where Grafana reads it, and the backend where Prometheus scrapes it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, MONITORING_DIR } from '../stack/paths.mjs';

interface Service {
  image: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  network_mode?: string;
  extra_hosts?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  read_only?: boolean;
  tmpfs?: string[];
}
const compose: { services: Record<string, Service>; volumes?: Record<string, unknown> } = parse(readFileSync(COMPOSE_FILE, 'utf8'));
const GPU_OVERRIDE = resolve(MONITORING_DIR, 'docker-compose-gpu.yml');
const services = Object.entries(compose.services);
const pulled = services.filter(([, service]) => !service.build);
const composeTool = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });

describe('docker-compose-monitoring.yml', () => {
  it('runs the backend beside Prometheus, Alertmanager, Grafana and node exporter', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'backend', 'grafana', 'node-exporter', 'prometheus']);
  });

  it('builds the backend from the repository Dockerfile and keeps its data on a volume, on a read-only root', () => {
    const backend = compose.services.backend!;
    expect(existsSync(resolve(MONITORING_DIR, backend.build!.context, backend.build!.dockerfile))).toBe(true);
    expect(backend.volumes).toContain('orfeas-data:/data');
    expect(backend.read_only).toBe(true);
    expect(backend.tmpfs).toContain('/tmp');
    // Prometheus scrapes localhost:<PORT> from the host network, where the backend listens:
    // the committed targets file (file SD, mounted with ./prometheus) lists it.
    expect(backend.network_mode).toBe('host');
    const targets = parse(readFileSync(resolve(MONITORING_DIR, 'prometheus/targets/orfeas-backend.yml'), 'utf8'));
    expect(targets.flatMap((group: { targets: string[] }) => group.targets)).toContain(`localhost:${backend.environment?.PORT}`);
  });

  it('passes docker-compose config, alone and with the GPU override', (ctx) => {
    if (composeTool.status !== 0) {
      if (process.env.CI === 'true') throw new Error('needs docker-compose (apt-get install docker-compose); CI=true, so a missing tool is a failure');
      ctx.skip('needs docker-compose (apt-get install docker-compose)');
    }
    const plain = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    const gpu = spawnSync('docker-compose', ['-f', COMPOSE_FILE, '-f', GPU_OVERRIDE, 'config'], { encoding: 'utf8' });
    expect(gpu.status, gpu.stderr).toBe(0);
    const merged = parse(gpu.stdout);
    expect(merged.services.backend.deploy.resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 'all', capabilities: ['gpu', 'utility'] }]);
    expect(merged.services.backend.volumes.length).toBe(1);
  });

  it.each(pulled)('%s has a pinned image', (_, service) => {
    expect(service.image).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
  });

  it.each(services)('%s mounts only paths that exist or named volumes', (_, service) => {
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(':');
      if (source!.startsWith('./')) expect(existsSync(resolve(MONITORING_DIR, source!)), volume).toBe(true);
      else if (!source!.startsWith('/')) expect(compose.volumes, volume).toHaveProperty(source!);
    }
  });

  it('mounts the Prometheus, Alertmanager and Grafana configuration where each reads it', () => {
    expect(compose.services.prometheus?.volumes).toContain('./prometheus:/etc/prometheus:ro');
    expect(compose.services.alertmanager?.volumes).toContain('./alertmanager:/etc/alertmanager:ro');
    expect(compose.services.grafana?.volumes).toEqual(
      expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']),
    );
    const provider = parse(readFileSync(resolve(MONITORING_DIR, 'grafana/provisioning/dashboards/orfeas.yml'), 'utf8'));
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('reaches the backend on the host: Prometheus on the host network, Grafana through host.docker.internal', () => {
    expect(compose.services.prometheus?.network_mode).toBe('host');
    expect(compose.services.grafana?.extra_hosts).toContain('host.docker.internal:host-gateway');
    const datasource = parse(readFileSync(resolve(MONITORING_DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'));
    expect(datasource.datasources[0].url).toBe('http://host.docker.internal:9090');
  });
});
