/**
 * shape_generation for the CPU engine: a closed relief of the silhouette. The front surface
 * is the cell grid lifted by the distance transform (thick parts bulge, the contour stays
 * thin), the back is its mirror, and a wall along the contour joins the two, so every edge
 * has exactly two faces and the mesh encloses a volume.
 */
import type { ModelQuality } from '../engine.js';
import { pixelSize, pixelToModel } from '../mesh/image-frame.js';
import { cellAt, cellEdge, countCells, rasterizeCells, type CellGrid } from './cell-grid.js';
import { distanceTransform } from './distance-transform.js';

/** Approximate vertex count per quality setting (front and back together). */
export const VERTEX_BUDGET: Record<ModelQuality, number> = { low: 2_000, medium: 8_000, high: 30_000 };

export interface ReliefOptions {
  quality: ModelQuality;
  /** Depth of the bulge relative to the thickest part of the silhouette (default 0.5). */
  inflation?: number;
}

export interface Relief {
  positions: Float32Array;
  indices: Uint32Array;
  grid: CellGrid;
}

export function buildRelief(mask: Uint8Array, width: number, height: number, options: ReliefOptions): Relief {
  let area = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p]) area++;
  let cellSize = Math.max(1, Math.sqrt((2 * area) / VERTEX_BUDGET[options.quality]));
  let grid = rasterizeCells(mask, width, height, cellSize);
  // A subject smaller than one cell still gets a shape, at pixel resolution.
  while (countCells(grid) < 4 && cellSize > 1) {
    cellSize = Math.max(1, cellSize / 2);
    grid = rasterizeCells(mask, width, height, cellSize);
  }

  const dist = distanceTransform(mask, width, height);
  let maxDist = 1;
  for (let p = 0; p < dist.length; p++) if (dist[p]! > maxDist) maxDist = dist[p]!;
  const frame = { width, height };
  const px = pixelSize(frame);
  const depth = (options.inflation ?? 0.5) * maxDist * px;
  // The contour keeps a minimum thickness so front and back never touch.
  const rim = Math.max(0.5, 0.06 * maxDist) * px;

  const stride = grid.cols + 1;
  const front = new Int32Array(stride * (grid.rows + 1)).fill(-1);
  const back = new Int32Array(stride * (grid.rows + 1)).fill(-1);
  const positions: number[] = [];
  const sampleDist = (x: number, y: number): number => {
    // The corner's distance: the smallest of the pixels around it.
    let d = Infinity;
    for (const [dx, dy] of [[-1, -1], [0, -1], [-1, 0], [0, 0]] as const) {
      const sx = Math.min(width - 1, Math.max(0, x + dx));
      const sy = Math.min(height - 1, Math.max(0, y + dy));
      d = Math.min(d, dist[sy * width + sx]!);
    }
    return d;
  };
  for (let j = 0; j <= grid.rows; j++) {
    for (let i = 0; i <= grid.cols; i++) {
      const around = [cellAt(grid, i - 1, j - 1), cellAt(grid, i, j - 1), cellAt(grid, i - 1, j), cellAt(grid, i, j)];
      const used = around.filter(Boolean).length;
      if (used === 0) continue;
      const x = cellEdge(grid, i, width);
      const y = cellEdge(grid, j, height);
      const u = used === 4 ? Math.min(1, sampleDist(x, y) / maxDist) : 0;
      // Circular profile: steep at the contour, flat at the ridge.
      const z = rim + depth * Math.sqrt(Math.max(0, 1 - (1 - u) * (1 - u)));
      const [mx, my] = pixelToModel(x, y, frame);
      front[j * stride + i] = positions.length / 3;
      positions.push(mx, my, z);
      back[j * stride + i] = positions.length / 3;
      positions.push(mx, my, -z);
    }
  }

  const indices: number[] = [];
  for (let j = 0; j < grid.rows; j++) {
    for (let i = 0; i < grid.cols; i++) {
      if (!cellAt(grid, i, j)) continue;
      const c00 = j * stride + i;
      const c10 = c00 + 1;
      const c01 = c00 + stride;
      const c11 = c01 + 1;
      const f = (c: number): number => front[c]!;
      const b = (c: number): number => back[c]!;
      // Counter-clockwise seen from +z (y is flipped from image rows to model up).
      indices.push(f(c00), f(c01), f(c11), f(c00), f(c11), f(c10));
      indices.push(b(c00), b(c11), b(c01), b(c00), b(c10), b(c11));
      // Each contour side, as the directed edge P->Q the front faces use; the wall runs Q->P.
      const sides: [boolean, number, number][] = [
        [cellAt(grid, i - 1, j), c00, c01],
        [cellAt(grid, i, j + 1), c01, c11],
        [cellAt(grid, i + 1, j), c11, c10],
        [cellAt(grid, i, j - 1), c10, c00],
      ];
      for (const [neighbour, p, q] of sides) {
        if (neighbour) continue;
        indices.push(f(q), f(p), b(p), f(q), b(p), b(q));
      }
    }
  }
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices), grid };
}
