/**
 * Image decoding for background removal: any format sharp reads, EXIF-rotated and scaled
 * down to a working size so that a 2048x2048 upload costs the same as a 512x512 one.
 */
import sharp, { type OutputInfo } from 'sharp';
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

export async function decodeImage(image: Uint8Array, workingSize: number, maxInputPixels?: number): Promise<DecodedImage> {
  // A header can read fine and the pixel data still be cut short or corrupt: both the header and
  // the decode are the upload's fault, a job error rather than an internal one.
  const undecodable = (err: unknown) =>
    new EngineError(
      'invalid_image',
      `the upload could not be decoded as an image (${(err as Error).message}); send a PNG, JPEG or WebP file`,
      'background_removal',
    );
  let base: ReturnType<typeof sharp>;
  let hasAlpha: boolean;
  try {
    base = sharp(image, { failOn: 'error', ...(maxInputPixels ? { limitInputPixels: maxInputPixels } : {}) }).rotate();
    const meta = await base.metadata();
    hasAlpha = meta.hasAlpha === true;
  } catch (err) {
    throw undecodable(err);
  }
  const resized = base.resize({ width: workingSize, height: workingSize, fit: 'inside', withoutEnlargement: true });
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await resized.clone().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw undecodable(err);
  }
  const { data, info } = decoded;
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
