/**
 * Image formats by their magic bytes, and the structural signs of a file cut short, read
 * before any decoder sees the bytes.
 */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const IMAGE_MIME_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ascii = (bytes: Uint8Array, start: number, end: number) => Buffer.from(bytes.subarray(start, end)).toString('latin1');
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** The format the bytes really are, from their signature; undefined for anything else. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG)) return 'png';
  if (startsWith(bytes, JPEG)) return 'jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** The format a declared MIME type names, when it names one of ours. */
export function formatOfMimeType(mime: string | undefined): ImageFormat | undefined {
  const type = mime?.split(';')[0]?.trim().toLowerCase();
  if (type === 'image/png') return 'png';
  if (type === 'image/jpeg' || type === 'image/jpg' || type === 'image/pjpeg') return 'jpeg';
  if (type === 'image/webp') return 'webp';
  return undefined;
}

/** True when the container says more bytes should follow than there are (PNG without IEND, short RIFF). */
export function looksTruncated(format: ImageFormat, bytes: Uint8Array): boolean {
  if (format === 'png') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf('IEND') < 0;
  if (format === 'webp') {
    const declared = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(4);
    return declared + 8 > bytes.byteLength;
  }
  return false; // JPEG has no length up front: the decoder finds a missing end.
}
