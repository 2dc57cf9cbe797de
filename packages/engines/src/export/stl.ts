/** Binary STL: 80-byte header, triangle count, then per triangle a facet normal and three vertices. */
import type { ResultFile } from '../engine.js';
import { faceNormal } from '../mesh/normals.js';
import { MODEL_BASENAME, type ExportMesh } from './files.js';

export function writeStl(mesh: ExportMesh): ResultFile[] {
  const count = mesh.indices.length / 3;
  const out = new Uint8Array(84 + 50 * count);
  out.set(new TextEncoder().encode('ORFEAS engines binary STL'.padEnd(80, ' ')));
  const view = new DataView(out.buffer);
  view.setUint32(80, count, true);
  let o = 84;
  for (let f = 0; f < count; f++) {
    const [a, b, c] = [mesh.indices[f * 3]!, mesh.indices[f * 3 + 1]!, mesh.indices[f * 3 + 2]!];
    for (const x of faceNormal(mesh.positions, a, b, c)) {
      view.setFloat32(o, x, true);
      o += 4;
    }
    for (const v of [a, b, c]) {
      for (let k = 0; k < 3; k++) {
        view.setFloat32(o, mesh.positions[v * 3 + k]!, true);
        o += 4;
      }
    }
    view.setUint16(o, 0, true);
    o += 2;
  }
  return [{ name: `${MODEL_BASENAME}.stl`, contentType: 'model/stl', data: out }];
}
