/**
 * The built-in CPU image-to-3D engine: runs anywhere, no model weights. Background removal
 * by border colour, a relief mesh from the silhouette, a projected texture, and export with
 * validation, repair and grading.
 */
import type { ImageTo3dEngine } from '../engine.js';
import { engineIdentity } from '../identity.js';
import { removeBackground } from '../background-removal/index.js';
import { exportTexturedModel } from '../export/index.js';
import { reliefShape } from '../shape/index.js';
import { generateProjectedTexture } from '../texture/index.js';

export interface CpuImageTo3dOptions {
  /** Longest image side background removal works at (default 512): larger uploads are scaled down. */
  workingSize?: number;
  /** Depth of the relief relative to the thickest part of the silhouette (default 0.5). */
  inflation?: number;
  /** sharp's pixel limit when decoding an upload (default sharp's own, 268M): the service's upload limit. */
  maxInputPixels?: number;
}

export function createCpuImageTo3dEngine(options: CpuImageTo3dOptions = {}): ImageTo3dEngine {
  const workingSize = options.workingSize ?? 512;
  if (!Number.isInteger(workingSize) || workingSize < 8 || workingSize > 4096) {
    throw new RangeError(`workingSize must be an integer in 8..4096, got ${workingSize}`);
  }
  return {
    name: 'cpu-relief',
    identity: engineIdentity('cpu-relief', { workingSize, inflation: options.inflation }),
    removeBackground: (image, ctx) => removeBackground(image, ctx, { workingSize, maxInputPixels: options.maxInputPixels }),
    // Computed at once; a refusal or a cancellation (a throw) rejects the promise, as engines do.
    generateShape: (cutout, { quality }, ctx) => new Promise((resolve) => resolve(reliefShape(cutout, quality, ctx, options.inflation))),
    generateTexture: (mesh, cutout, ctx) => generateProjectedTexture(mesh, cutout, ctx),
    exportModel: (model, format, ctx) => exportTexturedModel(model, format, ctx),
  };
}
