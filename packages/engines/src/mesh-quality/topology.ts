/**
 * Edge topology of a triangle soup: every undirected edge with the faces on it and the
 * direction each face walks it. Validation and repair both read it.
 */
import { faceCross } from '../mesh/normals.js';

export interface TriangleSoup {
  positions: Float32Array;
  indices: Uint32Array;
}

export interface EdgeUse {
  a: number;
  b: number;
  /** Faces on this edge. */
  faces: number[];
  /** For each face, true if it walks a->b (a < b), false for b->a. */
  forward: boolean[];
}

export function edgeKey(a: number, b: number, vertexCount: number): number {
  return a < b ? a * vertexCount + b : b * vertexCount + a;
}

export function buildEdges(soup: TriangleSoup): Map<number, EdgeUse> {
  const n = soup.positions.length / 3;
  const edges = new Map<number, EdgeUse>();
  const idx = soup.indices;
  for (let f = 0; f < idx.length / 3; f++) {
    for (let k = 0; k < 3; k++) {
      const from = idx[f * 3 + k]!;
      const to = idx[f * 3 + ((k + 1) % 3)]!;
      if (from === to) continue;
      const key = edgeKey(from, to, n);
      let e = edges.get(key);
      if (!e) {
        e = { a: Math.min(from, to), b: Math.max(from, to), faces: [], forward: [] };
        edges.set(key, e);
      }
      e.faces.push(f);
      e.forward.push(from < to);
    }
  }
  return edges;
}

/** Twice the triangle's area. */
export function doubleArea(p: Float32Array, a: number, b: number, c: number): number {
  return Math.hypot(...faceCross(p, a, b, c));
}

/** Length of the bounding-box diagonal: the scale tolerances are relative to. */
export function boundsDiagonal(p: Float32Array): number {
  if (p.length === 0) return 0;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i++) {
    const k = i % 3;
    if (p[i]! < min[k]!) min[k] = p[i]!;
    if (p[i]! > max[k]!) max[k] = p[i]!;
  }
  return Math.hypot(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
}

/** Faces smaller than this (twice the area) are degenerate: slivers a printer or a normal cannot use. */
export const degenerateAreaThreshold = (diag: number): number => diag * diag * 1e-12;

/** Signed volume (divergence theorem); positive when the faces point outwards. */
export function signedVolume(soup: TriangleSoup, faces?: Iterable<number>): number {
  const p = soup.positions;
  const idx = soup.indices;
  let v = 0;
  const all = faces ?? Array.from({ length: idx.length / 3 }, (_, f) => f);
  for (const f of all) {
    const a = idx[f * 3]! * 3;
    const b = idx[f * 3 + 1]! * 3;
    const c = idx[f * 3 + 2]! * 3;
    v +=
      p[a]! * (p[b + 1]! * p[c + 2]! - p[b + 2]! * p[c + 1]!) -
      p[a + 1]! * (p[b]! * p[c + 2]! - p[b + 2]! * p[c]!) +
      p[a + 2]! * (p[b]! * p[c + 1]! - p[b + 1]! * p[c]!);
  }
  return v / 6;
}
