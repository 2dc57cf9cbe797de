/** Export in every format, read back by independent parsers and the Khronos glTF validator; repair of a broken model. */
import { validateBytes } from 'gltf-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { drawImage } from '../../test/images.js';
import { breakMesh, cube } from '../../test/meshes.js';
import { parseObj, parsePly, parseStl } from '../../test/parsers.js';
import { createCpuImageTo3dEngine } from '../cpu-engine/index.js';
import { EngineError, type ModelFormat, type TexturedMesh } from '../engine.js';
import { validateMesh } from '../mesh-quality/validate.js';
import { detachedContext } from '../stage-context.js';
import { exportTexturedModel } from './index.js';

const ctx = detachedContext();
let model: TexturedMesh;

beforeAll(async () => {
  const engine = createCpuImageTo3dEngine();
  const cut = await engine.removeBackground(await drawImage({ size: 256, shape: 'star' }), ctx);
  model = await engine.generateTexture(await engine.generateShape(cut, { quality: 'low' }, ctx), cut, ctx);
});

describe('exportTexturedModel', () => {
  it('writes a GLB with the embedded texture that the Khronos validator accepts', async () => {
    const out = await exportTexturedModel(model, 'glb', ctx);
    expect(out.files.map((f) => [f.name, f.contentType])).toEqual([['model.glb', 'model/gltf-binary']]);
    const report = await validateBytes(out.files[0]!.data);
    expect(report.issues.messages.filter((m) => m.severity === 0)).toEqual([]);
    expect(report.info?.totalTriangleCount).toBe(out.triangleCount);
    expect(out.triangleCount).toBe(model.indices.length / 3);
    // the texture's PNG bytes are inside the binary chunk
    expect(Buffer.from(out.files[0]!.data).includes(Buffer.from(model.texture.png.subarray(0, 64)))).toBe(true);
  });

  it('writes a binary STL that reads back with the same triangles, closed', async () => {
    const out = await exportTexturedModel(model, 'stl', ctx);
    const stl = parseStl(out.files[0]!.data);
    expect(stl.declared).toBe(out.triangleCount);
    expect(out.triangleCount).toBe(model.indices.length / 3);
  });

  it('writes OBJ + MTL + PNG that read back with the same triangles, watertight', async () => {
    const out = await exportTexturedModel(model, 'obj', ctx);
    expect(out.files.map((f) => f.name)).toEqual(['model.obj', 'model.mtl', 'model_texture.png']);
    const obj = parseObj(new TextDecoder().decode(out.files[0]!.data));
    expect(obj.indices.length / 3).toBe(out.triangleCount);
    expect(out.triangleCount).toBe(model.indices.length / 3);
    expect(obj.mtllib).toBe('model.mtl');
    expect(new TextDecoder().decode(out.files[1]!.data)).toMatch(/^map_Kd model_texture\.png$/m);
    expect((await sharp(out.files[2]!.data).metadata()).format).toBe('png');
    expect(validateMesh(obj)).toMatchObject({ watertight: true, manifold: true, printable: true });
  });

  it('writes a binary little-endian PLY that reads back with the same triangles, watertight', async () => {
    const out = await exportTexturedModel(model, 'ply', ctx);
    expect(out.files.map((f) => f.name)).toEqual(['model.ply', 'model_texture.png']);
    const ply = parsePly(out.files[0]!.data);
    expect(ply.indices.length / 3).toBe(out.triangleCount);
    expect(out.triangleCount).toBe(model.indices.length / 3);
    expect(ply.comments).toContain('TextureFile model_texture.png');
    expect(validateMesh(ply)).toMatchObject({ watertight: true, printable: true });
  });

  it('grades a clean model with no repairs and a printable A-range grade', async () => {
    const { quality } = await exportTexturedModel(model, 'glb', ctx);
    expect(quality.repairs).toEqual({});
    expect(quality.checks).toEqual({ manifold: true, watertight: true, printable: true });
    expect(quality.scores.final).toBe(1);
    expect(Object.keys(quality.scores).sort()).toEqual(['background_removal', 'final', 'overall', 'shape', 'texture']);
    expect(['A+', 'A']).toContain(quality.grade);
  });

  it('repairs a model broken on purpose, counts the repairs, and still exports a valid GLB', async () => {
    const broken = breakMesh(model, { holes: [5, 300], flipped: [10, 11, 12], duplicated: [20, 21], degenerate: 3 });
    const uvs = new Float32Array((broken.positions.length / 3) * 2);
    uvs.set(model.uvs);
    const out = await exportTexturedModel({ ...model, ...broken, uvs, normals: undefined }, 'glb', ctx);
    expect(out.quality.repairs).toMatchObject({ fill_holes: 2, fix_orientation: 3, remove_duplicate_faces: 2, remove_degenerate_faces: 3 });
    expect(out.quality.checks).toEqual({ manifold: true, watertight: true, printable: true });
    expect(out.quality.scores.final).toBeLessThan(1);
    expect(out.quality.issues.find((i) => i.issueType === 'boundary_edges')?.detail).toMatch(/repaired$/);
    const report = await validateBytes(out.files[0]!.data);
    expect(report.issues.numErrors).toBe(0);
  });

  it('grades a broken model lower than the clean one, and a badly broken one a worse grade', async () => {
    const faces = model.indices.length / 3;
    const exportBroken = async (b: Parameters<typeof breakMesh>[1]) => {
      const broken = breakMesh(model, b);
      const uvs = new Float32Array((broken.positions.length / 3) * 2);
      uvs.set(model.uvs);
      return (await exportTexturedModel({ ...model, ...broken, uvs, normals: undefined }, 'glb', ctx)).quality;
    };
    const clean = (await exportTexturedModel(model, 'glb', ctx)).quality;
    const light = await exportBroken({ holes: [5], flipped: [10], degenerate: 1 });
    // One face in ten flipped and one in forty duplicated: most of the surface had to be touched.
    const heavy = await exportBroken({
      flipped: Array.from({ length: Math.floor(faces / 10) }, (_, i) => i * 10),
      duplicated: Array.from({ length: Math.floor(faces / 40) }, (_, i) => i * 40 + 3),
      degenerate: 20,
    });
    expect(light.scores.final!).toBeLessThan(clean.scores.final!);
    expect(light.scores.overall!).toBeLessThan(clean.scores.overall!);
    expect(heavy.scores.final!).toBeLessThan(light.scores.final!);
    expect(heavy.scores.overall!).toBeLessThan(light.scores.overall!);
    const rank = (grade: string) => ['A+', 'A', 'B', 'C', 'D', 'F'].indexOf(grade);
    expect(rank(heavy.grade)).toBeGreaterThan(rank(clean.grade));
  });

  it('writes every format with exactly the triangles of a known mesh', async () => {
    const box = cube(3); // 6 sides x 3 x 3 quads x 2 triangles
    const expected = 108;
    expect(box.indices.length / 3).toBe(expected);
    const textured = { ...box, uvs: new Float32Array((box.positions.length / 3) * 2), texture: model.texture, quality: model.quality };
    const written = async (format: ModelFormat) => {
      const out = await exportTexturedModel(textured, format, ctx);
      expect(out.triangleCount).toBe(expected);
      return out.files[0]!.data;
    };
    expect((await validateBytes(await written('glb'))).info?.totalTriangleCount).toBe(expected);
    expect(parseStl(await written('stl')).declared).toBe(expected);
    expect(parseObj(new TextDecoder().decode(await written('obj'))).indices.length / 3).toBe(expected);
    expect(parsePly(await written('ply')).indices.length / 3).toBe(expected);
  });

  it('writes 32-bit indices into a valid GLB when a mesh has more than 65535 vertices', async () => {
    const big = cube(110); // 6 * 111^2 - shared edges, about 72 000 vertices
    expect(big.positions.length / 3).toBeGreaterThan(65535);
    const uvs = new Float32Array((big.positions.length / 3) * 2);
    const out = await exportTexturedModel({ ...big, uvs, texture: model.texture, quality: model.quality }, 'glb', ctx);
    const report = await validateBytes(out.files[0]!.data);
    expect(report.issues.numErrors).toBe(0);
    expect(report.info?.totalTriangleCount).toBe(big.indices.length / 3);
    expect(out.quality.printable).toBe(true);
  });

  it('refuses a format it does not know', async () => {
    const err = await exportTexturedModel(model, 'fbx' as ModelFormat, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('unsupported_format');
  });
});
