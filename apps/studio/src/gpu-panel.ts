/**
 * The GPUs: where the telemetry comes from (a "simulated" badge for nvml-sim), each device's
 * readings now, and the charts of the last minutes from the `gpu` room's gpu_stats; or, with
 * no telemetry, a clear statement of that and the backend's reason. GET /api/v1/gpu says the
 * state before the socket is up.
 */
import type { WsEvent } from '@orfeas/metrics/catalog';
import type { Socket } from 'socket.io-client';
import { apiJson } from './api.js';
import type { GpuReading, GpuSnapshot } from './api-types.js';
import { el } from './dom.js';
import { GpuCharts } from './gpu-charts.js';
import { GpuHistory } from './gpu-history.js';
import { bytes, percent } from './units.js';

const GPU_STATS: WsEvent = 'gpu_stats';
const HZ = 1;

export function gpuPanel(root: HTMLElement, socket: Socket): void {
  const badge = el('p', { class: 'gpu-source', 'data-testid': 'gpu-source', role: 'status' }, 'Reading GPU telemetry…');
  const devices = el('ul', { class: 'gpu-devices' });
  const charts = el('div', { class: 'gpu-chart', 'data-testid': 'gpu-chart', 'data-points': '0' });
  const none = el('div', { class: 'gpu-none', 'data-testid': 'gpu-none', hidden: true });
  const stale = el('p', { class: 'stale', role: 'status', hidden: true }, 'Not live: the connection to the backend is down; these are the last readings.');
  root.replaceChildren(badge, stale, none, devices, charts);

  let history: GpuHistory | undefined;
  let chart: GpuCharts | undefined;
  let shape = '';

  const show = (snapshot: GpuSnapshot, stream: boolean) => {
    badge.dataset.source = snapshot.source;
    if (!snapshot.available) {
      badge.textContent = '○ No GPU telemetry';
      none.hidden = false;
      none.replaceChildren(
        el('h3', {}, 'No GPU telemetry'),
        el('p', {}, snapshot.reason ?? 'The backend reports no GPU sampler.'),
        el('p', { class: 'hint' }, snapshot.source === 'off' ? 'Start the backend with ORFEAS_GPU=auto for the NVIDIA driver, or ORFEAS_GPU=sim for simulated GPUs.' : 'No NVIDIA driver answered; ORFEAS_GPU=sim runs simulated GPUs.'),
      );
      devices.replaceChildren();
      charts.hidden = true;
      return;
    }
    none.hidden = true;
    charts.hidden = false;
    badge.textContent =
      snapshot.source === 'sim'
        ? '⚠ Simulated GPUs (nvml-sim): not real hardware'
        : `● NVIDIA driver${snapshot.stats?.driverVersion ? ` ${snapshot.stats.driverVersion}` : ''}`;
    const list = snapshot.devices ?? [];
    devices.replaceChildren(...list.map((d) => el('li', { 'data-gpu': d.index }, el('strong', {}, `GPU ${d.index}`), ` ${d.name} `, d.lost ? el('span', { class: 'state state-failed' }, '✗ lost') : now(snapshot.latest?.find((r) => r.gpu === d.index)))));
    if (!stream) return;
    const key = list.map((d) => `${d.index}:${d.name}`).join('|');
    if (key !== shape) {
      chart?.dispose();
      shape = key;
      history = new GpuHistory(list.map((d) => d.index), HZ);
      chart = new GpuCharts(charts, history, list.map((d) => `GPU ${d.index}`));
    }
    history!.push(snapshot);
    chart!.update();
    stale.hidden = true;
  };

  apiJson<GpuSnapshot>('/api/v1/gpu')
    .then((snapshot) => show(snapshot, false))
    .catch((err: Error) => (badge.textContent = `GPU state unknown: ${err.message}`));
  socket.on('connect', () => socket.emit('gpu_subscribe', { hz: HZ }));
  socket.on('disconnect', () => (stale.hidden = !history));
  socket.on(GPU_STATS, (snapshot: GpuSnapshot) => show(snapshot, true));
}

function now(r: GpuReading | undefined): HTMLElement {
  if (!r) return el('span', { class: 'hint' }, 'no reading yet');
  const parts = [
    r.utilizationRatio !== undefined ? `${percent(r.utilizationRatio)} busy` : '',
    r.memoryBytes ? `${bytes(r.memoryBytes.used)} of ${bytes(r.memoryBytes.total)}` : '',
    r.temperatureCelsius !== undefined ? `${r.temperatureCelsius} °C` : '',
    r.powerWatts !== undefined ? `${Math.round(r.powerWatts)}${r.powerLimitWatts ? ` of ${Math.round(r.powerLimitWatts)}` : ''} W` : '',
    r.throttleReasons?.length ? `throttle: ${r.throttleReasons.join(', ').replaceAll('_', ' ')}` : '',
  ];
  return el('span', { class: 'gpu-now' }, parts.filter(Boolean).join(' · '));
}
