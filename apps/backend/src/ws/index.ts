/**
 * The WebSocket module: socket.io on the backend's HTTP server, instrumented with
 * @orfeas/metrics. Clients subscribe to job rooms (progress, stage_change, complete, error;
 * a late subscriber first gets the current state) and to the GPU stream; `ping` gets `pong`.
 * `ping { roundTrip: true }` asks for a `pong` the client acknowledges: the backend then sees
 * its round trip to that client (websocket_ack_round_trip_seconds{event_type="pong"}; no
 * acknowledgement within 10 s counts as an ack_timeout). A malformed payload or an unknown
 * event gets an `error` event, never a crash.
 */
import type { Server as HttpServer } from 'node:http';
import type { Metrics } from '@orfeas/metrics';
import { instrumentSocketIO } from '@orfeas/metrics/socketio';
import type { Logger } from 'pino';
import type { createAdapter } from '@socket.io/redis-adapter';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import { authenticate, bearerToken, visibleTo, type ApiKeys } from '../auth/index.js';
import type { Gpu } from '../gpu/index.js';
import type { JobEvents } from '../jobs/events.js';
import type { JobService } from '../jobs/service.js';
import type { Job } from '../store/index.js';
import { expiredError, resultUrl } from '../jobs/view.js';
import { GpuStream } from './gpu-stream.js';
import { PONG, PONG_ACK_TIMEOUT_MS, RECEIVED, SENT, gpuPayload, jobPayload, jobRoom } from './protocol.js';

/** What the backend keeps on a socket: the API key it authenticated with. */
interface SocketData {
  apiKey?: string;
}

export interface WebSocketDeps {
  /** The HTTP server clients connect to; undefined for a fleet's worker role, which only sends job events. */
  server: HttpServer | undefined;
  /** The socket.io Redis adapter in a fleet: rooms span every replica. */
  adapter?: ReturnType<typeof createAdapter> | undefined;
  /** With API keys on, the handshake needs one (auth.token, or Authorization: Bearer) and rooms are per key. */
  apiKeys?: ApiKeys | undefined;
  events: JobEvents;
  service: JobService;
  gpu: Gpu;
  metrics: Metrics;
  log: Logger;
}

type Ack = (response: unknown) => void;
const KNOWN = new Set<string>(Object.values(RECEIVED));

