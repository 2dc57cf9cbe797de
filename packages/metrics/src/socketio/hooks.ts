/**
 * Prototype hooks shared by every instrumented socket.io server in the process. socket.io
 * sends through two paths that never call each other: Socket#emit (one socket) and
 * BroadcastOperator#emit (io.emit, nsp.emit, io.to(room).emit, socket.broadcast/to(room).emit),
 * so hooking both counts each emit call exactly once. What an emit puts on the network is
 * counted where it is written (./wire.ts): Socket#emit and the base adapter's broadcast and
 * broadcastWithAck open a delivery, Client#writeToEngine counts its recipients; the base
 * adapter's methods are the ones every adapter (Redis, cluster) ends in for local sockets, so
 * in a cluster each server counts what it writes. Hooks look the server up and pass straight
 * through for servers that are not instrumented; they are removed with the last one.
 *
 * The classes are taken from the instrumented server's own objects rather than imported, so
 * the hooks land on the socket.io copy the server was built from.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import { timedAck, timedBroadcastAcks } from './acks.js';
import { deliver, measureDecoder, written, type PacketDecoder } from './wire.js';

/** What the hooks report to one instrumented server. */
export interface HookedServer {
  /** One emit call. */
  sent(event: unknown): void;
  /** What one emit wrote: its recipients and the bytes of one copy. */
  delivered(event: unknown, recipients: number, bytes: number): void;
  received(event: unknown, bytes: number): void;
  acked(event: unknown, seconds: number): void;
  failed(errorType: 'connect_error' | 'handler_exception' | 'ack_timeout', count?: number): void;
}

// Hooked methods are called with whatever socket.io passes them; typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (this: any, ...args: any[]) => unknown;
type Proto = Record<string, unknown>;
interface Hook {
  proto: Proto;
  key: string;
  original: unknown;
}
interface EventPacket {
  data?: unknown[];
}
interface BroadcastOptions {
  flags?: { timeout?: number };
}
interface AdapterLike {
  nsp?: Namespace;
}

const servers = new WeakMap<Server, HookedServer & { parentEmits: number }>();
const hooks: Hook[] = [];
let instrumented = 0;

export function hookServer(io: Server, server: HookedServer): void {
  servers.set(io, { ...server, parentEmits: 0 });
  instrumented++;
  hookBroadcasts(Object.getPrototypeOf(io.local) as Proto);
  hookNamespaces(Object.getPrototypeOf(io.sockets) as Proto);
  hookAdapter(io.sockets.adapter);
}

export function unhookServer(io: Server): void {
  if (!servers.delete(io)) return;
  if (--instrumented > 0) return;
  for (const { proto, key, original } of hooks.splice(0)) proto[key] = original;
}

const measuredClients = new WeakSet<object>();

/**
 * Hooks the classes of a socket seen connecting (Socket and Client are not reachable from the
 * server), its namespace's adapter, and its connection's decoder for the bytes it receives.
 */
export function hookSocket(socket: Socket): void {
  const proto = Object.getPrototypeOf(socket) as Proto;
  hook(proto, 'emit', (original) =>
    function emit(this: Socket, ...args: unknown[]) {
      const server = servers.get(this.nsp.server);
      if (!server) return original.apply(this, args);
      const event = args[0];
      const last = args.length - 1;
      if (last > 0 && typeof args[last] === 'function') {
        // Read before the emit: socket.io clears the socket's flags as it sends.
        const withTimeout = (this as unknown as { flags: { timeout?: number } }).flags.timeout !== undefined;
        args[last] = timedAck(server, event, args[last] as Fn, withTimeout);
      }
      const result = deliver(
        () => original.apply(this, args),
        (recipients, bytes) => server.delivered(event, recipients, bytes),
      );
      server.sent(event);
      return result;
    },
  );
  // Socket#dispatch delivers client events through `super.emitUntyped`, looked up on the
  // parent prototype at call time: the one place where every listener call can be watched.
  hook(Object.getPrototypeOf(proto) as Proto, 'emitUntyped', (original) =>
    function emitUntyped(this: Socket, ...args: unknown[]) {
      const server = this.nsp ? servers.get(this.nsp.server) : undefined;
      if (!server) return original.apply(this, args);
      return callListeners(this, args, server, original);
    },
  );
  const client = socket.client as unknown as { conn: Parameters<typeof written>[0]; decoder: PacketDecoder };
  hook(Object.getPrototypeOf(client) as Proto, 'writeToEngine', (original) =>
    function writeToEngine(this: typeof client, packets: Parameters<typeof written>[1], opts: Parameters<typeof written>[2]) {
      written(this.conn, packets, opts);
      return original.call(this, packets, opts);
    },
  );
  hookAdapter(socket.nsp.adapter);
  if (!measuredClients.has(client)) {
    measuredClients.add(client);
    const io = socket.nsp.server;
    measureDecoder(client.decoder, (event, bytes) => servers.get(io)?.received(event, bytes));
  }
}

