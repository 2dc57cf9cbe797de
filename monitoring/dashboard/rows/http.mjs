/** HTTP row: traffic, errors and latency percentiles by matched route pattern. */
import { catalog } from '@orfeas/metrics/catalog';
import { gauge, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { http, errors } = catalog;

export const httpRow = {
  title: 'HTTP',
  panels: [
    timeseries({
      title: 'Requests by route',
      unit: 'reqps',
      targets: [query(sumRate(http.requestsTotal, ['method', 'route']), '{{method}} {{route}}')],
    }),
    timeseries({
      title: 'Responses by status',
      unit: 'reqps',
      stack: true,
      targets: [query(sumRate(http.requestsTotal, ['status']), '{{status}}')],
    }),
    timeseries({
      title: '5xx ratio by route',
      unit: 'percentunit',
      min: 0,
      targets: [
        query(
          `${sumRate(http.requestsTotal, ['route'], { status: '=~"5.."' })} / (${sumRate(http.requestsTotal, ['route'])} > 0)`,
          '{{route}}',
        ),
      ],
    }),
    timeseries({
      title: 'Latency by route (p50, p95, p99)',
      unit: 's',
      width: 12,
      targets: [0.5, 0.95, 0.99].map((q) =>
        query(quantile(q, http.requestDurationSeconds, ['route']), `p${q * 100} {{route}}`),
      ),
    }),
    timeseries({
      title: 'Request and response size (p95)',
      unit: 'bytes',
      width: 12,
      targets: [
        query(quantile(0.95, http.requestSizeBytes, ['route']), 'request {{route}}'),
        query(quantile(0.95, http.responseSizeBytes, ['route']), 'response {{route}}'),
      ],
    }),
    timeseries({
      title: 'In flight',
      targets: [query(`sum by (method) (${gauge(http.requestsInFlight)})`, '{{method}}')],
    }),
    timeseries({
      title: 'Errors by type',
      unit: 'ops',
      targets: [query(sumRate(errors.errorsTotal, ['type', 'route']), '{{type}} {{route}}')],
    }),
    timeseries({
      title: 'Refused input',
      unit: 'ops',
      targets: [
        query(sumRate(errors.validationErrorsTotal, ['field', 'error_type']), '{{field}}: {{error_type}}'),
        query(sumRate(errors.rateLimitRejectionsTotal, ['route']), 'rate limited {{route}}'),
      ],
    }),
  ],
};
