/**
 * GPU row: per-GPU utilization from busy seconds (exact whatever the scrape interval), memory,
 * temperature, power and energy, clocks, throttling, and the health of the sampler itself.
 */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, rate, sumRate } from '../promql.mjs';
import { query, table, timeseries } from '../panels.mjs';

const { gpu } = catalog;
const perGpu = 'GPU {{gpu}} {{instance}}';

export const gpuRow = {
  title: 'GPU',
  panels: [
    timeseries({
      title: 'Utilization (from busy seconds)',
      description: 'rate() of gpu_busy_seconds_total: the mean utilization over each interval, no sample lost between scrapes.',
      unit: 'percentunit',
      min: 0,
      targets: [query(rate(gpu.busySecondsTotal), perGpu)],
    }),
    timeseries({
      title: 'Latest utilization (SM and memory controller)',
      unit: 'percentunit',
      min: 0,
      targets: [
        query(gauge(gpu.utilizationRatio), `SM ${perGpu}`),
        query(gauge(gpu.memoryUtilizationRatio), `memory ${perGpu}`),
      ],
    }),
    timeseries({
      title: 'Memory',
      unit: 'bytes',
      targets: [
        query(gauge(gpu.memoryBytes, { type: '="used"' }), `used ${perGpu}`),
        query(gauge(gpu.memoryBytes, { type: '="total"' }), `total ${perGpu}`),
      ],
    }),
    timeseries({
      title: 'Memory used',
      unit: 'percentunit',
      min: 0,
      targets: [
        query(
          `${gauge(gpu.memoryBytes, { type: '="used"' })} / ignoring (type) (${gauge(gpu.memoryBytes, { type: '="total"' })} > 0)`,
          perGpu,
        ),
      ],
    }),
    timeseries({ title: 'Temperature', unit: 'celsius', targets: [query(gauge(gpu.temperatureCelsius), perGpu)] }),
    timeseries({
      title: 'Power',
      unit: 'watt',
      targets: [
        query(gauge(gpu.powerWatts), `draw ${perGpu}`),
        query(gauge(gpu.powerLimitWatts), `limit ${perGpu}`),
        query(rate(gpu.energyJoulesTotal), `mean from energy ${perGpu}`),
      ],
    }),
    timeseries({
      title: 'Energy used per hour',
      unit: 'joule',
      description: 'Energy counter extrapolated to an hour at the current rate.',
      targets: [query(`${rate(gpu.energyJoulesTotal)} * 3600`, perGpu)],
    }),
    timeseries({ title: 'Clocks', unit: 'hertz', targets: [query(gauge(gpu.clockHertz), `{{clock}} ${perGpu}`)] }),
    timeseries({
      title: 'Throttled time',
      description: 'Share of time each clock-event reason was active; gpu_idle is normal on an idle GPU.',
      unit: 'percentunit',
      min: 0,
      targets: [query(rate(gpu.throttleSecondsTotal), `{{reason}} ${perGpu}`)],
    }),
    timeseries({
      title: 'Throttle reasons active now',
      targets: [query(gauge(gpu.throttleActive), `{{reason}} ${perGpu}`)],
    }),
    timeseries({
      title: 'Fans and performance state',
      targets: [
        query(gauge(gpu.fanSpeedRatio), `fan {{fan}} ${perGpu}`),
        query(gauge(gpu.performanceState), `P-state ${perGpu}`),
      ],
    }),
    timeseries({
      title: 'GPU up',
      targets: [query(gauge(gpu.up), perGpu), query(gauge(gpu.samplerUp), 'sampler {{instance}}')],
      min: 0,
    }),
    timeseries({
      title: 'Sampler ticks and errors',
      unit: 'ops',
      targets: [
        query(rate(gpu.samplerSamplesTotal), `samples ${perGpu}`),
        query(sumRate(gpu.samplerErrorsTotal, ['gpu', 'field', 'error']), 'error {{error}} on {{field}}, GPU {{gpu}}'),
      ],
    }),
    timeseries({
      title: 'Sample age',
      description: 'Seconds since the latest sample of each GPU; the GpuTelemetryStale alert fires above 30 s.',
      unit: 's',
      targets: [query(`time() - ${gauge(gpu.samplerLastSampleTimestampSeconds)}`, perGpu)],
    }),
    table({
      title: 'GPUs',
      description: 'Identity of each GPU; source is nvml for the NVIDIA driver, sim for nvml-sim.',
      targets: [query(gauge(gpu.info))],
    }),
  ],
};
