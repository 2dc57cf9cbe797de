/**
 * PLY, binary little-endian: positions, normals and texture coordinates per vertex, faces as
 * uchar-counted uint lists; the texture travels as the second file, named in a TextureFile
 * comment (MeshLab's convention, whose t runs bottom-up).
 */
import type { ResultFile } from '../engine.js';
import { MODEL_BASENAME, TEXTURE_FILE, textureFile, type ExportMesh } from './files.js';

export function writePly(mesh: ExportMesh): ResultFile[] {
  const n = mesh.positions.length / 3;
  const faces = mesh.indices.length / 3;
  const header = [
    'ply',
    'format binary_little_endian 1.0',
    'comment ORFEAS engines',
    `comment TextureFile ${TEXTURE_FILE}`,
    `element vertex ${n}`,
    ...['x', 'y', 'z', 'nx', 'ny', 'nz', 's', 't'].map((p) => `property float ${p}`),
    `element face ${faces}`,
    'property list uchar uint vertex_indices',
    'end_header',
    '',
  ].join('\n');
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + n * 32 + faces * 13);
  out.set(head);
  const view = new DataView(out.buffer);
  let o = head.length;
  for (let v = 0; v < n; v++) {
    const values = [
      mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, mesh.positions[v * 3 + 2]!,
      mesh.normals[v * 3]!, mesh.normals[v * 3 + 1]!, mesh.normals[v * 3 + 2]!,
      mesh.uvs[v * 2]!, 1 - mesh.uvs[v * 2 + 1]!,
    ];
    for (const x of values) {
      view.setFloat32(o, x, true);
      o += 4;
    }
  }
  for (let f = 0; f < faces; f++) {
    view.setUint8(o++, 3);
    for (let k = 0; k < 3; k++) {
      view.setUint32(o, mesh.indices[f * 3 + k]!, true);
      o += 4;
    }
  }
  return [{ name: `${MODEL_BASENAME}.ply`, contentType: 'application/x-ply', data: out }, textureFile(mesh)];
}
