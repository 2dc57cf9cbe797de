/**
 * (b) socket.io emit throughput to 100 connected clients, instrumented vs not: each server in a
 * child process, the clients in this one. A run is `count` io.emit calls, timed until every
 * client has received every event; runs alternate between the two servers. The instrumented
 * server's counts are checked at the end: one emit and 100 deliveries per io.emit.
 */
import { fork } from 'node:child_process';
import { io as connect } from 'socket.io-client';
import { median, round, writeResult } from './result.mjs';

const CLIENTS = 100;
const EMITS = 1000;
const ROUNDS = 8;

export async function benchSocketIO() {
  const servers = {};
  try {
    for (const variant of ['bare', 'instrumented']) servers[variant] = await start(variant);
    const rates = { bare: [], instrumented: [] };
    const cpu = { bare: [], instrumented: [] };
    for (const server of Object.values(servers)) await run(server, 200);
    let counted = { sent: 0, delivered: 0, bytes: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of r % 2 ? ['instrumented', 'bare'] : ['bare', 'instrumented']) {
        const { seconds, cpuSeconds, ...totals } = await run(servers[variant], EMITS);
        rates[variant].push(EMITS / seconds);
        cpu[variant].push(EMITS / cpuSeconds);
        if (variant === 'instrumented') counted = totals;
      }
    }
    const expected = 200 + ROUNDS * EMITS;
    if (counted.sent !== expected || counted.delivered !== expected * CLIENTS) {
      throw new Error(`the instrumented server counted ${counted.sent} emits and ${counted.delivered} deliveries, expected ${expected} and ${expected * CLIENTS}`);
    }
    const bare = median(rates.bare);
    const instrumented = median(rates.instrumented);
    const ratio = median(rates.instrumented.map((rate, i) => rate / rates.bare[i]));
    const cpuRatio = median(cpu.instrumented) / median(cpu.bare);
    writeResult('metrics-socketio.json', {
      name: 'metrics-socketio',
      description: `io.emit throughput to ${CLIENTS} connected socket.io clients (websocket transport), emits/s until every client received every event; ratio = median over ${ROUNDS} alternating pairs of runs of ${EMITS} emits. The server's CPU time per emit is reported too, as the shared machine's load moves wall-clock rates.`,
      rows: [
        { case: 'uninstrumented: wall-clock', value: round(bare), unit: 'emits/s', ratio: 1 },
        { case: 'instrumented (instrumentSocketIO): wall-clock', value: round(instrumented), unit: 'emits/s', ratio: round(ratio), target: '>= 0.95', met: ratio >= 0.95 },
        { case: 'uninstrumented: per server CPU-second', value: round(median(cpu.bare)), unit: 'emits/cpu-s', ratio: 1 },
        { case: 'instrumented: per server CPU-second', value: round(median(cpu.instrumented)), unit: 'emits/cpu-s', ratio: round(cpuRatio), target: '>= 0.95', met: cpuRatio >= 0.95 },
        { case: 'deliveries/s instrumented', value: round(instrumented * CLIENTS), unit: 'events/s' },
        { case: 'bytes per delivery (websocket_sent_bytes_total / websocket_message_deliveries_total)', value: counted.bytes / counted.delivered, unit: 'bytes' },
      ],
    });
  } finally {
    for (const server of Object.values(servers)) server.close();
  }
}

async function start(variant) {
  const child = fork(new URL('./socketio-server.mjs', import.meta.url), [variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const options = { transports: ['websocket'], forceNew: true, reconnection: false };
  const clients = Array.from({ length: CLIENTS }, () => connect(url, options));
  const control = connect(`${url}/control`, options);
  await Promise.all([...clients, control].map((c) => new Promise((resolve) => c.once('connect', resolve))));
  const server = { clients, control, received: 0, waiting: undefined };
  for (const client of clients) {
    client.on('progress', () => {
      if (++server.received === server.target) server.waiting();
    });
  }
  server.close = () => {
    for (const c of [...clients, control]) c.disconnect();
    child.kill();
  };
  return server;
}

async function run(server, count) {
  server.received = 0;
  server.target = count * CLIENTS;
  const started = performance.now();
  const delivered = new Promise((resolve) => (server.waiting = resolve));
  const { cpuSeconds, ...totals } = await server.control.timeout(60_000).emitWithAck('run', count);
  await delivered;
  return { seconds: (performance.now() - started) / 1000, cpuSeconds, ...totals };
}
