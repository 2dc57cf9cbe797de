/**
 * A registry populated the way a busy ORFEAS backend's is: 50 routes x 4 methods x 5 statuses
 * of HTTP series, 8 GPUs of every GPU family metric, and every other family recorded.
 */
import { catalog, GPU_CLOCKS, GPU_MEMORY_TYPES, GPU_THROTTLE_REASONS } from '../dist/catalog.js';
import { createMetrics, defineMetric } from '../dist/index.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = ['200', '201', '400', '404', '500'];
const GPUS = 8;

export function populatedMetrics({ nativeHistograms = true } = {}) {
  const metrics = createMetrics({ nativeHistograms });
  const { http } = metrics;
  for (let r = 0; r < 50; r++) {
    const route = `/api/v1/resource-${r}/:id`;
    for (const method of METHODS) {
      http.requestSizeBytes.observe({ method, route }, 512);
      http.responseSizeBytes.observe({ method, route }, 2048);
      for (const status of STATUSES) {
        http.requestsTotal.inc({ method, route, status });
        http.requestDurationSeconds.observe({ method, route, status }, 0.042);
      }
    }
  }
  for (const method of METHODS) http.requestsInFlight.set({ method }, 1);
  populateGpus(metrics.registry);
  populateRest(metrics);
  return metrics;
}

function populateGpus(registry) {
  const extra = { type: GPU_MEMORY_TYPES, clock: GPU_CLOCKS, reason: GPU_THROTTLE_REASONS, fan: ['0', '1'] };
  for (const def of Object.values(catalog.gpu)) {
    const metric = defineMetric(registry, def);
    if (def.labels.length === 0) {
      if (metric.inc) metric.inc(1);
      else metric.set(1);
      continue;
    }
    for (let gpu = 0; gpu < GPUS; gpu++) {
      for (const labels of combinations(def.labels, { gpu: [String(gpu)], uuid: [`GPU-${gpu}`], name: ['NVIDIA H100'], driver_version: ['550.54'], field: ['power'], error: ['timeout'], ...extra })) {
        if (def.type === 'counter') metric.inc(labels, 1);
        else metric.set(labels, 1);
      }
    }
  }
}

function populateRest(metrics) {
  for (const [family, defs] of Object.entries(catalog)) {
    if (family === 'gpu' || family === 'http' || family === 'system' || family === 'meta') continue;
    for (const [handle, def] of Object.entries(defs)) {
      const metric = metrics[family][handle];
      for (const labels of combinations(def.labels, Object.fromEntries(def.labels.map((l) => [l, allowed(def, l)])))) {
        if (def.type === 'histogram') metric.observe(labels, 1);
        else if (def.type === 'counter') metric.inc(labels, 1);
        else metric.set(labels, 1);
      }
    }
  }
}

function allowed(def, label) {
  const bound = def.bounds?.[label];
  return bound && 'values' in bound ? bound.values : ['a', 'b', 'c'];
}

function combinations(labels, values) {
  return labels.reduce(
    (sets, label) => sets.flatMap((set) => (values[label] ?? ['x']).map((v) => ({ ...set, [label]: v }))),
    [{}],
  );
}
