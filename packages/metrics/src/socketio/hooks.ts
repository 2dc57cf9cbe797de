/**
 * Prototype hooks shared by every instrumented socket.io server in the process. socket.io
 * sends through two paths that never call each other: Socket#emit (one socket) and
 * BroadcastOperator#emit (io.emit, nsp.emit, io.to(room).emit, socket.broadcast/to(room).emit),
 * so hooking both counts each emit call exactly once. Hooks look the server up and pass
 * straight through for servers that are not instrumented; they are removed with the last one.
 *
 * The classes are taken from the instrumented server's own objects rather than imported, so
 * the hooks land on the socket.io copy the server was built from.
 */
import type { Namespace, Server, Socket } from 'socket.io';

/** What the hooks report to one instrumented server. */
export interface HookedServer {
  sent(event: unknown): void;
  failed(errorType: 'connect_error' | 'handler_exception'): void;
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

const servers = new WeakMap<Server, HookedServer & { parentEmits: number }>();
const hooks: Hook[] = [];
let instrumented = 0;

export function hookServer(io: Server, server: HookedServer): void {
  servers.set(io, { ...server, parentEmits: 0 });
  instrumented++;
  hookBroadcasts(Object.getPrototypeOf(io.local) as Proto);
  hookNamespaces(Object.getPrototypeOf(io.sockets) as Proto);
}

export function unhookServer(io: Server): void {
  if (!servers.delete(io)) return;
  if (--instrumented > 0) return;
  for (const { proto, key, original } of hooks.splice(0)) proto[key] = original;
}

/** Hooks the classes of a socket seen connecting (Socket is not reachable from the server). */
export function hookSocketClass(socket: Socket): void {
  const proto = Object.getPrototypeOf(socket) as Proto;
  hook(proto, 'emit', (original) =>
    function emit(this: Socket) {
      const result = original.apply(this, arguments as unknown as unknown[]);
      servers.get(this.nsp.server)?.sent(arguments[0]);
      return result;
    },
  );
  // Socket#dispatch delivers client events through `super.emitUntyped`, looked up on the
  // parent prototype at call time: the one place where every listener call can be watched.
  hook(Object.getPrototypeOf(proto) as Proto, 'emitUntyped', (original) =>
    function emitUntyped(this: Socket) {
      const server = this.nsp ? servers.get(this.nsp.server) : undefined;
      if (!server) return original.apply(this, arguments as unknown as unknown[]);
      return deliver(this, [...(arguments as unknown as unknown[])], server, original);
    },
  );
}

/** Hooks ParentNamespace#emit, which calls emit on each child namespace, to count it once. */
export function hookParentNamespace(nsp: Namespace): void {
  if (!(nsp as unknown as { children?: unknown }).children) return;
  hook(Object.getPrototypeOf(nsp) as Proto, 'emit', (original) =>
    function emit(this: Namespace) {
      const server = servers.get(this.server);
      if (!server) return original.apply(this, arguments as unknown as unknown[]);
      server.parentEmits++;
      try {
        const result = original.apply(this, arguments as unknown as unknown[]);
        server.sent(arguments[0]);
        return result;
      } finally {
        server.parentEmits--;
      }
    },
  );
}

function hookBroadcasts(proto: Proto): void {
  hook(proto, 'emit', (original) =>
    function emit(this: { adapter: { nsp: Namespace } }) {
      const result = original.apply(this, arguments as unknown as unknown[]);
      const server = servers.get(this.adapter.nsp.server);
      if (server && server.parentEmits === 0) server.sent(arguments[0]);
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
      hookSocketClass(socket);
      return original.call(this, socket, (error?: Error) => {
        if (error) server.failed('connect_error');
        done(error);
      });
    },
  );
}

/** EventEmitter#emit, with each listener's throw or rejection counted, then passed on unchanged. */
function deliver(socket: Socket, args: unknown[], server: HookedServer, original: Fn): unknown {
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
