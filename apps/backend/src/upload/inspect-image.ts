/**
 * Upload inspection, from the bytes' structure and the header only: is it an image of a format
 * we take, is it what the client declared, is it within the byte and pixel limits (a
 * decompression bomb is refused without decoding it), is its container whole. Nothing is
 * decoded here: the engine decodes once, under sharp's pixel limit, and a file whose data
 * turns out corrupt fails its job as invalid_image.
 */
import sharp from 'sharp';
import { invalid } from '../errors/index.js';
import { formatOfMimeType, looksTruncated, sniffImageFormat, type ImageFormat } from './image-format.js';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface InspectedImage {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Refusals carry the format seen so far, so image_uploads_total can count them by format. */
export class ImageRefusal extends Error {
  constructor(
    readonly error: ReturnType<typeof invalid>,
    readonly format: ImageFormat | 'unknown',
  ) {
    super(error.message);
  }
}

export async function inspectImage(bytes: Uint8Array, declaredType: string | undefined, limits: ImageLimits): Promise<InspectedImage> {
  const refuse = (format: ImageFormat | 'unknown', ...args: Parameters<typeof invalid>) =>
    new ImageRefusal(invalid(...args), format);

  if (bytes.byteLength === 0) throw refuse('unknown', 'image', 'empty_file', 'the image file is empty');
  const format = sniffImageFormat(bytes);
  if (!format) {
    throw refuse('unknown', 'image', 'not_an_image', 'the upload is not a PNG, JPEG or WebP image (unrecognised file signature)', 415);
  }
  if (bytes.byteLength > limits.maxBytes) {
    throw refuse(format, 'image', 'too_large', `the image is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes} bytes`, 413);
  }
  const declared = formatOfMimeType(declaredType);
  if (declared && declared !== format) {
    throw refuse(format, 'image', 'format_mismatch', `the image was declared as ${declaredType} but its content is ${format}`);
  }
  if (looksTruncated(format, bytes)) throw refuse(format, 'image', 'truncated_image', `the ${format} image is truncated`);

  let width: number | undefined;
  let height: number | undefined;
  try {
    // Only the header is read here; sharp's own pixel limit (268 Mpx) would otherwise refuse a
    // bigger declared size as an unreadable header instead of as too many pixels.
    ({ width, height } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch (err) {
    throw refuse(format, 'image', 'corrupt_image', `the ${format} header cannot be read: ${(err as Error).message}`);
  }
  if (!width || !height) throw refuse(format, 'image', 'corrupt_image', `the ${format} header has no dimensions`);
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    throw refuse(format, 'image', 'too_many_pixels', `the image is ${width}x${height} = ${pixels} pixels; the limit is ${limits.maxPixels} pixels`, 413);
  }
  return { format, width, height };
}
