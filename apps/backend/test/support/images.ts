/** Test images made with sharp: real PNG / JPEG / WebP files of a subject on a plain background. */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
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

/**
 * A PNG of a few hundred bytes whose header declares width x height pixels, beyond what
 * sharp itself agrees to open: only the header says so, the data is one short row.
 */
export function declaredSizePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(width + 1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
