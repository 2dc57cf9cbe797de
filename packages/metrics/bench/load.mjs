/**
 * A small keep-alive HTTP/1.1 load generator: N raw connections, one request in flight on each,
 * counting complete responses. Far cheaper per request than Node's http client, so the server
 * under test, not the client, is what runs out of CPU.
 */
import net from 'node:net';

export function load(port, { connections = 16, seconds, path = '/' }) {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const until = performance.now() + seconds * 1000;
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    let open = connections;
    const closed = () => {
      if (--open === 0) resolve({ completed, errors, seconds: (performance.now() - started) / 1000 });
    };
    for (let i = 0; i < connections; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let pending = '';
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk) => {
        pending += chunk.toString('latin1');
        for (;;) {
          const head = pending.indexOf('\r\n\r\n');
          if (head < 0) return;
          const length = Number(/content-length: *(\d+)/i.exec(pending.slice(0, head))?.[1] ?? 0);
          if (pending.length < head + 4 + length) return;
          if (!pending.startsWith('HTTP/1.1 200')) errors++;
          pending = pending.slice(head + 4 + length);
          completed++;
          if (performance.now() < until) socket.write(request);
          else return void socket.end();
        }
      });
      socket.on('error', () => errors++);
      socket.on('close', closed);
    }
  });
}
