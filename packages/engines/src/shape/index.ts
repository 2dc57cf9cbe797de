/**
 * shape_generation for the CPU engine: the relief of the cut-out's mask, with vertex normals
 * and a score for how faithfully its outline follows the silhouette.
 */
import { EngineError, type CutOut, type Mesh, type ModelQuality, type QualityIssue, type StageContext } from '../engine.js';
import { vertexNormals } from '../mesh/normals.js';
import { throwIfCancelled } from '../stage-context.js';
import { cellEdge, type CellGrid } from './cell-grid.js';
import { buildRelief } from './relief-mesh.js';

/** Intersection over union of the cell silhouette and the pixel mask. */
function silhouetteFidelity(grid: CellGrid, mask: Uint8Array, width: number, height: number): number {
  let both = 0;
  let cells = 0;
  for (let j = 0; j < grid.rows; j++) {
    for (let i = 0; i < grid.cols; i++) {
      if (!grid.inside[j * grid.cols + i]) continue;
      for (let y = cellEdge(grid, j, height); y < cellEdge(grid, j + 1, height); y++) {
        for (let x = cellEdge(grid, i, width); x < cellEdge(grid, i + 1, width); x++) {
          cells++;
          if (mask[y * width + x]) both++;
        }
      }
    }
  }
  let pixels = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p]) pixels++;
  const union = cells + pixels - both;
  return union === 0 ? 0 : both / union;
}

export function reliefShape(cutout: CutOut, quality: ModelQuality, ctx: StageContext, inflation?: number): Mesh {
  throwIfCancelled(ctx, 'shape_generation');
  if (!cutout.mask.some((v) => v !== 0)) {
    throw new EngineError('empty_subject', 'the cut-out has no subject pixels to build a shape from', 'shape_generation');
  }
  const relief = buildRelief(cutout.mask, cutout.width, cutout.height, inflation === undefined ? { quality } : { quality, inflation });
  ctx.progress(0.7);
  throwIfCancelled(ctx, 'shape_generation');
  const fidelity = silhouetteFidelity(relief.grid, cutout.mask, cutout.width, cutout.height);
  const triangles = relief.indices.length / 3;
  const issues: QualityIssue[] = [];
  if (fidelity < 0.8) issues.push({ stage: 'shape', issueType: 'low_silhouette_fidelity', detail: `outline overlaps the silhouette at IoU ${fidelity.toFixed(2)}` });
  // Fewer than a few hundred faces cannot show the subject's outline, whatever its score.
  const detail = Math.min(1, triangles / 500);
  if (detail < 1) issues.push({ stage: 'shape', issueType: 'coarse_mesh', detail: `${triangles} triangles` });
  ctx.progress(1);
  return {
    positions: relief.positions,
    indices: relief.indices,
    normals: vertexNormals(relief.positions, relief.indices),
    quality: { stage: 'shape', score: Math.max(0, Math.min(1, 0.8 * fidelity + 0.2 * detail)), issues },
  };
}
