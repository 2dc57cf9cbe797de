/**
 * Child process of the upload-memory benchmark: inspects the images in argv[3..] all at once,
 * the way the backend checks uploads, and prints how much its peak RSS grew (bytes).
 * argv[2] is how: `header` (what the backend does: structure and header only) or `decode` (what
 * it did before: a full decode of each upload just to check it, then the engine decoded again).
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { inspectImage } from '../dist/upload/inspect-image.js';

const [mode, ...files] = process.argv.slice(2);
const images = files.map((f) => readFileSync(f));
const limits = { maxBytes: 10 * 1024 * 1024, maxPixels: 4096 * 4096 };
const status = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const before = status('VmRSS');
await Promise.all(
  images.map(async (bytes) => {
    await inspectImage(bytes, 'image/jpeg', limits);
    if (mode === 'decode') await sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).raw().toBuffer();
  }),
);
console.log(JSON.stringify({ peakGrowthBytes: status('VmHWM') - before }));
