/**
 * One image-to-3D job through the CPU engine, stage by stage, timed. Shared by the main
 * benchmark loop and the worker threads of the throughput run.
 */
import { performance } from 'node:perf_hooks';
import { createCpuImageTo3dEngine, detachedContext } from '../dist/index.js';

const engine = createCpuImageTo3dEngine();

export const STAGES = ['background_removal', 'shape_generation', 'texture_generation', 'export'];

/** Runs the four stages on `image`, returns seconds per stage and the exported model. */
export async function runJob(image, quality = 'medium', format = 'glb') {
  const ctx = detachedContext();
  const times = {};
  let t = performance.now();
  const lap = (stage) => {
    const now = performance.now();
    times[stage] = (now - t) / 1000;
    t = now;
  };
  const cut = await engine.removeBackground(image, ctx);
  lap('background_removal');
  const mesh = await engine.generateShape(cut, { quality }, ctx);
  lap('shape_generation');
  const textured = await engine.generateTexture(mesh, cut, ctx);
  lap('texture_generation');
  const model = await engine.exportModel(textured, format, ctx);
  lap('export');
  times.total = STAGES.reduce((s, k) => s + times[k], 0);
  return { times, model };
}
