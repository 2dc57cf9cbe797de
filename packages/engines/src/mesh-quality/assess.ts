/**
 * The quality step of export: validate the textured mesh, repair it when a check fails,
 * validate again, and report scores, checks, repairs and the grade. The mesh that comes out
 * is the one written to files, with UVs carried across the repair and normals recomputed.
 */
import type { QualityIssue, QualityReport, QualityStage, TexturedMesh } from '../engine.js';
import type { ExportMesh } from '../export/files.js';
import { vertexNormals } from '../mesh/normals.js';
import { finalScore, gradeFor, overallScore } from './grade.js';
import { repairMesh, type RepairType } from './repair.js';
import { validateMesh, type MeshValidation } from './validate.js';

export interface Assessment {
  mesh: ExportMesh;
  report: QualityReport;
  before: MeshValidation;
  after: MeshValidation;
}

function needsRepair(v: MeshValidation): boolean {
  return !v.printable || v.degenerateFaces > 0 || v.duplicateFaces > 0;
}

export function assessModel(model: TexturedMesh): Assessment {
  const before = validateMesh(model);
  let mesh: ExportMesh = {
    positions: model.positions,
    indices: model.indices,
    normals: model.normals ?? vertexNormals(model.positions, model.indices),
    uvs: model.uvs,
    texture: model.texture,
  };
  let after = before;
  let repairs: Partial<Record<RepairType, number>> = {};
  if (needsRepair(before)) {
    const repaired = repairMesh(model);
    repairs = repaired.repairs;
    const uvs = new Float32Array(repaired.origins.length * 2);
    repaired.origins.forEach((from, v) => {
      for (const o of from) {
        uvs[v * 2] = uvs[v * 2]! + model.uvs[o * 2]! / from.length;
        uvs[v * 2 + 1] = uvs[v * 2 + 1]! + model.uvs[o * 2 + 1]! / from.length;
      }
    });
    mesh = { positions: repaired.positions, indices: repaired.indices, normals: vertexNormals(repaired.positions, repaired.indices), uvs, texture: model.texture };
    after = validateMesh(mesh);
  }

  const scores: Partial<Record<QualityStage, number>> = {};
  const issues: QualityIssue[] = [];
  for (const q of [...(model.stageQualities ?? []), model.quality]) {
    scores[q.stage] = q.score;
    issues.push(...q.issues);
  }
  // Each problem found once: repaired ones say so, the ones left say they remain.
  const remaining = new Set(after.issues.map((i) => i.issueType));
  for (const issue of before.issues) {
    issues.push({ ...issue, detail: `${issue.detail ?? issue.issueType}; ${remaining.has(issue.issueType) ? 'remains after repair' : 'repaired'}` });
  }
  for (const issue of after.issues) if (!before.issues.some((i) => i.issueType === issue.issueType)) issues.push({ ...issue, detail: `${issue.detail ?? issue.issueType}; appeared during repair` });

  scores.final = finalScore(after, repairs, before.triangleCount);
  scores.overall = overallScore(scores, after.printable);
  return {
    mesh,
    before,
    after,
    report: {
      scores,
      grade: gradeFor(scores.overall),
      printable: after.printable,
      checks: { manifold: after.manifold, watertight: after.watertight, printable: after.printable },
      repairs,
      issues,
    },
  };
}
