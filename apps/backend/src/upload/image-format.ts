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

/** Bytes a JPEG writer may leave after its end-of-image marker (padding, a camera's trailer). */
const JPEG_TRAILER_BYTES = 64;
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * True when the container says more bytes should follow than there are: a PNG without IEND, a
 * RIFF shorter than its size, a JPEG that does not end with its end-of-image marker. (In a
 * JPEG's scan data a 0xFF byte is always followed by 0x00 or a restart marker, so FFD9 near the
 * end is the real end, not image data.)
 */
export function looksTruncated(format: ImageFormat, bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') return buffer.lastIndexOf('IEND') < 0;
  if (format === 'webp') return buffer.readUInt32LE(4) + 8 > bytes.byteLength;
  const end = buffer.lastIndexOf(EOI);
  return end < 0 || bytes.byteLength - (end + 2) > JPEG_TRAILER_BYTES;
}
