/**
 * What the format writers take: a textured triangle mesh with unit normals, and the names
 * the files of one model share.
 */
import type { ResultFile } from '../engine.js';

export interface ExportMesh {
  positions: Float32Array;
  indices: Uint32Array;
  normals: Float32Array;
  uvs: Float32Array;
  texture: { png: Uint8Array; width: number; height: number };
}

export const MODEL_BASENAME = 'model';
export const TEXTURE_FILE = `${MODEL_BASENAME}_texture.png`;

export function textureFile(mesh: ExportMesh): ResultFile {
  return { name: TEXTURE_FILE, contentType: 'image/png', data: mesh.texture.png };
}
