/**
 * Engine threads (the built dist/engines/engine-worker.js): engine calls run in worker threads
 * with progress, engine errors keep their code and stage, internal errors their name, and an
 * abort reaches the engine inside its thread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { EngineThreads } from '../src/engines/threads.js';
import { EngineError } from '@orfeas/engines';
import { subjectImage } from './support/images.js';

const WORKER = new URL('../dist/engines/engine-worker.js', import.meta.url);
if (!fs.existsSync(fileURLToPath(WORKER))) throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build -w @orfeas/backend\` first`);
const threads = new EngineThreads(2, {}, pino({ level: 'silent' }), WORKER);
afterAll(() => threads.close());
const ctx = (progress: number[] = [], signal = new AbortController().signal) => ({ signal, progress: (f: number) => void progress.push(f) });

it('runs the image-to-3D stages in a thread and brings back typed arrays and progress', async () => {
  const engine = threads.imageTo3d({ name: 'cpu-relief', identity: 'cpu-relief' });
  const progress: number[] = [];
  const cutout = await engine.removeBackground(await subjectImage('png', 96), ctx(progress));
  expect(cutout.mask).toBeInstanceOf(Uint8Array);
  expect(cutout.mask.length).toBe(cutout.width * cutout.height);
  const mesh = await engine.generateShape(cutout, { quality: 'low' }, ctx());
  expect(mesh.positions).toBeInstanceOf(Float32Array);
  const model = await engine.exportModel(await engine.generateTexture(mesh, cutout, ctx()), 'stl', ctx());
  expect(model.files[0]!.contentType).toBe('model/stl');
  expect(model.triangleCount).toBeGreaterThan(0);
  expect(progress.length).toBeGreaterThan(0);
});

it('keeps an engine error as an EngineError with its code', async () => {
  const engine = threads.textToImage({ name: 'procedural', identity: 'procedural' });
  const failed = await engine.generate({ prompt: 'x', style: 'cubism', width: 64, height: 64, seed: 1 }, ctx()).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(EngineError);
  expect(failed).toMatchObject({ code: 'invalid_request', stage: 'text_to_image' });
});

it('carries an abort into the thread: the engine stops its call as cancelled', async () => {
  const engine = threads.imageTo3d({ name: 'cpu-relief', identity: 'cpu-relief' });
  const abort = new AbortController();
  const call = engine.removeBackground(await subjectImage('png', 1024), ctx([], abort.signal));
  abort.abort();
  const stopped = await call.catch((e: unknown) => e);
  expect(stopped).toBeInstanceOf(EngineError);
  expect(stopped).toMatchObject({ code: 'cancelled', stage: 'background_removal' });
  // A call whose job was stopped while it waited for a thread is stopped too.
  const late = await engine.removeBackground(await subjectImage('png', 256), ctx([], AbortSignal.abort())).catch((e: unknown) => e);
  expect(late).toMatchObject({ code: 'cancelled', stage: 'background_removal' });
});

it('runs calls side by side and queues the rest', async () => {
  const engine = threads.textToImage({ name: 'procedural', identity: 'procedural' });
  const images = await Promise.all([1, 2, 3, 4].map((seed) => engine.generate({ prompt: 'a kite', style: 'sketch', width: 64, height: 64, seed }, ctx())));
  expect(images.map((i) => i.seed)).toEqual([1, 2, 3, 4]);
});
