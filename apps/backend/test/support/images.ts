/** Test images made with sharp: real PNG / JPEG / WebP files of a subject on a plain background. */
import crypto from 'node:crypto';
import sharp from 'sharp';

export type TestImageFormat = 'png' | 'jpeg' | 'webp';

/** A light disc on a dark background, so background removal has a subject to find. */
export async function subjectImage(format: TestImageFormat = 'png', size = 96, hue = 200): Promise<Buffer> {
  const r = size / 3;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="rgb(20,20,30)"/>
    <circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="hsl(${hue},70%,60%)"/></svg>`;
  return sharp(Buffer.from(svg)).toFormat(format).toBuffer();
}

/** Random pixels: compress badly, so cutting the file short really loses image data. */
export async function noiseImage(format: TestImageFormat, width = 200, height = 150): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  crypto.randomFillSync(raw);
  return sharp(raw, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

/** A small file whose header declares a huge image: a decompression bomb. */
export function pixelBomb(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: 'white' } }).png({ compressionLevel: 9 }).toBuffer();
}
