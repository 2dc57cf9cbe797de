/**
 * WebSocket row: socket.io connections, events both ways (emits, deliveries to recipients),
 * the bytes they carry, acknowledgement round trips, errors and connection lifetimes.
 */
import { catalog } from '@orfeas/metrics/catalog';
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
      description: 'emitted: emit calls; delivered: recipients (a broadcast to N sockets is 1 emit, N deliveries).',
      unit: 'ops',
      targets: [
        query(sumRate(websocket.messagesSentTotal, ['event_type']), 'emitted {{event_type}}'),
        query(sumRate(websocket.messageDeliveriesTotal, ['event_type']), 'delivered {{event_type}}'),
        query(sumRate(websocket.messagesReceivedTotal, ['event_type']), 'received {{event_type}}'),
      ],
    }),
    timeseries({
      title: 'Bytes',
      description: 'engine.io payload bytes of events, as the WebSocket transport carries them (frame headers and compression not counted).',
      unit: 'Bps',
      targets: [
        query(sumRate(websocket.sentBytesTotal, ['event_type']), 'sent {{event_type}}'),
        query(sumRate(websocket.receivedBytesTotal, ['event_type']), 'received {{event_type}}'),
      ],
    }),
    timeseries({
      title: 'Ack round trip (p95)',
      description: 'From a server emit asking for an acknowledgement to the client ack; timeouts are the ack_timeout errors.',
      unit: 's',
      targets: [query(quantile(0.95, websocket.ackRoundTripSeconds, ['event_type']), '{{event_type}}')],
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
