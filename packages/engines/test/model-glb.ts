/**
 * GLBs like a model server returns: a mesh in the server's own frame under a transformed
 * node, written by gltf-transform, optionally as a triangle soup with every corner its own
 * vertex (what an exporter leaves when it splits vertices at UV seams).
 */
import { Document, NodeIO } from '@gltf-transform/core';
import type { Soup } from './meshes.js';

export async function glbOf(mesh: Soup, o: { soup?: boolean; scale?: number; translation?: [number, number, number] } = {}): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  let positions = mesh.positions;
  let indices: Uint32Array | undefined = mesh.indices;
  if (o.soup) {
    positions = new Float32Array(mesh.indices.length * 3);
    mesh.indices.forEach((v, i) => positions.set(mesh.positions.subarray(v * 3, v * 3 + 3), i * 3));
    indices = undefined;
  }
  const prim = doc.createPrimitive().setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer));
  if (indices) prim.setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer));
  const s = o.scale ?? 1;
  const node = doc
    .createNode('geometry_0')
    .setMesh(doc.createMesh('mesh').addPrimitive(prim))
    .setScale([s, s, s])
    .setTranslation(o.translation ?? [0, 0, 0]);
  doc.getRoot().setDefaultScene(doc.createScene('scene').addChild(node));
  return new NodeIO().writeBinary(doc);
}
