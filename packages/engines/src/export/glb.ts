/** GLB: one mesh, one PBR material whose base colour is the embedded PNG texture. */
import { Document, NodeIO } from '@gltf-transform/core';
import type { ResultFile } from '../engine.js';
import { MODEL_BASENAME, type ExportMesh } from './files.js';

export async function writeGlb(mesh: ExportMesh, generator = 'ORFEAS engines'): Promise<ResultFile[]> {
  const doc = new Document();
  doc.getRoot().getAsset().generator = generator;
  const buffer = doc.createBuffer();
  const vertexCount = mesh.positions.length / 3;
  const accessor = (type: 'VEC2' | 'VEC3' | 'SCALAR', array: Float32Array | Uint32Array | Uint16Array) =>
    doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const texture = doc.createTexture('base_color').setImage(mesh.texture.png).setMimeType('image/png');
  const material = doc.createMaterial('subject').setBaseColorTexture(texture).setMetallicFactor(0).setRoughnessFactor(0.8);
  const primitive = doc
    .createPrimitive()
    .setAttribute('POSITION', accessor('VEC3', mesh.positions))
    .setAttribute('NORMAL', accessor('VEC3', mesh.normals))
    .setAttribute('TEXCOORD_0', accessor('VEC2', mesh.uvs))
    // 16-bit indices where they fit: half the index bytes for most models.
    .setIndices(accessor('SCALAR', vertexCount <= 65535 ? Uint16Array.from(mesh.indices) : mesh.indices))
    .setMaterial(material);
  const node = doc.createNode(MODEL_BASENAME).setMesh(doc.createMesh(MODEL_BASENAME).addPrimitive(primitive));
  const scene = doc.createScene('scene').addChild(node);
  doc.getRoot().setDefaultScene(scene);
  const glb = await new NodeIO().writeBinary(doc);
  return [{ name: `${MODEL_BASENAME}.glb`, contentType: 'model/gltf-binary', data: glb }];
}
