/**
 * A GLB from a model server as one triangle mesh: every triangle primitive of every mesh
 * node in the default scene, with its node's world transform applied. Strips and fans are
 * unrolled; points and lines are ignored.
 */
import { NodeIO, Primitive, type Node as GltfNode } from '@gltf-transform/core';

export interface GlbMesh {
  positions: Float32Array;
  indices: Uint32Array;
}

function triangles(prim: Primitive, count: number): number[] {
  // gltf-transform's TypedArray includes Float16Array, which the ES2023 lib (Node 20) lacks.
  const stored = prim.getIndices()?.getArray() as ArrayLike<number> | null | undefined;
  const order: number[] = stored ? Array.from(stored) : Array.from({ length: count }, (_, i) => i);
  const mode = prim.getMode();
  if (mode === Primitive.Mode.TRIANGLES) return order.slice(0, order.length - (order.length % 3));
  const out: number[] = [];
  if (mode === Primitive.Mode.TRIANGLE_STRIP) {
    // Every other triangle of a strip is wound the other way round.
    for (let i = 0; i + 2 < order.length; i++) out.push(...(i % 2 === 0 ? [order[i]!, order[i + 1]!, order[i + 2]!] : [order[i + 1]!, order[i]!, order[i + 2]!]));
  } else if (mode === Primitive.Mode.TRIANGLE_FAN) {
    for (let i = 1; i + 1 < order.length; i++) out.push(order[0]!, order[i]!, order[i + 1]!);
  }
  return out;
}

export async function meshFromGlb(glb: Uint8Array): Promise<GlbMesh> {
  const doc = await new NodeIO().readBinary(glb);
  const positions: number[] = [];
  const indices: number[] = [];
  const element: number[] = [0, 0, 0];
  const addNode = (node: GltfNode): void => {
    const mesh = node.getMesh();
    if (mesh) {
      const m = node.getWorldMatrix();
      for (const prim of mesh.listPrimitives()) {
        const position = prim.getAttribute('POSITION');
        if (!position) continue;
        const base = positions.length / 3;
        for (let i = 0; i < position.getCount(); i++) {
          position.getElement(i, element);
          const [x, y, z] = element as [number, number, number];
          // Column-major 4x4, as glTF stores it.
          positions.push(m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]);
        }
        for (const i of triangles(prim, position.getCount())) indices.push(base + i);
      }
    }
    for (const child of node.listChildren()) addNode(child);
  };
  const root = doc.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  if (scene) for (const node of scene.listChildren()) addNode(node);
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}
