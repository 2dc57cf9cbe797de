/**
 * Acknowledgement round trips of server emits: the ack callback socket.io is given is wrapped,
 * so the time from the emit to each client's ack is observed when the ack arrives, and an ack
 * that does not arrive in time is counted as a timeout. Each expected ack ends as exactly one
 * of the two.
 *
 * - socket.emit(…, cb) and socket.emitWithAck: one ack. With a timeout (socket.timeout(ms)),
 *   socket.io calls cb(Error) when it expires and cb(null, …) when the ack comes; without one,
 *   an ack that never comes is never counted.
 * - broadcasts with an ack (io.timeout(ms).emit(…, cb), emitWithAck, rooms, namespaces): the
 *   adapter calls one callback per client response. The acks expected are the sockets the
 *   packet was given to; those still missing when the timeout expires are the timeouts.
 */

/** Where ack outcomes are reported. */
export interface AckSink {
  acked(event: unknown, seconds: number): void;
  failed(errorType: 'ack_timeout', count?: number): void;
}

type Callback = (this: unknown, ...args: unknown[]) => unknown;

/** The ack callback of one Socket#emit, timed. */
export function timedAck(sink: AckSink, event: unknown, ack: Callback, withTimeout: boolean): Callback {
  const started = performance.now();
  return function ackTimed(this: unknown, ...args: unknown[]) {
    // With a timeout, socket.io passes an Error only when it expired (a client's ack starts with null).
    if (withTimeout && args[0] instanceof Error) sink.failed('ack_timeout');
    else sink.acked(event, (performance.now() - started) / 1000);
    return ack.apply(this, args);
  };
}

/** The callbacks of one Adapter#broadcastWithAck, timed; `expire` starts the timeout once the count is known. */
export function timedBroadcastAcks(
  sink: AckSink,
  event: unknown,
  timeoutMs: number | undefined,
  clientCount: (count: number) => void,
  ack: (response: unknown) => void,
) {
  const started = performance.now();
  let expected = 0;
  let answered = 0;
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  return {
    clientCount: (count: number) => {
      expected += count;
      clientCount(count);
    },
    ack: (response: unknown) => {
      // A late response (possible on a server of a cluster that did not start the timer) is already a timeout.
      if (!expired) {
        answered++;
        sink.acked(event, (performance.now() - started) / 1000);
        if (answered >= expected && timer) clearTimeout(timer);
      }
      ack(response);
    },
    /** Starts the timeout; created after socket.io's own, with the same delay, so it fires just after it. */
    expire: () => {
      if (answered >= expected) return;
      timer = setTimeout(() => {
        expired = true;
        if (expected > answered) sink.failed('ack_timeout', expected - answered);
      }, timeoutMs);
      timer.unref();
    },
  };
}
