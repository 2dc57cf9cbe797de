/**
 * The image-to-3D pipeline: background_removal, shape_generation, texture_generation, export,
 * each one call of the engine, run through the stage runner. Says when a fallback engine made the shape.
 */
import type { ExportedModel, ImageTo3dEngine, Mesh } from '@orfeas/engines';
import type { ImageTo3dParams } from '../store/index.js';
import type { StageRunner } from './stage-runner.js';

export async function runImageTo3d(
  runner: StageRunner,
  engine: ImageTo3dEngine,
  image: Uint8Array,
  params: ImageTo3dParams,
): Promise<ExportedModel & Pick<Mesh, 'fallback'>> {
  const cutout = await runner.run('background_removal', (ctx) => engine.removeBackground(image, ctx));
  const mesh = await runner.run('shape_generation', (ctx) => engine.generateShape(cutout, { quality: params.quality }, ctx));
  const textured = await runner.run('texture_generation', (ctx) => engine.generateTexture(mesh, cutout, ctx));
  const model = await runner.run('export', (ctx) => engine.exportModel(textured, params.format, ctx));
  // Stage scores the engine reported along the way but left out of the final report.
  const scores = { ...model.quality.scores };
  scores.background_removal ??= cutout.quality.score;
  scores.shape ??= mesh.quality.score;
  scores.texture ??= textured.quality.score;
  // A shape a fallback made makes the whole model a fallback's.
  return { ...model, quality: { ...model.quality, scores }, ...(mesh.fallback ? { fallback: mesh.fallback } : {}) };
}
