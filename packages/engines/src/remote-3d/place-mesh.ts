/**
 * A model server's mesh comes in its own frame and scale (Hunyuan3D: y up, front towards +z,
 * about -1..1). Placing it over the subject in the image frame, scaled to the subject's
 * bounding box, lets the same front projection texture it as a mesh built here.
 */
import { pixelToModel, type FrameSize } from '../mesh/image-frame.js';

export function placeOverSubject(positions: Float32Array, mask: Uint8Array, frame: FrameSize): Float32Array {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      if (!mask[y * frame.width + x]) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x + 1);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y + 1);
    }
  }
  const [left, top] = pixelToModel(x0, y0, frame);
  const [right, bottom] = pixelToModel(x1, y1, frame);
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, positions[i]!);
    max[i % 3] = Math.max(max[i % 3]!, positions[i]!);
  }
  const scale = Math.min((right - left) / Math.max(1e-9, max[0]! - min[0]!), (top - bottom) / Math.max(1e-9, max[1]! - min[1]!));
  const target = [(left + right) / 2, (top + bottom) / 2, 0];
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const k = i % 3;
    out[i] = (positions[i]! - (min[k]! + max[k]!) / 2) * scale + target[k]!;
  }
  return out;
}
