/**
 * What the network carries for socket.io events: recipients and bytes of each emit, bytes of
 * each event received. Sizes are engine.io packet payloads as the WebSocket transport sends
 * them: a text packet is its type byte ("4", message) and the socket.io packet, a binary
 * attachment its bytes; WebSocket frame headers, long-polling framing and compression are not
 * counted.
 *
 * socket.io writes every packet of every path through Client#writeToEngine: once per recipient,
 * with the packet encoded once per broadcast. An emit opens a delivery, and the writes made while
 * it is open are its recipients; deliveries nest, so an emit made inside another one (an
 * onAnyOutgoing listener, the adapter's broadcast inside Socket#emit) counts for itself.
 */

interface Delivery {
  recipients: number;
  /** Bytes of the encoded packet, measured on the first write (-1 before). */
  bytes: number;
}

// Loosely typed: what socket.io's Client and engine.io's Socket look like to the write path.
interface Connection {
  readyState: string;
  transport: { writable: boolean };
}
type Encoded = string | ArrayBufferView | ArrayBuffer;

let open: Delivery | undefined;

/** Runs an emit, returning what it wrote: recipients and bytes of one copy of the packet. */
export function deliver<T>(emit: () => T, done: (recipients: number, bytes: number) => void): T {
  const outer = open;
  const delivery: Delivery = { recipients: 0, bytes: -1 };
  open = delivery;
  let result: T;
  try {
    result = emit();
  } finally {
    open = outer;
  }
  if (delivery.recipients > 0) done(delivery.recipients, delivery.bytes);
  return result;
}

/** Called by Client#writeToEngine: counts the write for the open delivery, if it goes out. */
export function written(conn: Connection, packets: Encoded | Encoded[], opts: { volatile?: boolean } | undefined): void {
  const delivery = open;
  if (delivery === undefined || conn.readyState !== 'open') return;
  // The check writeToEngine itself makes before dropping a volatile packet.
  if (opts?.volatile && !conn.transport.writable) return;
  delivery.recipients++;
  if (delivery.bytes < 0) delivery.bytes = payloadBytes(packets);
}

/** Engine.io payload bytes of one packet or the packets of one socket.io event. */
export function payloadBytes(packets: Encoded | Encoded[]): number {
  if (!Array.isArray(packets)) return packetBytes(packets);
  let bytes = 0;
  for (const packet of packets) bytes += packetBytes(packet);
  return bytes;
}

function packetBytes(packet: Encoded): number {
  // A text packet travels as "4" (engine.io's message type) followed by the socket.io packet.
  if (typeof packet === 'string') return Buffer.byteLength(packet) + 1;
  return packet?.byteLength ?? 0;
}

/** What a socket.io packet decoder looks like to the receive path (socket.io-parser's and compatible ones). */
export interface PacketDecoder {
  add(data: unknown): void;
  on(event: 'decoded', listener: (packet: { type: number; data?: unknown[] }) => void): unknown;
}

const EVENT = 2;
const BINARY_EVENT = 5;

/**
 * Reports each event a connection's decoder decodes, with the bytes it arrived in (a binary
 * event's attachments arrive as packets of their own before it is decoded). The decoder is
 * patched on the instance: socket.io binds Client#ondata in its constructor, and the Decoder
 * class is shared with socket.io-client's in the same process.
 */
export function measureDecoder(decoder: PacketDecoder, onEvent: (event: unknown, bytes: number) => void): void {
  let pending = 0;
  const add = decoder.add.bind(decoder);
  decoder.add = (data: unknown) => {
    pending += payloadBytes(data as Encoded);
    try {
      add(data);
    } catch (error) {
      pending = 0;
      throw error;
    }
  };
  // After the client's own listener, still within add(): before socket.io hands the event on.
  decoder.on('decoded', (packet) => {
    const bytes = pending;
    pending = 0;
    if ((packet.type === EVENT || packet.type === BINARY_EVENT) && packet.data) onEvent(packet.data[0], bytes);
  });
}
