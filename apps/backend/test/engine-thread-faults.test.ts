/**
 * Engine thread faults: a thread that dies fails only the call it was running and is replaced,
 * and closing the pool fails the calls still in flight instead of leaving them pending forever.
 */
import pino from 'pino';
import { expect, it } from 'vitest';
import { EngineThreads } from '../src/engines/threads.js';

const WORKER = new URL('./support/crashing-engine-worker.mjs', import.meta.url);
const ctx = () => ({ signal: new AbortController().signal, progress: () => {} });
const request = (prompt: string) => ({ prompt, style: 'sketch', width: 64, height: 64, seed: 1 }) as const;

it('fails the call of a thread that exits, and runs the next calls on a new thread', async () => {
  const threads = new EngineThreads(1, {}, pino({ level: 'silent' }), WORKER);
  try {
    const engine = threads.textToImage('stand-in');
    const first = (await engine.generate(request('before'), ctx())) as unknown as { threadId: number };
    const crashed = engine.generate(request('crash'), ctx());
    const queued = engine.generate(request('after'), ctx());
    await expect(crashed).rejects.toThrow(/engine thread exited with code 3/);
    const after = (await queued) as unknown as { prompt: string; threadId: number };
    expect(after.prompt).toBe('after');
    expect(after.threadId).not.toBe(first.threadId);
  } finally {
    await threads.close();
  }
});

it('fails the calls in flight and queued when it is closed', async () => {
  const threads = new EngineThreads(1, {}, pino({ level: 'silent' }), WORKER);
  const engine = threads.textToImage('stand-in');
  const outcome = (call: Promise<unknown>) => call.then(() => 'resolved', (e: Error) => e.message);
  const running = outcome(engine.generate(request('hang'), ctx()));
  const queued = outcome(engine.generate(request('never'), ctx()));
  await threads.close();
  expect(await queued).toMatch(/closed/);
  expect(await running).toMatch(/closed/);
});
