/**
 * texture_generation: UVs by front projection of the image frame (the back sees the same
 * pixels, mirrored, as a relief seen from behind would) and a PNG texture from the cut-out
 * whose background is filled with the nearest subject colour, so that texels sampled just
 * outside the contour do not bleed the old background onto the model.
 */
import sharp from 'sharp';
import type { CutOut, Mesh, QualityIssue, StageContext, TexturedMesh } from '../engine.js';
import { modelToPixel } from '../mesh/image-frame.js';
import { throwIfCancelled } from '../stage-context.js';

/** Every background pixel takes the colour of its nearest subject pixel (multi-source BFS). */
export function padTexture(cutout: CutOut): Uint8Array {
  const { width, height, mask } = cutout;
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const source = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let p = 0; p < n; p++) {
    if (mask[p]) {
      source[p] = p;
      queue[tail++] = p;
    }
  }
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width]) {
      if (q >= 0 && q < n && source[q] === -1) {
        source[q] = source[p]!;
        queue[tail++] = q;
      }
    }
  }
  for (let p = 0; p < n; p++) {
    const s = source[p]! >= 0 ? source[p]! : p;
    rgb[p * 3] = cutout.rgba[s * 4]!;
    rgb[p * 3 + 1] = cutout.rgba[s * 4 + 1]!;
    rgb[p * 3 + 2] = cutout.rgba[s * 4 + 2]!;
  }
  return rgb;
}

export function projectUvs(positions: Float32Array, frame: { width: number; height: number }): Float32Array {
  const uvs = new Float32Array((positions.length / 3) * 2);
  for (let v = 0; v < positions.length / 3; v++) {
    const [px, py] = modelToPixel(positions[v * 3]!, positions[v * 3 + 1]!, frame);
    uvs[v * 2] = Math.min(1, Math.max(0, px / frame.width));
    uvs[v * 2 + 1] = Math.min(1, Math.max(0, py / frame.height));
  }
  return uvs;
}

export async function generateProjectedTexture(mesh: Mesh, cutout: CutOut, ctx: StageContext): Promise<TexturedMesh> {
  throwIfCancelled(ctx, 'texture_generation');
  const { width, height } = cutout;
  const uvs = projectUvs(mesh.positions, cutout);
  // Share of faces whose centre samples the subject rather than padded background.
  let onSubject = 0;
  const faces = mesh.indices.length / 3;
  for (let f = 0; f < faces; f++) {
    let u = 0;
    let v = 0;
    for (let k = 0; k < 3; k++) {
      u += uvs[mesh.indices[f * 3 + k]! * 2]! / 3;
      v += uvs[mesh.indices[f * 3 + k]! * 2 + 1]! / 3;
    }
    const x = Math.min(width - 1, Math.floor(u * width));
    const y = Math.min(height - 1, Math.floor(v * height));
    if (cutout.mask[y * width + x]) onSubject++;
  }
  ctx.progress(0.3);
  const rgb = padTexture(cutout);
  throwIfCancelled(ctx, 'texture_generation');
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
  const alignment = faces === 0 ? 0 : onSubject / faces;
  const resolution = Math.min(1, Math.min(width, height) / 256);
  const issues: QualityIssue[] = [];
  if (resolution < 1) issues.push({ stage: 'texture', issueType: 'low_texture_resolution', detail: `${width}x${height} texels` });
  if (alignment < 0.8) issues.push({ stage: 'texture', issueType: 'texture_misaligned', detail: `${(alignment * 100).toFixed(0)}% of faces sample the subject` });
  ctx.progress(1);
  return {
    ...mesh,
    uvs,
    texture: { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width, height },
    quality: { stage: 'texture', score: 0.7 * alignment + 0.3 * resolution, issues },
    stageQualities: [cutout.quality, mesh.quality],
  };
}
