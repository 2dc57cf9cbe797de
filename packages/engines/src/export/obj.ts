/**
 * Wavefront OBJ with its MTL and texture: files[0] is the .obj, then the .mtl it names, then
 * the PNG the material maps. OBJ's texture origin is the bottom-left, so v is flipped.
 */
import type { ResultFile } from '../engine.js';
import { MODEL_BASENAME, TEXTURE_FILE, textureFile, type ExportMesh } from './files.js';

const num = (x: number): string => (Math.abs(x) < 1e-9 ? '0' : x.toFixed(6).replace(/\.?0+$/, ''));

export function writeObj(mesh: ExportMesh): ResultFile[] {
  const mtlName = `${MODEL_BASENAME}.mtl`;
  const lines: string[] = ['# ORFEAS engines', `mtllib ${mtlName}`, `o ${MODEL_BASENAME}`];
  const n = mesh.positions.length / 3;
  for (let v = 0; v < n; v++) lines.push(`v ${num(mesh.positions[v * 3]!)} ${num(mesh.positions[v * 3 + 1]!)} ${num(mesh.positions[v * 3 + 2]!)}`);
  for (let v = 0; v < n; v++) lines.push(`vt ${num(mesh.uvs[v * 2]!)} ${num(1 - mesh.uvs[v * 2 + 1]!)}`);
  for (let v = 0; v < n; v++) lines.push(`vn ${num(mesh.normals[v * 3]!)} ${num(mesh.normals[v * 3 + 1]!)} ${num(mesh.normals[v * 3 + 2]!)}`);
  lines.push('usemtl subject', 's 1');
  for (let f = 0; f < mesh.indices.length; f += 3) {
    const [a, b, c] = [mesh.indices[f]! + 1, mesh.indices[f + 1]! + 1, mesh.indices[f + 2]! + 1];
    lines.push(`f ${a}/${a}/${a} ${b}/${b}/${b} ${c}/${c}/${c}`);
  }
  const mtl = ['# ORFEAS engines', 'newmtl subject', 'Ka 0 0 0', 'Kd 1 1 1', 'Ks 0 0 0', 'd 1', 'illum 1', `map_Kd ${TEXTURE_FILE}`, ''].join('\n');
  const enc = new TextEncoder();
  return [
    { name: `${MODEL_BASENAME}.obj`, contentType: 'model/obj', data: enc.encode(lines.join('\n') + '\n') },
    { name: mtlName, contentType: 'model/mtl', data: enc.encode(mtl) },
    textureFile(mesh),
  ];
}
