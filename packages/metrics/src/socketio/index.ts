/**
 * socket.io v4 instrumentation: connections (active, total, duration) by client type; by event
 * type, events sent (emit calls), delivered (recipients), their bytes both ways and the round
 * trip of their acknowledgements; and errors by type. Across every namespace of a server,
 * including namespaces created later (io.of(name) and the children of io.of(regex)), rooms,
 * socket.broadcast, except(), volatile and local emits.
 *
 * client_type: see ./client-type.ts (auth.clientType / x-client-type header, else browser
 * when the handshake has an Origin or browser User-Agent, else api).
 *
 * error_type values (SOCKETIO_ERROR_TYPES):
 * - connect_error: a namespace middleware (io.use / nsp.use) refused the connection;
 * - handshake_error: engine.io refused the HTTP handshake or upgrade ('connection_error');
 * - transport_error: a connection closed on a transport or parse error;
 * - socket_error: an 'error' event on a socket (e.g. a socket.use() middleware refusing a packet);
 * - handler_exception: an event listener threw or its promise rejected (still thrown as before);
 * - ack_timeout: an acknowledgement asked for with a timeout did not arrive in time (one per
 *   missing ack: a broadcast to 3 sockets with 1 answer counts 2).
 *
 * messages_sent counts one per emit call, whatever the number of recipients; message_deliveries
 * one per socket the event was written to (a broadcast to 1,000 sockets: 1 emit, 1,000
 * deliveries), and sent_bytes its encoded size times that (see ./wire.ts for what a byte is).
 * In a cluster (Redis adapter) each server counts the deliveries to its own sockets.
 * ack_round_trip_seconds: see ./acks.ts.
 * messages_received and received_bytes take their event names from clients: with
 * `receivedEvents`, a name outside that list is recorded as "other" (and counted as a label
 * overflow), so a client sending made-up names cannot push the real ones past the label's cap.
 *
 * Not seen: packets published straight to uWebSockets.js topics (io.attachApp), which bypass
 * socket.io's write path.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import { OVERFLOW_LABEL_VALUE, catalog } from '../catalog.js';
import { overflowCounter } from '../registry/build-metric.js';
import type { MetricsWith } from '../registry/create-metrics.js';
import { handshakeClientType, type ClientType } from './client-type.js';
import { hookParentNamespace, hookServer, hookSocket, unhookServer } from './hooks.js';

export { handshakeClientType, type ClientType } from './client-type.js';

export const SOCKETIO_ERROR_TYPES = [
  'connect_error',
  'handshake_error',
  'transport_error',
  'socket_error',
  'handler_exception',
  'ack_timeout',
] as const;
export type SocketIOErrorType = (typeof SOCKETIO_ERROR_TYPES)[number];

export interface InstrumentSocketIOOptions<S = Socket> {
  /** Decides a connection's client_type (default: handshakeClientType). */
  clientType?: (socket: S) => ClientType;
  /** The events clients may send; others are received as "other" (default: any, up to the label's cap). */
  receivedEvents?: readonly string[];
}

// Any typed server (its event maps and socket data are none of the instrumentation's business).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServer = Server<any, any, any, any>;
/** The socket type of a typed server, so a clientType callback can use its socket.data. */
export type SocketOf<S> = S extends Server<infer L, infer E, infer SS, infer D> ? Socket<L, E, SS, D> : Socket;

const TRANSPORT_FAILURES = new Set(['transport error', 'parse error']);
const instrumentedServers = new WeakSet<Server>();

