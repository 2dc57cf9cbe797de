/**
 * How good a cut-out is, from what the segmentation saw: how much of the frame the subject
 * fills, how sharply it stands out from the background along its edge, and how much noise
 * the clean-up had to throw away.
 */
import type { QualityIssue, StageQuality } from '../engine.js';

export interface CutoutEvidence {
  width: number;
  height: number;
  mask: Uint8Array;
  /** Mean edge contrast against the background, 0..1 (1 for images with real transparency). */
  edgeContrast: number;
  /** Pixels the morphological clean-up and the component filter changed. */
  cleanedPixels: number;
  /** Subject pixels outside the largest component, as a fraction of all subject pixels found. */
  discardedFraction: number;
}

export interface CutoutMeasures extends StageQuality {
  coverage: number;
  edgeQuality: number;
}

/** Subject pixels with a 4-neighbour that is background or outside the frame. */
export function boundaryPixels(mask: Uint8Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (mask[p] === 0) continue;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[p - 1] || !mask[p + 1] || !mask[p - width] || !mask[p + width]) out.push(p);
    }
  }
  return out;
}

export function measureCutout(e: CutoutEvidence): CutoutMeasures {
  const total = e.width * e.height;
  let subject = 0;
  for (let p = 0; p < total; p++) if (e.mask[p]) subject++;
  const coverage = subject / total;
  const edge = boundaryPixels(e.mask, e.width, e.height);
  let touchesBorder = false;
  for (const p of edge) {
    const x = p % e.width;
    const y = (p - x) / e.width;
    if (x === 0 || y === 0 || x === e.width - 1 || y === e.height - 1) touchesBorder = true;
  }
  const cleanRatio = Math.min(1, e.cleanedPixels / Math.max(1, edge.length));
  const edgeQuality = 0.7 * e.edgeContrast + 0.3 * (1 - cleanRatio);
  // A subject that fills 5..85% of the frame is framed well; less is a speck, more is a crop.
  const coverageScore = coverage < 0.05 ? coverage / 0.05 : coverage > 0.85 ? Math.max(0, (1 - coverage) / 0.15) : 1;
  const issues: QualityIssue[] = [];
  if (coverage < 0.02) issues.push({ stage: 'background_removal', issueType: 'low_coverage', detail: `subject covers ${(coverage * 100).toFixed(1)}% of the image` });
  if (coverage > 0.9) issues.push({ stage: 'background_removal', issueType: 'high_coverage', detail: `subject covers ${(coverage * 100).toFixed(1)}% of the image: the background may not have been found` });
  if (touchesBorder) issues.push({ stage: 'background_removal', issueType: 'subject_touches_border', detail: 'the subject reaches the image border and may be cropped' });
  if (e.edgeContrast < 0.5) issues.push({ stage: 'background_removal', issueType: 'low_edge_contrast', detail: `edge contrast ${e.edgeContrast.toFixed(2)}` });
  if (e.discardedFraction > 0.1) issues.push({ stage: 'background_removal', issueType: 'fragmented_subject', detail: `${(e.discardedFraction * 100).toFixed(1)}% of the subject pixels were separate pieces and were dropped` });
  const raw = 0.35 * coverageScore + 0.45 * edgeQuality + 0.2 * (1 - e.discardedFraction) - (touchesBorder ? 0.1 : 0);
  return { stage: 'background_removal', score: Math.min(1, Math.max(0, raw)), issues, coverage, edgeQuality };
}
