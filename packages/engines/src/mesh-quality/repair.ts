/**
 * Automatic mesh repair, in the order each step needs the previous one: weld coincident
 * vertices (so seams become shared edges), drop degenerate and duplicate faces, wind every
 * face like its neighbours, close holes with fans, then turn each shell to face outwards.
 * Every step counts what it touched, by repair type.
 */
import { faceKey } from './validate.js';
import { boundsDiagonal, buildEdges, degenerateAreaThreshold, doubleArea, signedVolume, type TriangleSoup } from './topology.js';

export type RepairType = 'weld_vertices' | 'remove_degenerate_faces' | 'remove_duplicate_faces' | 'fix_orientation' | 'fill_holes' | 'remove_unused_vertices';

export interface RepairResult {
  positions: Float32Array;
  indices: Uint32Array;
  /**
   * For each output vertex, the input vertices it stands for: one for a kept vertex, the rim
   * of the hole for a vertex added to fill one. Lets callers carry UVs and colours across.
   */
  origins: number[][];
  /** Elements each repair touched (vertices merged, faces removed or flipped, holes filled); only repairs that did something. */
  repairs: Partial<Record<RepairType, number>>;
}

function weld(soup: TriangleSoup, tolerance: number): { soup: TriangleSoup; merged: number } {
  const n = soup.positions.length / 3;
  const remap = new Uint32Array(n);
  const firstAt = new Map<string, number>();
  let merged = 0;
  const q = (x: number): number => Math.round(x / tolerance);
  for (let v = 0; v < n; v++) {
    const key = `${q(soup.positions[v * 3]!)},${q(soup.positions[v * 3 + 1]!)},${q(soup.positions[v * 3 + 2]!)}`;
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, v);
      remap[v] = v;
    } else {
      remap[v] = first;
      merged++;
    }
  }
  return { soup: { positions: soup.positions, indices: soup.indices.map((i) => remap[i]!) }, merged };
}

function removeFaces(indices: Uint32Array, drop: (a: number, b: number, c: number) => boolean): { indices: Uint32Array; removed: number } {
  const kept: number[] = [];
  for (let f = 0; f < indices.length / 3; f++) {
    const a = indices[f * 3]!;
    const b = indices[f * 3 + 1]!;
    const c = indices[f * 3 + 2]!;
    if (!drop(a, b, c)) kept.push(a, b, c);
  }
  return { indices: new Uint32Array(kept), removed: indices.length / 3 - kept.length / 3 };
}

/** Faces reachable from each other across two-face edges: the shells of the mesh. */
function orientConsistently(soup: TriangleSoup): number[][] {
  const idx = soup.indices;
  const faceCount = idx.length / 3;
  const neighbours: number[][] = Array.from({ length: faceCount }, () => []);
  for (const e of buildEdges(soup).values()) {
    if (e.faces.length !== 2) continue;
    neighbours[e.faces[0]!]!.push(e.faces[1]!);
    neighbours[e.faces[1]!]!.push(e.faces[0]!);
  }
  const walks = (f: number, a: number, b: number): boolean => {
    for (let k = 0; k < 3; k++) if (idx[f * 3 + k] === a && idx[f * 3 + ((k + 1) % 3)] === b) return true;
    return false;
  };
  const visited = new Uint8Array(faceCount);
  const shells: number[][] = [];
  for (let seed = 0; seed < faceCount; seed++) {
    if (visited[seed]) continue;
    const shell = [seed];
    visited[seed] = 1;
    for (let h = 0; h < shell.length; h++) {
      const f = shell[h]!;
      for (const g of neighbours[f]!) {
        if (visited[g]) continue;
        visited[g] = 1;
        shell.push(g);
        // Neighbours must walk their shared edge in opposite directions.
        for (let k = 0; k < 3; k++) {
          const a = idx[f * 3 + k]!;
          const b = idx[f * 3 + ((k + 1) % 3)]!;
          if (walks(g, a, b)) {
            const t = idx[g * 3 + 1]!;
            idx[g * 3 + 1] = idx[g * 3 + 2]!;
            idx[g * 3 + 2] = t;
            break;
          }
        }
      }
    }
    shells.push(shell);
  }
  return shells;
}

