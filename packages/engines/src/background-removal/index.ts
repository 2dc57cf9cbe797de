/**
 * background_removal: the subject cut out of the uploaded image. Transparency is trusted
 * where the image has it; otherwise the subject is separated from the border colour, cleaned
 * up morphologically, and reduced to its largest connected piece.
 */
import { EngineError, type CutOut, type StageContext } from '../engine.js';
import { throwIfCancelled } from '../stage-context.js';
import { decodeImage } from './decode.js';
import { boundaryPixels, measureCutout, type CutoutMeasures } from './cutout-quality.js';
import { close, countSubject, largestComponent, open } from './morphology.js';
import { backgroundDistance, estimateBackground, openEnclosedHoles, segmentByFloodFill, type BackgroundModel } from './segmentation.js';

export interface BackgroundRemovalOptions {
  /** Longest side the image is scaled down to before segmentation (default 512). */
  workingSize?: number;
  /** sharp's limit on the pixels of an image it decodes (width x height; default sharp's own, 268M). */
  maxInputPixels?: number;
}

export type MeasuredCutOut = CutOut & { quality: CutoutMeasures };

function edgeContrast(smoothed: Uint8Array, mask: Uint8Array, width: number, height: number, bg: BackgroundModel): number {
  const edge = boundaryPixels(mask, width, height);
  if (edge.length === 0) return 0;
  let sum = 0;
  for (const p of edge) {
    const dr = smoothed[p * 4]! - bg.colour[0];
    const dg = smoothed[p * 4 + 1]! - bg.colour[1];
    const db = smoothed[p * 4 + 2]! - bg.colour[2];
    sum += Math.min(1, Math.sqrt(dr * dr + dg * dg + db * db) / (2 * bg.tolerance));
  }
  return sum / edge.length;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if ((a[i]! > 0) !== (b[i]! > 0)) n++;
  return n;
}

export async function removeBackground(image: Uint8Array, ctx: StageContext, options: BackgroundRemovalOptions = {}): Promise<MeasuredCutOut> {
  const workingSize = options.workingSize ?? 512;
  const img = await decodeImage(image, workingSize, options.maxInputPixels);
  const { width, height } = img;
  throwIfCancelled(ctx, 'background_removal');
  ctx.progress(0.3);

  let raw: Uint8Array;
  let bg: BackgroundModel | undefined;
  if (img.hasUsefulAlpha) {
    raw = new Uint8Array(width * height);
    for (let p = 0; p < raw.length; p++) raw[p] = img.rgba[p * 4 + 3]! >= 128 ? 255 : 0;
  } else {
    bg = estimateBackground(img.smoothed, width, height);
    const dist = backgroundDistance(img.rgba, img.smoothed, bg);
    const filled = segmentByFloodFill(dist, width, height, bg.tolerance);
    raw = openEnclosedHoles(dist, filled, width, bg.tolerance, Math.max(16, countSubject(filled) * 0.02));
  }
  const found = countSubject(raw);
  const minimum = Math.max(4, Math.floor(width * height * 0.001));
  if (found < minimum) {
    const why = bg
      ? `every pixel is within colour distance ${bg.tolerance.toFixed(0)} of the background colour rgb(${bg.colour.join(', ')})`
      : 'the image is fully transparent';
    throw new EngineError('empty_subject', `no subject found in the image: ${why}; upload an image whose subject stands out from its background`, 'background_removal');
  }
  throwIfCancelled(ctx, 'background_removal');
  ctx.progress(0.6);

  // Clean-up scales with the working size; a tiny image is left as drawn.
  const radius = Math.min(width, height) >= 64 ? Math.max(1, Math.round(Math.max(width, height) / 256)) : 0;
  let cleaned = raw;
  if (radius > 0) {
    const opened = open(raw, width, height, radius);
    // Opening can erase a subject thinner than the structuring element; keep the raw mask then.
    cleaned = close(countSubject(opened) >= minimum ? opened : raw, width, height, radius);
  }
  const { mask, size } = largestComponent(cleaned, width, height);
  const cleanedCount = countSubject(cleaned);

  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < mask.length; p++) {
    rgba[p * 4] = img.rgba[p * 4]!;
    rgba[p * 4 + 1] = img.rgba[p * 4 + 1]!;
    rgba[p * 4 + 2] = img.rgba[p * 4 + 2]!;
    // Soft alpha from the source survives inside the subject; everything else is cut.
    rgba[p * 4 + 3] = mask[p] ? (img.hasUsefulAlpha ? img.rgba[p * 4 + 3]! : 255) : 0;
  }
  const quality = measureCutout({
    width,
    height,
    mask,
    edgeContrast: bg ? edgeContrast(img.smoothed, mask, width, height, bg) : 1,
    cleanedPixels: differing(raw, mask),
    discardedFraction: cleanedCount > 0 ? (cleanedCount - size) / cleanedCount : 0,
  });
  ctx.progress(1);
  return { width, height, rgba, mask, quality };
}
