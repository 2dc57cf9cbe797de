/**
 * A real Redis for the fleet tests: Debian's redis-server on a free loopback port, AOF on and
 * RDB snapshots off, in a temporary directory; resolves once it answers PING.
 */
import { createConnection } from 'node:net';
import { freePort, startProcess, tempDir } from '../../stack/processes.mjs';

export const REDIS_SERVER = 'redis-server';

export interface Redis {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Whether Redis on `port` answers PING with PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1_000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const dir = tempDir('orfeas-e2e-redis-');
  const server = startProcess(REDIS_SERVER, REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir.path]);
  const stop = async () => {
    await server.stop();
    dir.remove();
  };
  const deadline = Date.now() + 15_000;
  while (!(await pong(port))) {
    if (server.exited || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING (${server.exited ?? 'still starting'}):\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `redis://127.0.0.1:${port}`, output: server.output, stop };
}
