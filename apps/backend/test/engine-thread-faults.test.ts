/**
 * Engine thread faults: a thread that dies fails only the call it was running and is replaced,
 * threads that cannot start are replaced with a growing delay and their calls failed, one
 * stuck in an aborted call is terminated and replaced, and
 * closing the pool fails the calls still in flight instead of leaving them pending forever.
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
    const engine = threads.textToImage({ name: 'stand-in', identity: 'stand-in' });
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

it('replaces a thread whose aborted call never ends, and runs the next call on a new thread', async () => {
  const threads = new EngineThreads(1, {}, pino({ level: 'silent' }), WORKER);
  try {
    const engine = threads.textToImage({ name: 'stand-in', identity: 'stand-in' });
    const first = (await engine.generate(request('before'), ctx())) as unknown as { threadId: number };
    const abort = new AbortController();
    const spinning = engine.generate(request('spin'), { signal: abort.signal, progress: () => {} });
    const queued = engine.generate(request('after'), ctx());
    abort.abort();
    await expect(spinning).rejects.toThrow(/aborted and did not end; its engine thread was replaced/);
    const after = (await queued) as unknown as { prompt: string; threadId: number };
    expect(after.prompt).toBe('after');
    expect(after.threadId).not.toBe(first.threadId);
    expect(threads.spawned).toBe(2);
  } finally {
    await threads.close();
  }
});

it('fails the calls in flight and queued when it is closed', async () => {
  const threads = new EngineThreads(1, {}, pino({ level: 'silent' }), WORKER);
  const engine = threads.textToImage({ name: 'stand-in', identity: 'stand-in' });
  const outcome = (call: Promise<unknown>) => call.then(() => 'resolved', (e: Error) => e.message);
  const running = outcome(engine.generate(request('hang'), ctx()));
  const queued = outcome(engine.generate(request('never'), ctx()));
  await threads.close();
  expect(await queued).toMatch(/closed/);
  expect(await running).toMatch(/closed/);
});

it('fails calls instead of holding them when threads exit at start, without replacing them in a loop', async () => {
  const failing = new URL('./support/failing-start-engine-worker.mjs', import.meta.url);
  const threads = new EngineThreads(1, {}, pino({ level: 'silent' }), failing);
  try {
    const engine = threads.textToImage({ name: 'stand-in', identity: 'stand-in' });
    // Five calls for one thread that keeps failing: each one ends, none is held for good.
    const outcomes = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => engine.generate(request(`call ${i}`), ctx()).then(() => 'resolved', (e: Error) => e.message)),
    );
    expect(outcomes.slice(0, 3)).toEqual(Array(3).fill('the engine thread exited with code 7'));
    expect(outcomes.slice(3)).toEqual(Array(2).fill(expect.stringMatching(/exit at start \(3 times in a row, last code 7\)/)));
    // Each replacement of a thread that never got ready waited (100, 200 ms): three starts, not a hot loop.
    expect(threads.spawned).toBe(3);
  } finally {
    await threads.close();
  }
});