export function attachWebSocket({ server, adapter, events, service, gpu, metrics, log, apiKeys }: WebSocketDeps) {
  const io = new Server(server, { cors: { origin: '*' }, maxHttpBufferSize: 64 * 1024, ...(adapter ? { adapter } : {}) });
  const uninstrument = instrumentSocketIO(io, metrics, { receivedEvents: [...KNOWN] });
  if (apiKeys) {
    io.use((socket, next) => {
      const { auth, headers } = socket.handshake;
      const token = typeof auth?.token === 'string' ? auth.token : bearerToken(headers.authorization);
      const outcome = authenticate(apiKeys, token);
      if ('refused' in outcome) return next(Object.assign(new Error(outcome.refused), { data: { code: 'unauthorized' } }));
      (socket.data as SocketData).apiKey = outcome.name;
      next();
    });
  }
  const stream = new GpuStream(io, gpu);
  // The event types of the protocol are known in advance: their series exist at 0 from the start.
  const ws = metrics.websocket;
  for (const event_type of Object.values(SENT)) {
    for (const sent of [ws.messagesSentTotal, ws.messageDeliveriesTotal, ws.sentBytesTotal]) sent.inc({ event_type }, 0);
  }
  for (const event_type of KNOWN) for (const received of [ws.messagesReceivedTotal, ws.receivedBytesTotal]) received.inc({ event_type }, 0);
  ws.ackRoundTripSeconds.zero({ event_type: PONG });

  events.on('progress', (payload) => void io.to(jobRoom(payload.jobId)).emit(SENT.progress, payload));
  events.on('stage_change', (payload) => void io.to(jobRoom(payload.jobId)).emit(SENT.stage_change, payload));
  events.on('complete', (payload) => void io.to(jobRoom(payload.jobId)).emit(SENT.complete, payload));
  events.on('error', (payload) => void io.to(jobRoom(payload.jobId)).emit(SENT.error, payload));

  io.on('connection', (socket) => {
    const refuse = (event: string, code: string, message: string, ack?: Ack) => {
      ws.errorsTotal.inc({ error_type: code });
      const error = { code, message, event };
      socket.emit(SENT.error, { error });
      ack?.({ ok: false, error });
    };
    /** Parses a payload, or answers with an error event and returns undefined. */
    const parse = <S extends z.ZodType>(event: string, schema: S, payload: unknown, ack?: Ack): z.output<S> | undefined => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) return parsed.data;
      refuse(event, 'invalid_payload', parsed.error.issues.map((i) => i.message).join('; '), ack);
      return undefined;
    };
    const ackOf = (args: unknown[]) => (typeof args.at(-1) === 'function' ? (args.at(-1) as Ack) : undefined);
    const failed = (event: string, args: unknown[], err: unknown) => {
      log.error({ err, event, socket: socket.id }, 'WebSocket handler failed');
      refuse(event, 'internal', 'internal error; see the service log', ackOf(args));
    };
    /** A listener whose fault (thrown, or its promise rejected) is answered with an `error` event and logged, never thrown into socket.io. */
    const on = (event: string, listener: (...args: unknown[]) => void | Promise<void>) =>
      socket.on(event, (...args: unknown[]) => {
        try {
          const pending = listener(...args);
          if (pending) pending.catch((err: unknown) => failed(event, args, err));
        } catch (err) {
          failed(event, args, err);
        }
      });

    socket.onAny((event: string, ...args: unknown[]) => {
      if (!KNOWN.has(event)) refuse(event, 'unknown_event', `unknown event ${JSON.stringify(event).slice(0, 64)}; send one of ${[...KNOWN].join(', ')}`, ackOf(args));
    });

    on(RECEIVED.subscribe, (payload: unknown, ...rest: unknown[]) => {
      const ack = ackOf([payload, ...rest]);
      const body = parse(RECEIVED.subscribe, jobPayload, payload, ack);
      if (!body) return;
      const caller = (socket.data as SocketData).apiKey;
      const id = body.jobId.toLowerCase();
      // Joined before the job is read: an event sent while it is read reaches this socket too.
      void socket.join(jobRoom(id));
      return (async () => {
        const found = await service.get(id);
        // Another key's job is not there for this socket, as over HTTP.
        const job = found && visibleTo(found, caller) ? found : undefined;
        if (!job) {
          void socket.leave(jobRoom(id));
          const gone = found ? undefined : await service.expired(id);
          if (gone && visibleTo(gone, caller)) return refuse(RECEIVED.subscribe, 'expired', expiredError(body.jobId, gone).message, ack);
          return refuse(RECEIVED.subscribe, 'job_not_found', `no job with id ${body.jobId}`, ack);
        }
        ack?.({ ok: true, job: await service.view(job) });
        await sendCurrentState(socket, job);
      })();
    });

    on(RECEIVED.unsubscribe, (payload: unknown, ...rest: unknown[]) => {
      const ack = ackOf([payload, ...rest]);
      const body = parse(RECEIVED.unsubscribe, jobPayload, payload, ack);
      if (!body) return;
      void socket.leave(jobRoom(body.jobId.toLowerCase()));
      ack?.({ ok: true });
    });

    on(RECEIVED.gpuSubscribe, (...args: unknown[]) => {
      const ack = ackOf(args);
      const payload = typeof args[0] === 'function' ? undefined : args[0];
      const body = parse(RECEIVED.gpuSubscribe, gpuPayload, payload, ack);
      if (payload !== undefined && body === undefined) return;
      // Joined first: inside `ack?.(...)` the join would be skipped for a client without an ack.
      const hz = stream.join(socket, body?.hz);
      ack?.({ ok: true, hz });
    });

    on(RECEIVED.gpuUnsubscribe, (...args: unknown[]) => {
      stream.leave(socket);
      ackOf(args)?.({ ok: true });
    });

    // One timed pong at a time per socket, so a client flooding pings holds one ack timer, not many.
    let timedPong = false;
    on(RECEIVED.ping, (...args: unknown[]) => {
      const pong = { serverTime: Date.now() };
      // Only a client that asked acknowledges the pong; the instrumentation times the round trip.
      const roundTrip = (args[0] as { roundTrip?: unknown } | null | undefined)?.roundTrip === true;
      if (roundTrip && !timedPong) {
        timedPong = true;
        socket.timeout(PONG_ACK_TIMEOUT_MS).emit(PONG, pong, () => {
          timedPong = false;
        });
      } else socket.emit(PONG, pong);
      ackOf(args)?.(pong);
    });

    socket.on('error', (err) => log.warn({ err, socket: socket.id }, 'socket error'));
  });

  /** A late subscriber's first events: where the job is now. */
  async function sendCurrentState(socket: Socket, job: Job) {
    const jobId = job.id;
    const live = job.state === 'running' ? await service.live(jobId) : undefined;
    if (job.state === 'completed' && job.result) {
      socket.emit(SENT.complete, {
        jobId,
        result: { ...job.result, url: resultUrl(jobId) },
        quality: job.quality,
        stageTimings: job.stageTimings,
        cached: job.cached,
      });
    } else if ((job.state === 'failed' || job.state === 'cancelled') && job.error) {
      socket.emit(SENT.error, { jobId, state: job.state, error: job.error });
    } else if (job.state === 'running' && live) {
      socket.emit(SENT.stage_change, { ...live, previousStage: null });
      socket.emit(SENT.progress, live);
    } else {
      socket.emit(SENT.progress, { ...(await service.view(job)), jobId });
    }
  }

  return {
    io,
    async close() {
      stream.stop();
      uninstrument();
      await io.close();
    },
  };
}
