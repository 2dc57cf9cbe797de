/**
 * The silhouette a mesh casts on the image frame, seen from the front: which pixels some
 * triangle covers. Compared with the cut-out's mask it says whether a shape matches the
 * subject, whoever built it.
 */
import { modelToPixel, type FrameSize } from '../mesh/image-frame.js';

export function rasterizeSilhouette(positions: Float32Array, indices: Uint32Array, frame: FrameSize): Uint8Array {
  const { width, height } = frame;
  const out = new Uint8Array(width * height);
  for (let t = 0; t < indices.length; t += 3) {
    const pts = [0, 1, 2].map((k) => modelToPixel(positions[indices[t + k]! * 3]!, positions[indices[t + k]! * 3 + 1]!, frame));
    const [[ax, ay], [bx, by], [cx, cy]] = pts as [[number, number], [number, number], [number, number]];
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        // Pixel centre inside, for either winding.
        const w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        if (w0 >= 0 && w1 >= 0 && 1 - w0 - w1 >= 0) out[y * width + x] = 255;
      }
    }
  }
  return out;
}

export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let p = 0; p < a.length; p++) {
    const x = a[p] !== 0;
    const y = b[p] !== 0;
    if (x && y) both++;
    if (x || y) either++;
  }
  return either === 0 ? 0 : both / either;
}
