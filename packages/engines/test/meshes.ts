/**
 * Meshes the tests build by hand: a unit cube (closed, outward) and ways to break it on
 * purpose, the way broken meshes arrive from scanners and model servers.
 */
export interface Soup {
  positions: Float32Array;
  indices: Uint32Array;
}

/** Cube subdivided n x n per side, welded, outward-facing. */
export function cube(n = 2): Soup {
  const positions: number[] = [];
  const indices: number[] = [];
  const index = new Map<string, number>();
  // Integer lattice coordinates, divided only when stored, so shared corners weld exactly.
  const vertex = (x: number, y: number, z: number): number => {
    const key = `${x},${y},${z}`;
    let i = index.get(key);
    if (i === undefined) {
      i = positions.length / 3;
      index.set(key, i);
      positions.push(x / n, y / n, z / n);
    }
    return i;
  };
  // Each side: an origin corner and two in-plane axes whose cross product points out.
  const sides: [number[], number[], number[]][] = [
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[1, 0, 0], [-1, 0, 0], [0, 1, 0]],
    [[1, 0, 1], [0, 0, -1], [0, 1, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 1], [1, 0, 0], [0, 0, -1]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 1]],
  ];
  for (const [o, u, v] of sides) {
    const at = (i: number, j: number): number =>
      vertex(o[0]! * n + u[0]! * i + v[0]! * j, o[1]! * n + u[1]! * i + v[1]! * j, o[2]! * n + u[2]! * i + v[2]! * j);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) indices.push(at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j), at(i + 1, j + 1), at(i, j + 1));
    }
  }
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}

export interface Breakage {
  /** Faces removed (each opens a hole). */
  holes?: number[];
  /** Faces turned over. */
  flipped?: number[];
  /** Faces appended a second time. */
  duplicated?: number[];
  /** Zero-area faces appended (a vertex repeated). */
  degenerate?: number;
  /** Vertices split off as unwelded copies for the faces that follow the given face. */
  unweld?: boolean;
}

export function breakMesh(mesh: Soup, b: Breakage): Soup {
  const faces: number[][] = [];
  for (let f = 0; f < mesh.indices.length / 3; f++) faces.push([mesh.indices[f * 3]!, mesh.indices[f * 3 + 1]!, mesh.indices[f * 3 + 2]!]);
  const positions = Array.from(mesh.positions);
  for (const f of b.flipped ?? []) faces[f] = [faces[f]![0]!, faces[f]![2]!, faces[f]![1]!];
  for (const f of b.duplicated ?? []) faces.push([...faces[f]!]);
  // Taken from the middle of the list, away from the faces the other breakages pick.
  const mid = Math.floor(faces.length / 2);
  for (let d = 0; d < (b.degenerate ?? 0); d++) faces.push([faces[mid + d]![0]!, faces[mid + d]![0]!, faces[mid + d]![1]!]);
  if (b.unweld) {
    // The first face gets its own copies of its vertices: a seam like a UV split leaves.
    const copy = faces[0]!.map((v) => {
      positions.push(positions[v * 3]!, positions[v * 3 + 1]!, positions[v * 3 + 2]!);
      return positions.length / 3 - 1;
    });
    faces[0] = copy;
  }
  const removed = new Set(b.holes ?? []);
  const kept = faces.filter((_, f) => !removed.has(f));
  return { positions: new Float32Array(positions), indices: new Uint32Array(kept.flat()) };
}
