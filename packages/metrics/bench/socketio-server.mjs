/** A socket.io server in its own process, instrumented or not, that emits progress events on request. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createMetrics } from '../dist/index.js';
import { instrumentSocketIO } from '../dist/socketio/index.js';

const variant = process.argv[2];
const http = createServer();
const io = new Server(http);
const metrics = variant === 'instrumented' ? createMetrics() : undefined;
if (metrics) instrumentSocketIO(io, metrics);
else if (variant !== 'bare') throw new Error(`unknown variant ${variant}: bare or instrumented`);

const progress = { jobId: 'job-6f1c', stage: 'shape_generation', percent: 42, etaSeconds: 12.5 };
io.of('/control').on('connection', (socket) => {
  socket.on('run', async (count, done) => {
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      io.emit('progress', progress);
      // Let the sockets drain now and then, as a server with other work would.
      if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const counted = async (metric) => (await metric?.get())?.values.find((v) => v.labels.event_type === 'progress')?.value ?? null;
    // CPU seconds of the emitting loop (the events are written out by then; delivery is the clients' side).
    done({
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      sent: await counted(metrics?.websocket.messagesSentTotal),
      delivered: await counted(metrics?.websocket.messageDeliveriesTotal),
      bytes: await counted(metrics?.websocket.sentBytesTotal),
    });
  });
});
http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
