/**
 * The built-in text-to-image engine. It is procedural, not a model: the image is drawn from
 * the prompt's words (one shape per word, colour words keep their colour) with the style's
 * look, deterministically from prompt + seed + style, so the whole flow runs offline.
 */
import sharp from 'sharp';
import type { GeneratedImage, TextToImageEngine } from '../engine.js';
import { engineIdentity } from '../identity.js';
import { throwIfCancelled } from '../stage-context.js';
import { imageQualityScore } from './image-score.js';
import { renderScene } from './render.js';
import { checkRequest } from './request.js';
import { composeScene } from './scene.js';
import { applyStyle, PIXEL_ART_BLOCK, RENDER_OPTIONS } from './style-passes.js';

export function createProceduralTextToImageEngine(): TextToImageEngine {
  return {
    name: 'procedural',
    identity: engineIdentity('procedural'),
    async generate(request, ctx): Promise<GeneratedImage> {
      const style = checkRequest(request);
      const { width, height, seed, prompt } = request;
      const block = style === 'pixel_art' ? PIXEL_ART_BLOCK : 1;
      const w = Math.max(8, Math.round(width / block));
      const h = Math.max(8, Math.round(height / block));
      const scene = composeScene(prompt, seed, style, w, h);
      const raster = renderScene(scene, w, h, RENDER_OPTIONS[style]);
      ctx.progress(0.6);
      throwIfCancelled(ctx, 'text_to_image');
      const pixels = await applyStyle(style, raster, width, height);
      ctx.progress(0.8);
      const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
      ctx.progress(1);
      return {
        png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
        width,
        height,
        seed,
        qualityScore: imageQualityScore(pixels, 3),
        procedural: true,
      };
    },
  };
}
