/**
 * The `gpu` room: sampler snapshots (`gpu_stats`) at the rate each client asked for. Clients
 * asking for the same rate share one timer and one room emit; a timer stops when its room
 * empties.
 */
import type { Server, Socket } from 'socket.io';
import { toJson, type Gpu } from '../gpu/index.js';
import { GPU_ROOM, MAX_GPU_HZ, MIN_GPU_HZ, SENT, gpuRateRoom } from './protocol.js';

export class GpuStream {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly io: Server,
    private readonly gpu: Gpu,
  ) {}

  /** Joins a socket to the stream at `hz` (capped to 1..20); returns the rate granted. */
  join(socket: Socket, requestedHz: number | undefined): number {
    const hz = Math.round(Math.min(Math.max(requestedHz ?? MIN_GPU_HZ, MIN_GPU_HZ), MAX_GPU_HZ));
    this.leave(socket);
    void socket.join([GPU_ROOM, gpuRateRoom(hz)]);
    socket.emit(SENT.gpu_stats, this.snapshot(hz));
    if (!this.timers.has(hz)) {
      const timer = setInterval(() => this.tick(hz), 1000 / hz);
      timer.unref();
      this.timers.set(hz, timer);
    }
    return hz;
  }

  leave(socket: Socket): void {
    for (const room of socket.rooms) if (room.startsWith(`${GPU_ROOM}:`) || room === GPU_ROOM) void socket.leave(room);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  private tick(hz: number): void {
    const room = gpuRateRoom(hz);
    if (!this.io.sockets.adapter.rooms.get(room)?.size) {
      clearInterval(this.timers.get(hz));
      this.timers.delete(hz);
      return;
    }
    // This replica's GPUs, to its own sockets: in a fleet each replica streams its own.
    this.io.local.to(room).emit(SENT.gpu_stats, this.snapshot(hz));
  }

  /** A snapshot with the window since the previous one (1 / hz seconds). */
  private snapshot(hz: number) {
    return { hz, ...(toJson(this.gpu.snapshot(1000 / hz)) as Record<string, unknown>) };
  }
}
