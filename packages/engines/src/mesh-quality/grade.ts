/**
 * Grading: from the mesh checks after repair and the scores of the stages before export to
 * a final score, an overall score and a letter grade.
 *
 * - final   = checks x repair penalty. Checks: manifold 0.3, watertight 0.3, consistent and
 *             outward winding 0.2, no degenerate or duplicate faces 0.2. The penalty takes up
 *             to 25% off in proportion to the faces repairs had to touch (5x their share).
 * - overall = weighted mean of the stage scores present: background_removal 0.2, shape 0.25,
 *             texture 0.15, final 0.4; capped at 0.69 (grade D at best) when not printable.
 * - grade   = A+ >= 0.95, A >= 0.9, B >= 0.8, C >= 0.7, D >= 0.6, F below.
 */
import type { QualityGrade, QualityStage } from '../engine.js';
import type { RepairType } from './repair.js';
import type { MeshValidation } from './validate.js';

export const GRADE_THRESHOLDS: readonly [QualityGrade, number][] = [
  ['A+', 0.95],
  ['A', 0.9],
  ['B', 0.8],
  ['C', 0.7],
  ['D', 0.6],
  ['F', 0],
];

const STAGE_WEIGHTS: Partial<Record<QualityStage, number>> = { background_removal: 0.2, shape: 0.25, texture: 0.15, final: 0.4 };

export function gradeFor(score: number): QualityGrade {
  for (const [grade, min] of GRADE_THRESHOLDS) if (score >= min) return grade;
  return 'F';
}

/** Repairs that changed faces; welding seams and dropping unused vertices change no surface. */
const FACE_REPAIRS: RepairType[] = ['remove_degenerate_faces', 'remove_duplicate_faces', 'fix_orientation', 'fill_holes'];

export function finalScore(after: MeshValidation, repairs: Partial<Record<RepairType, number>>, facesBefore: number): number {
  const checks =
    (after.manifold ? 0.3 : 0) +
    (after.watertight ? 0.3 : 0) +
    (after.consistentOrientation && after.signedVolume > 0 ? 0.2 : 0) +
    (after.degenerateFaces === 0 && after.duplicateFaces === 0 ? 0.2 : 0);
  const touched = FACE_REPAIRS.reduce((sum, type) => sum + (repairs[type] ?? 0), 0);
  const penalty = Math.min(0.25, (5 * touched) / Math.max(1, facesBefore));
  return checks * (1 - penalty);
}

export function overallScore(scores: Partial<Record<QualityStage, number>>, printable: boolean): number {
  let sum = 0;
  let weight = 0;
  for (const [stage, w] of Object.entries(STAGE_WEIGHTS) as [QualityStage, number][]) {
    const s = scores[stage];
    if (s === undefined) continue;
    sum += w * s;
    weight += w;
  }
  const mean = weight === 0 ? 0 : sum / weight;
  return printable ? mean : Math.min(mean, 0.69);
}
