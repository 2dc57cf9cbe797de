/**
 * Mesh validation: the checks a slicer or a game engine would trip over. Manifold edges
 * (no edge with more than two faces), watertight (no edge with only one), no degenerate
 * or duplicate faces, neighbouring faces wound the same way, and the surface facing out.
 */
import type { QualityIssue } from '../engine.js';
import { boundsDiagonal, buildEdges, degenerateAreaThreshold, doubleArea, signedVolume, type TriangleSoup } from './topology.js';

export interface MeshValidation {
  vertexCount: number;
  triangleCount: number;
  /** Edges with exactly one face: the rims of holes. */
  boundaryEdges: number;
  /** Edges with three or more faces. */
  nonManifoldEdges: number;
  /** Edges whose two faces walk them in the same direction: one of the two is flipped. */
  inconsistentEdges: number;
  degenerateFaces: number;
  /** Faces over the same three vertices as an earlier face (either winding). */
  duplicateFaces: number;
  signedVolume: number;
  manifold: boolean;
  watertight: boolean;
  consistentOrientation: boolean;
  /** Closed, manifold, clean, wound consistently and outwards: a slicer can fill it. */
  printable: boolean;
  issues: QualityIssue[];
}

export function faceKey(a: number, b: number, c: number): string {
  const s = [a, b, c].sort((x, y) => x - y);
  return `${s[0]},${s[1]},${s[2]}`;
}

export function validateMesh(mesh: TriangleSoup): MeshValidation {
  const { positions, indices } = mesh;
  const triangleCount = indices.length / 3;
  const minArea = degenerateAreaThreshold(boundsDiagonal(positions));
  let degenerateFaces = 0;
  let duplicateFaces = 0;
  const seen = new Set<string>();
  for (let f = 0; f < triangleCount; f++) {
    const a = indices[f * 3]!;
    const b = indices[f * 3 + 1]!;
    const c = indices[f * 3 + 2]!;
    if (a === b || b === c || a === c || doubleArea(positions, a, b, c) <= minArea) degenerateFaces++;
    const key = faceKey(a, b, c);
    if (seen.has(key)) duplicateFaces++;
    else seen.add(key);
  }
  let boundaryEdges = 0;
  let nonManifoldEdges = 0;
  let inconsistentEdges = 0;
  for (const e of buildEdges(mesh).values()) {
    if (e.faces.length === 1) boundaryEdges++;
    else if (e.faces.length > 2) nonManifoldEdges++;
    else if (e.forward[0] === e.forward[1]) inconsistentEdges++;
  }
  const volume = signedVolume(mesh);
  const manifold = nonManifoldEdges === 0 && triangleCount > 0;
  const watertight = manifold && boundaryEdges === 0;
  const consistentOrientation = inconsistentEdges === 0;
  const printable = watertight && consistentOrientation && degenerateFaces === 0 && duplicateFaces === 0 && volume > 0;

  const issues: QualityIssue[] = [];
  const add = (count: number, issueType: string, what: string): void => {
    if (count > 0) issues.push({ stage: 'final', issueType, detail: `${count} ${what}` });
  };
  add(nonManifoldEdges, 'non_manifold_edges', 'edges shared by more than two faces');
  add(boundaryEdges, 'boundary_edges', 'edges with a single face (holes)');
  add(inconsistentEdges, 'inconsistent_orientation', 'edges whose faces are wound the same way');
  add(degenerateFaces, 'degenerate_faces', 'faces with no area');
  add(duplicateFaces, 'duplicate_faces', 'faces repeating another face');
  if (triangleCount === 0) issues.push({ stage: 'final', issueType: 'empty_mesh', detail: 'the mesh has no faces' });
  else if (volume <= 0) issues.push({ stage: 'final', issueType: 'inverted_normals', detail: `signed volume ${volume.toExponential(2)}: faces point inwards` });

  return {
    vertexCount: positions.length / 3,
    triangleCount,
    boundaryEdges,
    nonManifoldEdges,
    inconsistentEdges,
    degenerateFaces,
    duplicateFaces,
    signedVolume: volume,
    manifold,
    watertight,
    consistentOrientation,
    printable,
    issues,
  };
}
