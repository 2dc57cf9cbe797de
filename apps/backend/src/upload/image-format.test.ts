import { expect, it } from 'vitest';
import { formatOfMimeType, looksTruncated, sniffImageFormat } from './image-format.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

it('tells PNG, JPEG and WebP by their signatures, and nothing else', () => {
  expect(sniffImageFormat(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], 'rest'))).toBe('png');
  expect(sniffImageFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
  expect(sniffImageFormat(bytes('RIFF', [4, 0, 0, 0], 'WEBP'))).toBe('webp');
  expect(sniffImageFormat(bytes('RIFF', [4, 0, 0, 0], 'WAVE'))).toBeUndefined();
  expect(sniffImageFormat(bytes('GIF89a'))).toBeUndefined();
  expect(sniffImageFormat(bytes('<svg'))).toBeUndefined();
  expect(sniffImageFormat(new Uint8Array())).toBeUndefined();
});

it('reads the declared MIME type', () => {
  expect(formatOfMimeType('image/jpg')).toBe('jpeg');
  expect(formatOfMimeType('IMAGE/PNG; charset=binary')).toBe('png');
  expect(formatOfMimeType('application/octet-stream')).toBeUndefined();
  expect(formatOfMimeType(undefined)).toBeUndefined();
});

it('sees a WebP whose RIFF size runs past the end, a PNG without IEND and a JPEG without its end marker', () => {
  expect(looksTruncated('jpeg', bytes([0xff, 0xd8, 0xff, 0xda, 1, 2, 3, 0xff, 0x00, 4]))).toBe(true);
  expect(looksTruncated('jpeg', bytes([0xff, 0xd8, 0xff, 0xda, 1, 2, 3, 0xff, 0xd9]))).toBe(false);
  // A camera trailer after the end marker is fine; an end marker only in an early thumbnail is not the end.
  expect(looksTruncated('jpeg', bytes([0xff, 0xd8, 0xff, 0xda, 1, 0xff, 0xd9], [...Array(20).fill(0)]))).toBe(false);
  expect(looksTruncated('jpeg', bytes([0xff, 0xd8, 0xff, 0xd9], [...Array(500).fill(7)]))).toBe(true);
  expect(looksTruncated('webp', bytes('RIFF', [100, 0, 0, 0], 'WEBPVP8 '))).toBe(true);
  expect(looksTruncated('webp', bytes('RIFF', [8, 0, 0, 0], 'WEBPVP8 '))).toBe(false);
  expect(looksTruncated('png', bytes([0x89], 'PNG', [0, 0], 'IHDR'))).toBe(true);
  expect(looksTruncated('png', bytes([0x89], 'PNG', [0, 0], 'IHDR...IEND'))).toBe(false);
});