/** Instruments a server; returns the function that removes the instrumentation. */
export function instrumentSocketIO<S extends AnyServer>(
  server: S,
  metrics: MetricsWith<'websocket'>,
  options: InstrumentSocketIOOptions<SocketOf<S>> = {},
): () => void {
  const io = server as unknown as Server;
  if (instrumentedServers.has(io)) throw new Error('instrumentSocketIO: this socket.io server is already instrumented');
  instrumentedServers.add(io);
  const ws = metrics.websocket;
  const clientTypeOf = (options.clientType as ((socket: Socket) => ClientType) | undefined) ?? handshakeClientType;
  const failed = (error_type: SocketIOErrorType, count = 1) => ws.errorsTotal.inc({ error_type }, count);
  const connections = new Map<Socket, () => void>();
  const namespaces = new Set<Namespace>();
  const known = options.receivedEvents ? new Set(options.receivedEvents) : undefined;
  const overflow = overflowCounter(metrics.registry);
  const received = (event: unknown, bytes: number) => {
    let event_type = String(event);
    if (known && !known.has(event_type)) {
      event_type = OVERFLOW_LABEL_VALUE;
      overflow.inc({ metric: catalog.websocket.messagesReceivedTotal.name });
      overflow.inc({ metric: catalog.websocket.receivedBytesTotal.name });
    }
    ws.messagesReceivedTotal.inc({ event_type });
    ws.receivedBytesTotal.inc({ event_type }, bytes);
  };

  hookServer(io, {
    sent: (event) => ws.messagesSentTotal.inc({ event_type: String(event) }),
    delivered(event, recipients, bytes) {
      const labels = { event_type: String(event) };
      ws.messageDeliveriesTotal.inc(labels, recipients);
      ws.sentBytesTotal.inc(labels, recipients * bytes);
    },
    received,
    acked: (event, seconds) => ws.ackRoundTripSeconds.observe({ event_type: String(event) }, seconds),
    failed,
  });

  const track = (socket: Socket, accepted: boolean) => {
    if (connections.has(socket)) return;
    const labels = { client_type: clientTypeSafely(socket, clientTypeOf) };
    ws.connectionsActive.inc(labels);
    if (accepted) ws.connectionsTotal.inc(labels);
    const onError = () => failed('socket_error');
    const onDisconnect = (reason: string) => {
      release();
      ws.connectionDurationSeconds.observe((Date.now() - socket.handshake.issued) / 1000);
      if (TRANSPORT_FAILURES.has(reason)) failed('transport_error');
    };
    const release = () => {
      connections.delete(socket);
      socket.off('error', onError);
      socket.off('disconnect', onDisconnect);
      ws.connectionsActive.dec(labels);
    };
    socket.on('error', onError);
    socket.on('disconnect', onDisconnect);
    connections.set(socket, release);
  };

  const onConnection = (socket: Socket) => track(socket, true);
  const watch = (nsp: Namespace) => {
    if (namespaces.has(nsp)) return;
    namespaces.add(nsp);
    // Prepended so the socket is tracked before user 'connection' listeners emit to it.
    nsp.prependListener('connection', onConnection);
    for (const socket of nsp.sockets.values()) {
      hookSocket(socket);
      track(socket, false);
    }
  };
  for (const nsp of io._nsps.values()) watch(nsp);
  io.sockets.on('new_namespace', watch);

  const parents = (io as unknown as { parentNsps: Map<unknown, Namespace> }).parentNsps;
  for (const parent of parents.values()) hookParentNamespace(parent);
  const of = io.of.bind(io);
  io.of = function ofInstrumented(...args: Parameters<Server['of']>) {
    const nsp = of(...args);
    hookParentNamespace(nsp);
    return nsp;
  } as Server['of'];

  // The engine exists once the server is attached to an HTTP server, possibly later.
  const onHandshakeError = () => failed('handshake_error');
  const bind = io.bind.bind(io);
  if (io.engine) io.engine.on('connection_error', onHandshakeError);
  else {
    io.bind = function bindInstrumented(engine: Server['engine']) {
      const result = bind(engine);
      engine.on('connection_error', onHandshakeError);
      return result;
    };
  }

  return function uninstrument() {
    if (!instrumentedServers.delete(io)) return;
    unhookServer(io);
    io.sockets.off('new_namespace', watch);
    for (const nsp of namespaces) nsp.off('connection', onConnection);
    // Connections still open will not be seen closing: release them from the active gauge now.
    for (const release of [...connections.values()]) release();
    io.engine?.off('connection_error', onHandshakeError);
    delete (io as Partial<Server>).of;
    delete (io as Partial<Server>).bind;
  };
}

function clientTypeSafely(socket: Socket, clientTypeOf: (socket: Socket) => ClientType): ClientType {
  try {
    const type = clientTypeOf(socket);
    return type === 'browser' || type === 'api' ? type : handshakeClientType(socket);
  } catch {
    // A faulty classifier must not refuse connections; the handshake rule still applies.
    return handshakeClientType(socket);
  }
}
