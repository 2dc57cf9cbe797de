/** The benchmark's input: a 512x512 PNG of a star on a noisy background, the same every run. */
import sharp from 'sharp';

export async function benchImage(size = 512) {
  const data = Buffer.alloc(size * size * 3);
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size) * 2 - 1;
      const v = ((y + 0.5) / size) * 2 - 1;
      const r = Math.hypot(u, v);
      const inside = r < 0.35 + 0.3 * Math.abs(Math.cos(2.5 * Math.atan2(v, u)));
      const c = inside ? [190, 60, 40] : [230, 232, 236];
      for (let k = 0; k < 3; k++) data[(y * size + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + Math.round((rand() - 0.5) * 30)));
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}
