/**
 * Binary morphology on masks (255 = subject): opening removes specks of noise that survived
 * the flood fill, closing fills pinholes and hairline cracks, and the largest connected
 * component is the subject.
 */

/** Square structuring element of the given radius, as two separable 1-D passes over prefix counts. */
function pass(mask: Uint8Array, width: number, height: number, radius: number, dilate: boolean): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  const line = (src: Uint8Array, dst: Uint8Array, start: number, step: number, len: number): void => {
    const prefix = new Int32Array(len + 1);
    for (let i = 0; i < len; i++) prefix[i + 1] = prefix[i]! + (src[start + i * step]! > 0 ? 1 : 0);
    for (let i = 0; i < len; i++) {
      const lo = Math.max(0, i - radius);
      const hi = Math.min(len, i + radius + 1);
      const count = prefix[hi]! - prefix[lo]!;
      // Outside the image counts as background, so erosion eats in from the frame.
      const on = dilate ? count > 0 : count === 2 * radius + 1;
      dst[start + i * step] = on ? 255 : 0;
    }
  };
  for (let y = 0; y < height; y++) line(mask, tmp, y * width, 1, width);
  for (let x = 0; x < width; x++) line(tmp, out, x, width, height);
  return out;
}

export const erode = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => pass(m, w, h, r, false);
export const dilate = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => pass(m, w, h, r, true);
export const open = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => dilate(erode(m, w, h, r), w, h, r);
export const close = (m: Uint8Array, w: number, h: number, r: number): Uint8Array => erode(dilate(m, w, h, r), w, h, r);

export function countSubject(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]! > 0) n++;
  return n;
}

/** Keeps only the largest 8-connected subject component; returns the new mask and its size. */
export function largestComponent(mask: Uint8Array, width: number, height: number): { mask: Uint8Array; size: number } {
  const labels = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let label = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;
    label++;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    labels[seed] = label;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = label;
            queue[tail++] = q;
          }
        }
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = label;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) if (labels[p] === best && best !== 0) out[p] = 255;
  return { mask: out, size: bestSize };
}
