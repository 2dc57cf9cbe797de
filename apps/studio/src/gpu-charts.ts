/**
 * The GPU charts (uPlot): one per field (utilization, memory, temperature, power), a line per
 * device and, when the sampler sent its window, a band from the min to the max it saw
 * between points. Devices differ by dash as well as colour, and each chart's legend says the
 * latest value in words.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from './dom.js';
import { GPU_FIELDS, KEEP_MINUTES, type GpuField, type GpuHistory } from './gpu-history.js';

const COLORS = ['#5aa9ff', '#ffb347', '#7ed67e', '#ff7a90'];
const DASHES: (number[] | undefined)[] = [undefined, [6, 4], [2, 3], [10, 3, 2, 3]];
const HEIGHT = 150;

const two = (n: number) => String(n).padStart(2, '0');
const clock = (t: number) => {
  const d = new Date(t * 1000);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};
const color = (i: number) => COLORS[i % COLORS.length]!;
const faded = (i: number, alpha: string) => `${color(i)}${alpha}`;

function format(value: number | null | undefined, field: GpuField): string {
  if (value === null || value === undefined) return 'no reading';
  return `${value.toFixed(field.unit === 'GiB' ? 1 : 0)} ${field.unit}`;
}

export class GpuCharts {
  private readonly plots: uPlot[] = [];
  private readonly legends: HTMLElement[] = [];
  private readonly note = el('p', { class: 'hint' });
  private readonly observer: ResizeObserver;

  constructor(
    readonly root: HTMLElement,
    private readonly history: GpuHistory,
    private readonly names: string[],
  ) {
    const grid = el('div', { class: 'gpu-charts' });
    root.replaceChildren(grid, this.note);
    const width = Math.max(240, Math.floor((root.clientWidth || 960) / 2) - 24);
    for (const field of GPU_FIELDS) {
      const legend = el('p', { class: 'chart-legend' });
      const box = el('figure', { class: 'chart', 'data-field': field.key }, el('figcaption', {}, `${field.title} (${field.unit})`), legend);
      grid.append(box);
      this.legends.push(legend);
      this.plots.push(new uPlot(this.options(field, width), this.data(field.key), box));
    }
    this.observer = new ResizeObserver(() => {
      const w = Math.max(240, (grid.firstElementChild as HTMLElement).clientWidth - 8);
      for (const plot of this.plots) if (plot.width !== w) plot.setSize({ width: w, height: HEIGHT });
    });
    this.observer.observe(grid);
  }

  update(): void {
    GPU_FIELDS.forEach((field, f) => {
      this.plots[f]!.setData(this.data(field.key));
      const devices = this.history.columns.get(field.key)!;
      this.legends[f]!.replaceChildren(
        ...this.history.gpus.map((gpu, i) => {
          const last = devices[i]!.value.at(-1);
          return el('span', { class: 'legend-item' }, el('span', { class: `line-sample dash-${i % DASHES.length}`, style: `border-color:${color(i)}` }), `GPU ${gpu}: ${format(last, field)}`);
        }),
      );
    });
    this.root.dataset.points = String(this.history.times.length);
    this.root.dataset.band = String(this.history.hasWindow);
    const band = this.history.hasWindow ? '; shaded: the lowest to highest value the sampler saw in between' : '';
    this.note.textContent = `Lines: the reading at each point${band}. One point per snapshot (${this.history.times.length} so far), the last ${KEEP_MINUTES} minutes kept.`;
  }

  dispose(): void {
    this.observer.disconnect();
    for (const plot of this.plots) plot.destroy();
  }

  private timeRange(times: ArrayLike<number>): uPlot.Range.MinMax {
    const first = times[0];
    const last = times[times.length - 1];
    if (first === undefined || last === undefined) return [Date.now() / 1000 - 60, Date.now() / 1000];
    return [Math.min(first, last - 60), last];
  }

  private data(key: string): uPlot.AlignedData {
    const devices = this.history.columns.get(key)!;
    return [this.history.times, ...devices.flatMap((d) => [d.value, d.max, d.min])];
  }

  private options(field: GpuField, width: number): uPlot.Options {
    const axis = { stroke: '#9aa7bd', grid: { stroke: '#2a3345', width: 1 }, ticks: { stroke: '#2a3345', width: 1 } };
    return {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // At least the last minute, so a fresh chart fills from the right as a live one should.
        // (From the data: uPlot widens a single point to a day.)
        x: { time: true, range: (u) => this.timeRange(u.data[0]) },
        y: { range: (_u, _min, max) => field.range ?? [0, max > 0 ? max * 1.15 : 1] },
      },
      axes: [{ ...axis, space: 70, values: (_u, ticks) => ticks.map(clock) }, { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => `${+t.toFixed(1)}${field.unit === '%' ? '%' : ''}`) }],
      series: [
        {},
        ...this.names.flatMap((name, i) => [
          // Points show on their own while few (a lone first point), lines once they are many.
          { label: name, stroke: color(i), width: 2, ...(DASHES[i % DASHES.length] ? { dash: DASHES[i % DASHES.length]! } : {}) },
          { label: `${name} max`, stroke: faded(i, '55'), width: 1, points: { show: false } },
          { label: `${name} min`, stroke: faded(i, '55'), width: 1, points: { show: false } },
        ]),
      ],
      bands: this.names.map((_, i) => ({ series: [2 + 3 * i, 3 + 3 * i] as [number, number], fill: faded(i, '2e') })),
    };
  }
}
