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
    member.join('job-1');
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
