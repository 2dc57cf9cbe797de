/**
 * Engines defined by the tests: they do small real work on the uploaded image (decode it,
 * measure it, write an OBJ of a quad) and can be held at a stage or made to fail, so the
 * runner's events, cancellation and failure paths can be driven step by step.
 */
import sharp from 'sharp';
import { EngineError, type ImageTo3dEngine, type QualityReport, type TextToImageEngine } from '@orfeas/engines';
import type { Stage } from '@orfeas/metrics/catalog';

export interface EngineControl {
  /** Stages the engine waits at until release(stage) is called. */
  hold: Set<Stage>;
  release(stage: Stage): void;
  /** Resolves when a held stage has been entered. */
  entered(stage: Stage): Promise<void>;
  /** Images whose width is this value fail in shape_generation with an EngineError. */
  failWidth?: number;
  /** Images whose width is this value make texture_generation throw a plain TypeError (a bug, not a refusal). */
  crashWidth?: number;
}

export function createEngineControl(): EngineControl {
  const waiting = new Map<Stage, () => void>();
  const enteredWaiters = new Map<Stage, (() => void)[]>();
  const control: EngineControl & { wait: (stage: Stage) => Promise<void> } = {
    hold: new Set(),
    release(stage) {
      control.hold.delete(stage);
      waiting.get(stage)?.();
      waiting.delete(stage);
    },
    entered(stage) {
      return new Promise((resolve) => enteredWaiters.set(stage, [...(enteredWaiters.get(stage) ?? []), resolve]));
    },
    async wait(stage) {
      for (const resolve of enteredWaiters.get(stage) ?? []) resolve();
      enteredWaiters.delete(stage);
      if (!control.hold.has(stage)) return;
      await new Promise<void>((resolve) => waiting.set(stage, resolve));
    },
  };
  return control;
}

const report: QualityReport = {
  scores: { shape: 0.8, texture: 0.75, final: 0.82, overall: 0.8 },
  grade: 'B',
  printable: true,
  checks: { manifold: true, watertight: false, printable: true },
  repairs: { fill_holes: 2 },
  issues: [{ stage: 'shape', issueType: 'open_boundary' }],
};

export function createTestEngines(control: EngineControl = createEngineControl()) {
  const wait = (control as EngineControl & { wait: (stage: Stage) => Promise<void> }).wait;
  const imageTo3d: ImageTo3dEngine = {
    name: 'test-3d',
    identity: 'test-3d@1',
    async removeBackground(image, ctx) {
      await wait('background_removal');
      const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      ctx.progress(0.5);
      const mask = new Uint8Array(info.width * info.height);
      for (let i = 0; i < mask.length; i++) mask[i] = data[i * 4]! > 60 ? 255 : 0;
      return {
        width: info.width,
        height: info.height,
        rgba: new Uint8Array(data),
        mask,
        quality: { stage: 'background_removal', score: 0.9, issues: [] },
      };
    },
    async generateShape(cutout, _options, ctx) {
      await wait('shape_generation');
      if (cutout.width === control.failWidth) throw new EngineError('no_subject', 'no subject found in the image', 'shape_generation');
      ctx.progress(0.3);
      ctx.progress(0.7);
      const positions = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]);
      return { positions, indices: new Uint32Array([0, 1, 2, 0, 2, 3]), quality: { stage: 'shape', score: 0.8, issues: [] } };
    },
    async generateTexture(mesh, cutout, _ctx) {
      await wait('texture_generation');
      if (cutout.width === control.crashWidth) throw new TypeError('test engine: a bug in texture_generation');
      return {
        ...mesh,
        uvs: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]),
        texture: { png: new Uint8Array(8), width: 1, height: 1 },
        quality: { stage: 'texture', score: 0.75, issues: [] },
      };
    },
    async exportModel(model, format, _ctx) {
      await wait('export');
      const lines = ['# test model'];
      for (let i = 0; i < model.positions.length; i += 3) lines.push(`v ${model.positions[i]} ${model.positions[i + 1]} ${model.positions[i + 2]}`);
      for (let i = 0; i < model.indices.length; i += 3) lines.push(`f ${model.indices[i]! + 1} ${model.indices[i + 1]! + 1} ${model.indices[i + 2]! + 1}`);
      const contentType = { glb: 'model/gltf-binary', obj: 'model/obj', stl: 'model/stl', ply: 'application/ply' }[format];
      return {
        format,
        files: [{ name: `model.${format}`, contentType, data: new TextEncoder().encode(lines.join('\n')) }],
        quality: report,
        triangleCount: model.indices.length / 3,
      };
    },
  };
  const textToImage: TextToImageEngine = {
    name: 'test-text',
    identity: 'test-text@1',
    async generate(request, ctx) {
      await wait('text_to_image');
      ctx.progress(0.5);
      const png = await sharp({ create: { width: request.width, height: request.height, channels: 3, background: { r: request.seed % 256, g: 80, b: 120 } } })
        .png()
        .toBuffer();
      return { png: new Uint8Array(png), width: request.width, height: request.height, seed: request.seed, qualityScore: 0.7, procedural: true };
    },
  };
  return { imageTo3d, textToImage, control };
}
