/** WebSocket row: socket.io connections, events both ways, errors and connection lifetimes. */
import { catalog } from '@orfeas/metrics';
import { gauge, quantile, sumRate } from '../promql.mjs';
import { query, timeseries } from '../panels.mjs';

const { websocket } = catalog;

export const websocketRow = {
  title: 'WebSocket',
  panels: [
    timeseries({
      title: 'Connections',
      targets: [
        query(`sum by (client_type) (${gauge(websocket.connectionsActive)})`, 'open {{client_type}}'),
        query(sumRate(websocket.connectionsTotal, ['client_type']), 'accepted/s {{client_type}}'),
      ],
    }),
    timeseries({
      title: 'Events',
      unit: 'ops',
      targets: [
        query(sumRate(websocket.messagesSentTotal, ['event_type']), 'sent {{event_type}}'),
        query(sumRate(websocket.messagesReceivedTotal, ['event_type']), 'received {{event_type}}'),
      ],
    }),
    timeseries({
      title: 'Errors',
      unit: 'ops',
      targets: [query(sumRate(websocket.errorsTotal, ['error_type']), '{{error_type}}')],
    }),
    timeseries({
      title: 'Connection lifetime (p50, p95)',
      unit: 's',
      targets: [
        query(quantile(0.5, websocket.connectionDurationSeconds), 'p50'),
        query(quantile(0.95, websocket.connectionDurationSeconds), 'p95'),
      ],
    }),
  ],
};
