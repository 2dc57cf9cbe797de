/**
 * docker-compose-monitoring.yml, checked structurally (no Docker engine here): the four
 * services, pinned images, every mounted repository path present, the provisioning mounted
 * where Grafana reads it, and a way to reach the backend on the host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, MONITORING_DIR } from '../stack/paths.mjs';

interface Service { image: string; volumes?: string[]; network_mode?: string; extra_hosts?: string[]; ports?: string[] }
const compose: { services: Record<string, Service>; volumes?: Record<string, unknown> } = parse(readFileSync(COMPOSE_FILE, 'utf8'));
const services = Object.entries(compose.services);

describe('docker-compose-monitoring.yml', () => {
  it('runs Prometheus, Alertmanager, Grafana and node exporter', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'grafana', 'node-exporter', 'prometheus']);
  });

  it.each(services)('%s has a pinned image', (_, service) => {
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
