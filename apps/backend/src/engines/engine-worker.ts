/**
 * An engine thread: runs engine calls sent by the main thread (see ./threads.ts) so that
 * CPU-heavy stages never hold the service's event loop. Progress and the outcome go back as
 * messages; an `abort` message aborts the call's signal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError, type StageContext } from '@orfeas/engines';
import { selectEngines, type EngineSettings } from './select.js';
import type { EngineCall, FromEngineThread, ToEngineThread } from './thread-messages.js';

const port = parentPort!;
const engines = selectEngines(workerData as EngineSettings);
const running = new Map<number, AbortController>();
const send = (message: FromEngineThread) => port.postMessage(message);

async function run({ id, engine, method, args }: EngineCall): Promise<void> {
  const abort = new AbortController();
  running.set(id, abort);
  const ctx: StageContext = { signal: abort.signal, progress: (fraction) => send({ type: 'progress', id, fraction }) };
  try {
    const target = engines[engine] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const result = await target[method]!.call(target, ...args, ctx);
    send({ type: 'result', id, result });
  } catch (err) {
    const e = err as Error;
    send({
      type: 'error',
      id,
      error: err instanceof EngineError
        ? { kind: 'engine', code: err.code, message: err.message, ...(err.stage ? { stage: err.stage } : {}) }
        : { kind: 'internal', name: e?.name ?? 'Error', message: String(e?.message ?? err), stack: e?.stack },
    });
  } finally {
    running.delete(id);
  }
}

port.on('message', (message: ToEngineThread) => {
  if (message.type === 'abort') running.get(message.id)?.abort();
  else void run(message);
});
// The engines loaded: from here on an exit is a crash, not a thread that cannot start.
send({ type: 'ready' });
