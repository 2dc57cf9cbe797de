import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { histogramCount, seriesCount, value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { createMetrics, type Metrics } from '../registry/create-metrics.js';
import { instrumentSocketIO } from './index.js';

const ws = catalog.websocket;
const BROWSER_HEADERS = { origin: 'http://localhost:5173', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' };

describe('instrumentSocketIO', () => {
  let http: HttpServer;
  let io: Server;
  let metrics: Metrics;
  let uninstrument: () => void;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    http = createServer();
    io = new Server(http);
    metrics = createMetrics({ defaultMetrics: false });
    uninstrument = instrumentSocketIO(io, metrics);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    uninstrument();
    await io.close();
  });

  function client(nsp = '/', options: Parameters<typeof connect>[1] = {}): ClientSocket {
    const socket = connect(url + nsp, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
    clients.push(socket);
    return socket;
  }
  const connected = (socket: ClientSocket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  const read = (name: string, labels: Record<string, string> = {}) => value(metrics.registry, name, labels);
  const serverSocket = (nsp = '/') =>
    new Promise<Socket>((resolve) => io.of(nsp).once('connection', resolve));

  it('counts connections by client type and observes the duration on disconnect', async () => {
    const api = client();
    const browser = client('/', { extraHeaders: BROWSER_HEADERS });
    const declared = client('/', { auth: { clientType: 'browser' } });
    await Promise.all([api, browser, declared].map(connected));
    expect(await read(ws.connectionsActive.name, { client_type: 'api' })).toBe(1);
    expect(await read(ws.connectionsActive.name, { client_type: 'browser' })).toBe(2);
    expect(await read(ws.connectionsTotal.name, { client_type: 'browser' })).toBe(2);

    api.disconnect();
    await vi.waitFor(async () => expect(await read(ws.connectionsActive.name, { client_type: 'api' })).toBe(0));
    expect(await read(ws.connectionsTotal.name, { client_type: 'api' })).toBe(1);
    expect(await histogramCount(metrics.registry, ws.connectionDurationSeconds.name)).toBe(1);
  });

  it('counts each emit call once: io, rooms, namespaces, broadcasts and single sockets', async () => {
    io.of('/jobs');
    const joined = serverSocket();
    const inRoom = client();
    await connected(inRoom);
    const member = await joined;
    void member.join('job-1');
    const outsider = client();
    const jobs = client('/jobs');
    await Promise.all([connected(outsider), connected(jobs)]);
    const received: string[] = [];
    for (const socket of [inRoom, outsider, jobs]) socket.onAny((event: string) => received.push(event));

    io.emit('progress', { percent: 10 }); // inRoom, outsider
    io.to('job-1').emit('stage_change', { stage: 'export' }); // inRoom
    io.of('/jobs').emit('complete', {}); // jobs
    member.emit('gpu_stats', {}); // inRoom
    member.broadcast.emit('progress', { percent: 20 }); // outsider
    member.to('job-1').emit('error', { message: 'x' }); // nobody else in the room
    await vi.waitFor(() => expect(received).toHaveLength(6));

    expect(await read(ws.messagesSentTotal.name, { event_type: 'progress' })).toBe(2);
    expect(await read(ws.messagesSentTotal.name, { event_type: 'stage_change' })).toBe(1);
    expect(await read(ws.messagesSentTotal.name, { event_type: 'complete' })).toBe(1);
    expect(await read(ws.messagesSentTotal.name, { event_type: 'gpu_stats' })).toBe(1);
    expect(await read(ws.messagesSentTotal.name, { event_type: 'error' })).toBe(1);
  });

  /** Clients connected to `nsp`, with their sockets on the server, in the same order. */
  async function pairs(count: number, nsp = '/') {
    const clientsOf: ClientSocket[] = [];
    const servers: Socket[] = [];
    for (let i = 0; i < count; i++) {
      const accepted = serverSocket(nsp);
      const socket = client(nsp);
      await connected(socket);
      clientsOf.push(socket);
      servers.push(await accepted);
    }
    return { clients: clientsOf, servers };
  }
  const nextOn = (socket: ClientSocket, event: string) => new Promise((resolve) => socket.once(event, resolve));
  /** Engine.io payload bytes of a text packet: the message type "4" and the socket.io packet. */
  const textBytes = (encoded: string) => Buffer.byteLength(encoded) + 1;

  it('counts deliveries: one per recipient, across rooms, except(), socket.broadcast, local and namespaces', async () => {
    const { clients: [a, b, c], servers: [sa, sb] } = await pairs(3);
    void sa!.join('job-1');
    void sb!.join('job-1');
    const parent = io.of(/^\/tenant-\d+$/);
    const tenants = await Promise.all([pairs(1, '/tenant-1'), pairs(1, '/tenant-2')]);
    const received: string[] = [];
    for (const socket of [a!, b!, c!, ...tenants.map((t) => t.clients[0]!)]) socket.onAny((event: string) => received.push(event));

    io.emit('progress', { percent: 10 }); // a, b, c
    io.to('job-1').emit('stage_change', { stage: 'export' }); // a, b
    io.except('job-1').emit('complete', {}); // c
    sa!.broadcast.emit('error', {}); // b, c: never the sender
    sa!.to('job-1').emit('error', {}); // b
    sa!.emit('gpu_stats', {}); // a
    io.local.emit('gpu_stats', {}); // a, b, c
    parent.emit('gpu_stats', {}); // one socket in each child namespace
    await vi.waitFor(() => expect(received).toHaveLength(3 + 2 + 1 + 2 + 1 + 1 + 3 + 2));

    const emits = (event_type: string) => read(ws.messagesSentTotal.name, { event_type });
    const deliveries = (event_type: string) => read(ws.messageDeliveriesTotal.name, { event_type });
    expect(await emits('progress')).toBe(1);
    expect(await deliveries('progress')).toBe(3);
    expect(await deliveries('stage_change')).toBe(2);
    expect(await deliveries('complete')).toBe(1);
    expect(await emits('error')).toBe(2);
    expect(await deliveries('error')).toBe(3);
    expect(await emits('gpu_stats')).toBe(3);
    expect(await deliveries('gpu_stats')).toBe(1 + 3 + 2);
  });

  it('counts a volatile event where it is written, not where a busy transport drops it', async () => {
    const { clients: [a, b], servers: [sa] } = await pairs(2);
    const transport = sa!.conn.transport as unknown as { writable: boolean };
    const delivered = nextOn(b!, 'gpu_stats');
    transport.writable = false;
    try {
      io.volatile.emit('gpu_stats', {});
    } finally {
      transport.writable = true;
    }
    await delivered;
    expect(await read(ws.messagesSentTotal.name, { event_type: 'gpu_stats' })).toBe(1);
    expect(await read(ws.messageDeliveriesTotal.name, { event_type: 'gpu_stats' })).toBe(1);
    expect(a!.connected).toBe(true);
  });

  it('counts the bytes of every delivery as the WebSocket transport carries them, binary attachments included', async () => {
    const { clients: [a, b, c], servers: [sa] } = await pairs(3);
    const jobs = await pairs(1, '/jobs');
    const payload = { jobId: 'job-1', percent: 42.5, stage: 'shape_generation', note: 'naïve ✓' };
    const image = Buffer.alloc(1000, 7);
    const all = Promise.all([a!, b!, c!].map((socket) => nextOn(socket, 'progress')));
    io.emit('progress', payload);
    await all;
    const got = Promise.all([nextOn(a!, 'complete'), nextOn(jobs.clients[0]!, 'complete')]);
    sa!.emit('complete', { preview: image });
    io.of('/jobs').emit('complete', {});
    await got;

    const progress = textBytes(`2${JSON.stringify(['progress', payload])}`);
    expect(await read(ws.sentBytesTotal.name, { event_type: 'progress' })).toBe(3 * progress);
    // A binary event: its text part says how many attachments follow, each sent as it is.
    const binary = textBytes('51-["complete",{"preview":{"_placeholder":true,"num":0}}]') + image.byteLength;
    const inNamespace = textBytes('2/jobs,["complete",{}]');
    expect(await read(ws.sentBytesTotal.name, { event_type: 'complete' })).toBe(binary + inNamespace);
  });

  it('counts the bytes of events received, binary attachments included, whether or not they are acknowledged', async () => {
    const { clients: [socket], servers: [server] } = await pairs(1);
    const upload = Buffer.from([1, 2, 3, 4, 5]);
    const uploaded = new Promise((resolve) => server!.on('upload', resolve));
    socket!.emit('unsubscribe', 'job-1');
    socket!.emit('upload', upload);
    await uploaded;
    expect(await read(ws.messagesReceivedTotal.name, { event_type: 'unsubscribe' })).toBe(1);
    expect(await read(ws.receivedBytesTotal.name, { event_type: 'unsubscribe' })).toBe(textBytes('2["unsubscribe","job-1"]'));
    expect(await read(ws.receivedBytesTotal.name, { event_type: 'upload' })).toBe(textBytes('51-["upload",{"_placeholder":true,"num":0}]') + 5);

    server!.on('subscribe', (_job, ack) => ack({ ok: true }));
    await socket!.emitWithAck('subscribe', 'job-2');
    // The client's first ack id is 0.
    expect(await read(ws.receivedBytesTotal.name, { event_type: 'subscribe' })).toBe(textBytes('20["subscribe","job-2"]'));
  });

  it('observes one ack round trip per acknowledgement: socket.emit, emitWithAck and broadcasts', async () => {
    const { clients, servers } = await pairs(3);
    for (const socket of clients) socket.on('confirm', (_payload: unknown, ack: (answer: string) => void) => ack('ok'));
    const ackCount = () => histogramCount(metrics.registry, ws.ackRoundTripSeconds.name, { event_type: 'confirm' });

    await new Promise((resolve) => servers[0]!.emit('confirm', {}, resolve));
    expect(await ackCount()).toBe(1);
    expect(await servers[1]!.timeout(5_000).emitWithAck('confirm', {})).toBe('ok');
    expect(await servers[2]!.emitWithAck('confirm', {})).toBe('ok');
    expect(await ackCount()).toBe(3);
    expect(await io.timeout(5_000).emitWithAck('confirm', {})).toEqual(['ok', 'ok', 'ok']);
    expect(await ackCount()).toBe(6);
    expect(await read(ws.messageDeliveriesTotal.name, { event_type: 'confirm' })).toBe(6);
    const seconds = await value(metrics.registry, ws.ackRoundTripSeconds.name, { event_type: 'confirm' }, `${ws.ackRoundTripSeconds.name}_sum`);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(6 * 5);
    expect(await read(ws.errorsTotal.name, { error_type: 'ack_timeout' })).toBeUndefined();
  });

  it('counts each acknowledgement that did not arrive in time as an ack_timeout', async () => {
    const { clients, servers } = await pairs(3);
    clients[0]!.on('confirm', (_payload: unknown, ack: (answer: string) => void) => ack('ok'));
    await expect(servers[1]!.timeout(50).emitWithAck('confirm', {})).rejects.toThrow('operation has timed out');
    expect(await read(ws.errorsTotal.name, { error_type: 'ack_timeout' })).toBe(1);

    // One of three answers: two acks missing.
    await expect(io.timeout(200).emitWithAck('confirm', {})).rejects.toThrow('operation has timed out');
    await vi.waitFor(async () => expect(await read(ws.errorsTotal.name, { error_type: 'ack_timeout' })).toBe(3));
    expect(await histogramCount(metrics.registry, ws.ackRoundTripSeconds.name, { event_type: 'confirm' })).toBe(1);
  });

  it('counts events received from clients', async () => {
    const accepted = serverSocket();
    const socket = client();
    await connected(socket);
    const server = await accepted;
    const subscribed = new Promise((resolve) => server.on('subscribe', (_job, ack) => ack(resolve(true))));
    socket.emit('subscribe', 'job-1', () => {});
    socket.emit('unsubscribe', 'job-1');
    await subscribed;
    await vi.waitFor(async () => expect(await read(ws.messagesReceivedTotal.name, { event_type: 'unsubscribe' })).toBe(1));
    expect(await read(ws.messagesReceivedTotal.name, { event_type: 'subscribe' })).toBe(1);
  });

  it('covers namespaces created after instrumenting, dynamic ones included, counting a parent emit once', async () => {
    io.of('/late');
    const parent = io.of(/^\/tenant-\d+$/);
    const late = client('/late', { extraHeaders: BROWSER_HEADERS });
    const tenants = [client('/tenant-1'), client('/tenant-2')];
    await Promise.all([late, ...tenants].map(connected));
    expect(await read(ws.connectionsTotal.name, { client_type: 'browser' })).toBe(1);
    expect(await read(ws.connectionsTotal.name, { client_type: 'api' })).toBe(2);

    const delivered = Promise.all(tenants.map((t) => new Promise((resolve) => t.once('gpu_stats', resolve))));
    parent.emit('gpu_stats', { utilization: 0.5 });
    await delivered;
    expect(await read(ws.messagesSentTotal.name, { event_type: 'gpu_stats' })).toBe(1);
  });

  it('counts connect errors, packet middleware rejections, handshake and parse errors', async () => {
    io.of('/private').use((_socket, next) => next(new Error('not allowed')));
    await expect(connected(client('/private'))).rejects.toThrow('not allowed');
    await vi.waitFor(async () => expect(await read(ws.errorsTotal.name, { error_type: 'connect_error' })).toBe(1));
    expect(await read(ws.connectionsTotal.name, { client_type: 'api' })).toBe(0);

    const accepted = serverSocket();
    const socket = client();
    await connected(socket);
    (await accepted).use(([event], next) => next(event === 'forbidden' ? new Error('refused') : undefined));
    socket.emit('forbidden');
    await vi.waitFor(async () => expect(await read(ws.errorsTotal.name, { error_type: 'socket_error' })).toBe(1));

    const res = await fetch(`${url}/socket.io/?EIO=4&transport=carrier-pigeon`);
    expect(res.status).toBe(400);
    expect(await read(ws.errorsTotal.name, { error_type: 'handshake_error' })).toBe(1);

    // A frame engine.io cannot decode closes the connection with "parse error".
    const transport = socket.io.engine.transport as unknown as { ws: { send(data: string): void } };
    transport.ws.send('not an engine.io packet');
    await vi.waitFor(async () => expect(await read(ws.errorsTotal.name, { error_type: 'transport_error' })).toBe(1));
    expect(await read(ws.connectionsActive.name, { client_type: 'api' })).toBe(0);
    expect(await histogramCount(metrics.registry, ws.connectionDurationSeconds.name)).toBe(1);
  });

  it('counts an exception thrown by a listener and lets it propagate as before', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const accepted = serverSocket();
      const socket = client();
      await connected(socket);
      const server = await accepted;
      server.on('explode', () => {
        throw new Error('expected by test: listener failure');
      });
      server.on('explode-later', async () => {
        await Promise.resolve();
        throw new Error('expected by test: async listener failure');
      });
      const unhandled: unknown[] = [];
      const onUnhandled = (error: unknown) => unhandled.push(error);
      process.on('unhandledRejection', onUnhandled);
      socket.emit('explode');
      socket.emit('explode-later');
      await vi.waitFor(async () => expect(await read(ws.errorsTotal.name, { error_type: 'handler_exception' })).toBe(2));
      await vi.waitFor(() => expect(uncaught.length + unhandled.length).toBe(2));
      process.off('unhandledRejection', onUnhandled);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('records events outside receivedEvents as "other", so made-up names cannot crowd out real ones', async () => {
    uninstrument();
    uninstrument = instrumentSocketIO(io, metrics, { receivedEvents: ['subscribe'] });
    const accepted = serverSocket();
    const socket = client();
    await connected(socket);
    const server = await accepted;
    const cap = (ws.messagesReceivedTotal.bounds!.event_type as { max: number }).max;
    const last = new Promise((resolve) => server.on('subscribe', resolve));
    for (let i = 0; i < cap + 5; i++) socket.emit(`made_up_${i}`);
    socket.emit('subscribe', 'job-1');
    await last;
    await vi.waitFor(async () => expect(await read(ws.messagesReceivedTotal.name, { event_type: 'subscribe' })).toBe(1));
    expect(await read(ws.messagesReceivedTotal.name, { event_type: 'other' })).toBe(cap + 5);
    expect(await seriesCount(metrics.registry, ws.messagesReceivedTotal.name)).toBe(2);
    expect(await read(catalog.meta.labelOverflowTotal.name, { metric: ws.messagesReceivedTotal.name })).toBe(cap + 5);
  });

  it('sends event types past the cap to "other"', async () => {
    const cap = (ws.messagesSentTotal.bounds!.event_type as { max: number }).max;
    for (let i = 0; i < cap + 4; i++) io.emit(`event_${i}`);
    expect(await seriesCount(metrics.registry, ws.messagesSentTotal.name)).toBe(cap + 1);
    expect(await read(ws.messagesSentTotal.name, { event_type: 'other' })).toBe(4);
    expect(await read(catalog.meta.labelOverflowTotal.name, { metric: ws.messagesSentTotal.name })).toBe(4);
  });

  it('stops counting once uninstrumented and releases the connections it tracked', async () => {
    const socket = client();
    await connected(socket);
    expect(await read(ws.connectionsActive.name, { client_type: 'api' })).toBe(1);
    uninstrument();
    expect(await read(ws.connectionsActive.name, { client_type: 'api' })).toBe(0);
    io.emit('progress');
    expect(await read(ws.messagesSentTotal.name, { event_type: 'progress' })).toBeUndefined();
    const again = client();
    await connected(again);
    expect(await read(ws.connectionsTotal.name, { client_type: 'api' })).toBe(1);
  });
});

describe('instrumentSocketIO on a typed server', () => {
  interface ClientEvents {
    subscribe: (job: string) => void;
  }
  interface ServerEvents {
    progress: (update: { percent: number }) => void;
  }
  interface SocketData {
    apiKey?: string;
  }

  it('takes the client type from a callback and counts handshake errors of an engine attached later', async () => {
    const io = new Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>();
    io.use((socket, next) => {
      socket.data.apiKey = socket.handshake.auth.apiKey as string | undefined;
      next();
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const uninstrument = instrumentSocketIO(io, metrics, { clientType: (socket) => (socket.data.apiKey ? 'api' : 'browser') });
    const http = createServer();
    io.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { apiKey: 'k-1' } });
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      expect(await value(metrics.registry, ws.connectionsTotal.name, { client_type: 'api' })).toBe(1);
      expect((await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=unknown`)).status).toBe(400);
      expect(await value(metrics.registry, ws.errorsTotal.name, { error_type: 'handshake_error' })).toBe(1);
    } finally {
      socket.disconnect();
      uninstrument();
      await io.close();
    }
  });
});
