/**
 * Engine threads: the engines run in a small pool of worker threads, one call at a time per
 * thread, so a CPU-heavy stage never holds the event loop that serves HTTP, socket.io and
 * scrapes, and WORKER_CONCURRENCY jobs really run side by side. The engines seen by the
 * pipeline are proxies with the same interface; a thread that dies fails its call (as an
 * internal error) and is replaced, and one whose aborted call does not end is terminated.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineError, type ImageTo3dEngine, type StageContext, type TextToImageEngine } from '@orfeas/engines';
import type { Logger } from 'pino';
import type { EngineSettings } from './select.js';
import type { EngineCall, EngineKind, FromEngineThread, ThreadError } from './thread-messages.js';

/** The compiled thread entry; absent when running from the TypeScript sources (tests, tsx). */
export const ENGINE_WORKER_URL = new URL('./engine-worker.js', import.meta.url);

export function engineThreadsAvailable(): boolean {
  return ENGINE_WORKER_URL.protocol === 'file:' && fs.existsSync(fileURLToPath(ENGINE_WORKER_URL));
}

interface PendingCall {
  call: EngineCall;
  ctx: StageContext;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  current?: PendingCall;
  /** Set when its call was aborted and did not end in time: the exit is expected. */
  terminating?: boolean;
  /** False once it has exited: nothing is sent to it while its replacement is on the way. */
  alive: boolean;
  /** True once it has loaded its engines (its `ready` message). */
  ready: boolean;
}
/**
 * An aborted call gets this long to end by itself (engines check their signal between steps);
 * a thread still busy after it is terminated and replaced, so the next job is not held back.
 */
export const ABORT_GRACE_MS = 1_000;
/** Replacements of threads failing at start wait 100 ms, doubling up to this. */
const MAX_RESPAWN_DELAY_MS = 30_000;
/** After this many starts failing in a row, waiting calls are failed instead of held. */
const FAILED_STARTS_BEFORE_GIVING_UP = 3;

function toError({ error }: { error: ThreadError }): Error {
  if (error.kind === 'engine') return new EngineError(error.code, error.message, error.stage);
  const e = new Error(error.message);
  e.name = error.name;
  if (error.stack) e.stack = error.stack;
  return e;
}

export class EngineThreads {
  private readonly threads: Thread[] = [];
  private readonly waiting: PendingCall[] = [];
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;
  private readonly respawns = new Set<NodeJS.Timeout>();
  /** Threads started, replacements included. */
  spawned = 0;

  constructor(
    size: number,
    private readonly servers: EngineSettings,
    private readonly log: Logger,
    private readonly workerUrl: URL = ENGINE_WORKER_URL,
  ) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn());
  }

  /** The image-to-3D engine of the threads, under the name and identity of the one they load. */
  imageTo3d({ name, identity }: { name: string; identity: string }): ImageTo3dEngine {
    const call = this.caller('imageTo3d');
    return {
      name,
      identity,
      removeBackground: (image, ctx) => call('removeBackground', [image], ctx),
      generateShape: (cutout, options, ctx) => call('generateShape', [cutout, options], ctx),
      generateTexture: (mesh, cutout, ctx) => call('generateTexture', [mesh, cutout], ctx),
      exportModel: (model, format, ctx) => call('exportModel', [model, format], ctx),
    };
  }

  textToImage({ name, identity }: { name: string; identity: string }): TextToImageEngine {
    const call = this.caller('textToImage');
    return { name, identity, generate: (request, ctx) => call('generate', [request], ctx) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.respawns) clearTimeout(timer);
    for (const pending of this.waiting.splice(0)) pending.reject(new Error('engine threads closed'));
    // A call still running would otherwise never settle: its thread's exit is ignored once closed.
    for (const thread of this.threads) {
      thread.current?.reject(new Error('engine threads closed while the call ran'));
      thread.current = undefined;
    }
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private caller(engine: EngineKind) {
    return <T>(method: string, args: unknown[], ctx: StageContext): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (this.closed) return reject(new Error('engine threads closed'));
        const call: EngineCall = { type: 'call', id: this.nextId++, engine, method, args };
        this.waiting.push({ call, ctx, resolve: resolve as (value: unknown) => void, reject });
        this.dispatch();
      });
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (thread.current || !thread.alive) continue;
      const pending = this.waiting.shift();
      if (!pending) return;
      thread.current = pending;
      const onAbort = () => {
        thread.worker.postMessage({ type: 'abort', id: pending.call.id });
        const timer = setTimeout(() => {
          if (thread.current !== pending || !thread.alive) return;
          // Stuck in synchronous work that never looks at its signal: end the thread.
          thread.terminating = true;
          this.log.warn({ call: pending.call.method }, `an aborted engine call did not end within ${ABORT_GRACE_MS} ms; replacing its thread`);
          void thread.worker.terminate();
        }, ABORT_GRACE_MS);
        timer.unref();
      };
      // The call first: an abort that arrived before it would find nothing to abort.
      thread.worker.postMessage(pending.call);
      if (pending.ctx.signal.aborted) onAbort();
      else pending.ctx.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  private spawn(): Thread {
    const thread: Thread = { worker: new Worker(this.workerUrl, { workerData: this.servers }), alive: true, ready: false };
    this.spawned++;
    thread.worker.unref();
    thread.worker.on('message', (message: FromEngineThread) => {
      if (message.type === 'ready') {
        thread.ready = true;
        this.failedStarts = 0;
        return;
      }
      const pending = thread.current;
      if (!pending || pending.call.id !== message.id) return;
      if (message.type === 'progress') return pending.ctx.progress(message.fraction);
      thread.current = undefined;
      if (message.type === 'result') pending.resolve(message.result);
      else pending.reject(toError(message));
      this.dispatch();
    });
    thread.worker.on('error', (err) => this.log.error({ err }, 'engine thread failed'));
    thread.worker.on('exit', (code) => {
      thread.alive = false;
      if (this.closed) return;
      const why = thread.terminating ? 'the call was aborted and did not end; its engine thread was replaced' : `the engine thread exited with code ${code}`;
      thread.current?.reject(new Error(why));
      thread.current = undefined;
      if (thread.terminating) return this.replace(thread);
      // A thread that cannot even start (a broken install) would otherwise be replaced in a hot loop.
      this.failedStarts = thread.ready ? 0 : this.failedStarts + 1;
      const delay = this.failedStarts === 0 ? 0 : Math.min(MAX_RESPAWN_DELAY_MS, 100 * 2 ** (this.failedStarts - 1));
      this.log.error({ code, failedStarts: this.failedStarts, restartInMs: delay }, 'engine thread exited; starting another');
      if (this.failedStarts >= FAILED_STARTS_BEFORE_GIVING_UP) {
        const error = new Error(`the engine threads exit at start (${this.failedStarts} times in a row, last code ${code}); see the service log`);
        for (const pending of this.waiting.splice(0)) pending.reject(error);
      }
      if (delay === 0) return this.replace(thread);
      const timer = setTimeout(() => {
        this.respawns.delete(timer);
        this.replace(thread);
      }, delay);
      timer.unref();
      this.respawns.add(timer);
    });
    return thread;
  }

  private replace(thread: Thread): void {
    if (this.closed) return;
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads[index] = this.spawn();
    this.dispatch();
  }
}