/** Closes each hole rim (a loop of one-face edges) with a fan around its centroid. */
function fillHoles(soup: TriangleSoup): { soup: TriangleSoup; filled: number; rims: number[][] } {
  const idx = soup.indices;
  const next = new Map<number, number>();
  for (const e of buildEdges(soup).values()) {
    if (e.faces.length !== 1) continue;
    // The face walks the rim from -> to; the patch must walk it back.
    const [from, to] = e.forward[0] ? [e.a, e.b] : [e.b, e.a];
    next.set(from, to);
  }
  const positions = Array.from(soup.positions);
  const added: number[] = [];
  let filled = 0;
  const rims: number[][] = [];
  const done = new Set<number>();
  for (const start of next.keys()) {
    if (done.has(start)) continue;
    const loop: number[] = [];
    let v: number | undefined = start;
    while (v !== undefined && !done.has(v)) {
      done.add(v);
      loop.push(v);
      v = next.get(v);
    }
    if (v !== start || loop.length < 3) continue;
    filled++;
    if (loop.length === 3) {
      added.push(loop[2]!, loop[1]!, loop[0]!);
      continue;
    }
    const centre = positions.length / 3;
    const c = [0, 0, 0];
    for (const u of loop) for (let k = 0; k < 3; k++) c[k]! += positions[u * 3 + k]! / loop.length;
    positions.push(c[0]!, c[1]!, c[2]!);
    rims.push(loop);
    for (let i = 0; i < loop.length; i++) added.push(loop[(i + 1) % loop.length]!, loop[i]!, centre);
  }
  if (filled === 0) return { soup, filled, rims };
  const indices = new Uint32Array(idx.length + added.length);
  indices.set(idx);
  indices.set(added, idx.length);
  return { soup: { positions: new Float32Array(positions), indices }, filled, rims };
}

function compact(soup: TriangleSoup): { soup: TriangleSoup; removed: number; kept: number[] } {
  const n = soup.positions.length / 3;
  const newIndex = new Int32Array(n).fill(-1);
  const positions: number[] = [];
  const kept: number[] = [];
  for (const v of soup.indices) {
    if (newIndex[v] !== -1) continue;
    newIndex[v] = positions.length / 3;
    kept.push(v);
    positions.push(soup.positions[v * 3]!, soup.positions[v * 3 + 1]!, soup.positions[v * 3 + 2]!);
  }
  return {
    soup: { positions: new Float32Array(positions), indices: soup.indices.map((v) => newIndex[v]!) },
    removed: n - positions.length / 3,
    kept,
  };
}

export function repairMesh(mesh: TriangleSoup): RepairResult {
  const repairs: Partial<Record<RepairType, number>> = {};
  const count = (type: RepairType, n: number): void => {
    if (n > 0) repairs[type] = (repairs[type] ?? 0) + n;
  };
  const diag = boundsDiagonal(mesh.positions);
  const welded = weld({ positions: mesh.positions, indices: mesh.indices.slice() }, Math.max(diag * 1e-6, 1e-9));
  count('weld_vertices', welded.merged);
  let soup = welded.soup;

  const minArea = degenerateAreaThreshold(diag);
  const nondegenerate = removeFaces(soup.indices, (a, b, c) => a === b || b === c || a === c || doubleArea(soup.positions, a, b, c) <= minArea);
  count('remove_degenerate_faces', nondegenerate.removed);
  const seen = new Set<string>();
  const unique = removeFaces(nondegenerate.indices, (a, b, c) => {
    const key = faceKey(a, b, c);
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
  count('remove_duplicate_faces', unique.removed);
  soup = { positions: soup.positions, indices: unique.indices };

  const before = soup.indices.slice();
  orientConsistently(soup);
  const holes = fillHoles(soup);
  count('fill_holes', holes.filled);
  soup = holes.soup;
  // Now closed, each shell's volume says whether it faces in or out.
  for (const shell of orientConsistently(soup)) {
    if (signedVolume(soup, shell) >= 0) continue;
    for (const f of shell) {
      const t = soup.indices[f * 3 + 1]!;
      soup.indices[f * 3 + 1] = soup.indices[f * 3 + 2]!;
      soup.indices[f * 3 + 2] = t;
    }
  }
  let flipped = 0;
  for (let f = 0; f < before.length / 3; f++) {
    // Same first vertex and the other two swapped: the face was turned over.
    if (before[f * 3 + 1] !== soup.indices[f * 3 + 1] || before[f * 3 + 2] !== soup.indices[f * 3 + 2]) flipped++;
  }
  count('fix_orientation', flipped);

  const compacted = compact(soup);
  count('remove_unused_vertices', compacted.removed);
  const inputCount = mesh.positions.length / 3;
  const origins = compacted.kept.map((v) => (v < inputCount ? [v] : holes.rims[v - inputCount]!));
  return { positions: compacted.soup.positions, indices: compacted.soup.indices, origins, repairs };
}
