/**
 * Image decoding for background removal: any format sharp reads, EXIF-rotated and scaled
 * down to a working size so that a 2048x2048 upload costs the same as a 512x512 one.
 */
import sharp from 'sharp';
import { EngineError } from '../engine.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, row-major */
  rgba: Uint8Array;
  /** RGBA after a light Gaussian blur: what segmentation looks at, so sensor noise does not read as edges. */
  smoothed: Uint8Array;
  /** True when the image carries transparency that marks a subject (some pixels are not opaque). */
  hasUsefulAlpha: boolean;
}

export async function decodeImage(image: Uint8Array, workingSize: number): Promise<DecodedImage> {
  let base: ReturnType<typeof sharp>;
  let hasAlpha: boolean;
  try {
    base = sharp(image, { failOn: 'error' }).rotate();
    const meta = await base.metadata();
    hasAlpha = meta.hasAlpha === true;
  } catch (err) {
    throw new EngineError(
      'invalid_image',
      `the upload could not be decoded as an image (${(err as Error).message}); send a PNG, JPEG or WebP file`,
      'background_removal',
    );
  }
  const resized = base.resize({ width: workingSize, height: workingSize, fit: 'inside', withoutEnlargement: true });
  const { data, info } = await resized.clone().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // On a tiny image the blur would round off the subject itself; those are segmented as drawn.
  // (A Gaussian, not a median: libvips' median costs ten times as much for the same result here.)
  const smoothed =
    Math.min(info.width, info.height) >= 64
      ? (await resized.clone().blur(1).ensureAlpha().raw().toBuffer())
      : data;
  const rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let transparent = 0;
  if (hasAlpha) for (let i = 3; i < rgba.length; i += 4) if (rgba[i]! < 250) transparent++;
  return {
    width: info.width,
    height: info.height,
    rgba,
    smoothed: new Uint8Array(smoothed.buffer, smoothed.byteOffset, smoothed.byteLength),
    hasUsefulAlpha: hasAlpha && transparent > 0,
  };
}