/** Hooks the base (in-memory) adapter class that an adapter's broadcasts end in. */
function hookAdapter(adapter: object): void {
  let base: Proto | undefined;
  for (let proto = Object.getPrototypeOf(adapter) as Proto | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as Proto | null) {
    if (Object.hasOwn(proto, 'broadcast')) base = proto;
  }
  if (!base) return;
  hook(base, 'broadcast', (original) =>
    function broadcast(this: AdapterLike, packet: EventPacket, opts: BroadcastOptions) {
      const server = this.nsp ? servers.get(this.nsp.server) : undefined;
      if (!server) return original.call(this, packet, opts);
      const event = packet.data?.[0];
      return deliver(
        () => original.call(this, packet, opts),
        (recipients, bytes) => server.delivered(event, recipients, bytes),
      );
    },
  );
  if (typeof base.broadcastWithAck !== 'function') return;
  hook(base, 'broadcastWithAck', (original) =>
    function broadcastWithAck(this: AdapterLike, packet: EventPacket, opts: BroadcastOptions, clientCount: Fn, ack: Fn) {
      const server = this.nsp ? servers.get(this.nsp.server) : undefined;
      if (!server) return original.call(this, packet, opts, clientCount, ack);
      const event = packet.data?.[0];
      const acks = timedBroadcastAcks(server, event, opts?.flags?.timeout, clientCount, ack);
      const result = deliver(
        () => original.call(this, packet, opts, acks.clientCount, acks.ack),
        (recipients, bytes) => server.delivered(event, recipients, bytes),
      );
      acks.expire();
      return result;
    },
  );
}

/** Hooks ParentNamespace#emit, which calls emit on each child namespace, to count it once. */
export function hookParentNamespace(nsp: Namespace): void {
  if (!(nsp as unknown as { children?: unknown }).children) return;
  hook(Object.getPrototypeOf(nsp) as Proto, 'emit', (original) =>
    function emit(this: Namespace, ...args: unknown[]) {
      const server = servers.get(this.server);
      if (!server) return original.apply(this, args);
      server.parentEmits++;
      try {
        const result = original.apply(this, args);
        server.sent(args[0]);
        return result;
      } finally {
        server.parentEmits--;
      }
    },
  );
}

function hookBroadcasts(proto: Proto): void {
  hook(proto, 'emit', (original) =>
    function emit(this: { adapter: { nsp: Namespace } }, ...args: unknown[]) {
      const result = original.apply(this, args);
      const server = servers.get(this.adapter.nsp.server);
      if (server && server.parentEmits === 0) server.sent(args[0]);
      return result;
    },
  );
}

function hookNamespaces(proto: Proto): void {
  // Namespace#run runs the connection middlewares of every socket before it connects: the
  // place to see middleware rejections (sent to the client as connect_error) and to meet the
  // Socket class before any user code gets the socket.
  hook(proto, 'run', (original) =>
    function run(this: Namespace, socket: Socket, done: (error?: Error) => void) {
      const server = servers.get(this.server);
      if (!server) return original.call(this, socket, done);
      hookSocket(socket);
      return original.call(this, socket, (error?: Error) => {
        if (error) server.failed('connect_error');
        done(error);
      });
    },
  );
}

/** EventEmitter#emit, with each listener's throw or rejection counted, then passed on unchanged. */
function callListeners(socket: Socket, args: unknown[], server: HookedServer, original: Fn): unknown {
  const listeners = socket.rawListeners(args[0] as string) as Fn[];
  if (listeners.length === 0) return original.apply(socket, args);
  const params = args.slice(1);
  for (const listener of listeners) {
    let result: unknown;
    try {
      result = listener.apply(socket, params);
    } catch (error) {
      server.failed('handler_exception');
      throw error;
    }
    if (isThenable(result)) {
      // Re-thrown so an unhandled rejection stays exactly as unhandled as it was.
      result.then(undefined, (error: unknown) => {
        server.failed('handler_exception');
        throw error;
      });
    }
  }
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

function hook(proto: Proto, key: string, wrap: (original: Fn) => Fn): void {
  if (hooks.some((h) => h.proto === proto && h.key === key)) return;
  const original = proto[key] as Fn;
  hooks.push({ proto, key, original });
  proto[key] = wrap(original);
}
