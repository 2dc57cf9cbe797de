/**
 * The WebSocket protocol: the events clients send and the payloads they must carry. The
 * events the server sends are the catalog's WS_EVENTS, so metrics and dashboards name them.
 */
import { WS_EVENTS, type WsEvent } from '@orfeas/metrics/catalog';
import { z } from 'zod';

/** Events sent to clients, by name: `SENT.progress` is 'progress', checked against the catalog. */
export const SENT = Object.fromEntries(WS_EVENTS.map((e) => [e, e])) as { readonly [K in WsEvent]: K };

/** Events clients send. */
export const RECEIVED = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  gpuSubscribe: 'gpu_subscribe',
  gpuUnsubscribe: 'gpu_unsubscribe',
  ping: 'ping',
} as const;

/** The heartbeat answer to `ping`. */
export const PONG = 'pong';
/** How long a `pong` sent for `ping { roundTrip: true }` waits for the client's acknowledgement. */
export const PONG_ACK_TIMEOUT_MS = 10_000;

export const jobPayload = z.object({ jobId: z.uuid({ error: 'jobId must be a job UUID' }) });

/** GPU stream rate in Hz: 1 by default, capped to 1..20. */
export const MIN_GPU_HZ = 1;
export const MAX_GPU_HZ = 20;
export const gpuPayload = z
  .object({ hz: z.number({ error: 'hz must be a number of snapshots per second' }).optional() })
  .optional();

export const jobRoom = (jobId: string) => `job:${jobId}`;
export const GPU_ROOM = 'gpu';
export const gpuRateRoom = (hz: number) => `gpu:${hz}`;
