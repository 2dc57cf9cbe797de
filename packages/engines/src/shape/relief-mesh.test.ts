/** The relief mesh and its distance transform: closed, manifold, within budget, bulging where thick. */
import { describe, expect, it } from 'vitest';
import { validateMesh } from '../mesh-quality/validate.js';
import { distanceTransform } from './distance-transform.js';
import { buildRelief, VERTEX_BUDGET } from './relief-mesh.js';

function discMask(size: number, radius: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2) < radius) m[y * size + x] = 255;
  return m;
}

describe('distanceTransform', () => {
  it('gives each subject pixel its Euclidean distance to the background', () => {
    // A 5x5 square in a 7x7 frame: the centre is 3 pixels from the background ring.
    const m = new Uint8Array(49);
    for (let y = 1; y < 6; y++) for (let x = 1; x < 6; x++) m[y * 7 + x] = 255;
    const d = distanceTransform(m, 7, 7);
    expect(d[0]).toBe(0);
    expect(d[1 * 7 + 1]).toBe(1);
    expect(d[3 * 7 + 3]).toBe(3);
  });

  it('treats the frame as background', () => {
    const d = distanceTransform(new Uint8Array(9).fill(255), 3, 3);
    expect(d[4]).toBe(2);
    expect(d[0]).toBe(1);
  });
});

describe('buildRelief', () => {
  it.each(['low', 'medium', 'high'] as const)('builds a closed, outward 2-manifold disc at %s quality within its vertex budget', (quality) => {
    const relief = buildRelief(discMask(256, 100), 256, 256, { quality });
    const v = validateMesh(relief);
    expect(v).toMatchObject({ manifold: true, watertight: true, consistentOrientation: true, printable: true });
    expect(v.vertexCount).toBeLessThan(VERTEX_BUDGET[quality] * 1.5);
    expect(v.vertexCount).toBeGreaterThan(VERTEX_BUDGET[quality] * 0.3);
  });

  it('stays clean for frame sizes where fractional cells do not divide the frame evenly', () => {
    for (const size of [37, 101, 257, 333]) {
      for (const quality of ['low', 'medium'] as const) {
        const v = validateMesh(buildRelief(discMask(size, size * 0.45), size, size, { quality }));
        expect({ size, quality, printable: v.printable, degenerate: v.degenerateFaces }).toEqual({ size, quality, printable: true, degenerate: 0 });
      }
    }
  });

  it('gives more vertices to higher quality', () => {
    const counts = (['low', 'medium', 'high'] as const).map((quality) => buildRelief(discMask(256, 100), 256, 256, { quality }).positions.length);
    expect(counts[0]).toBeLessThan(counts[1]!);
    expect(counts[1]).toBeLessThan(counts[2]!);
  });

  it('stays manifold where parts of the silhouette touch only at a corner', () => {
    // Two squares meeting diagonally at one pixel corner: a pinch unless the grid joins them.
    const m = new Uint8Array(16 * 16);
    for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) m[y * 16 + x] = 255;
    for (let y = 8; y < 14; y++) for (let x = 8; x < 14; x++) m[y * 16 + x] = 255;
    const v = validateMesh(buildRelief(m, 16, 16, { quality: 'high' }));
    expect(v.printable).toBe(true);
  });

  it('bulges most where the silhouette is thickest', () => {
    const relief = buildRelief(discMask(128, 50), 128, 128, { quality: 'medium' });
    let maxZ = 0;
    let atX = 0;
    let atY = 0;
    for (let v = 0; v < relief.positions.length / 3; v++) {
      if (relief.positions[v * 3 + 2]! > maxZ) [maxZ, atX, atY] = [relief.positions[v * 3 + 2]!, relief.positions[v * 3]!, relief.positions[v * 3 + 1]!];
    }
    expect(Math.hypot(atX, atY)).toBeLessThan(0.05);
    expect(maxZ).toBeGreaterThan(0.1);
  });
});
