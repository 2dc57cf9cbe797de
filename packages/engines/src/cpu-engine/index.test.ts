/** The CPU image-to-3D engine end to end, on images the tests draw: valid GLBs, closed meshes, job errors. */
import { validateBytes } from 'gltf-validator';
import { describe, expect, it } from 'vitest';
import { drawImage, type TestImageOptions } from '../../test/images.js';
import { parseStl } from '../../test/parsers.js';
import { EngineError, type StageContext } from '../engine.js';
import { validateMesh } from '../mesh-quality/validate.js';
import { detachedContext } from '../stage-context.js';
import { createCpuImageTo3dEngine } from './index.js';

const engine = createCpuImageTo3dEngine();

async function imageToGlb(image: Uint8Array, quality: 'low' | 'medium' | 'high' = 'low', ctx: StageContext = detachedContext()) {
  const cut = await engine.removeBackground(image, ctx);
  const mesh = await engine.generateShape(cut, { quality }, ctx);
  const textured = await engine.generateTexture(mesh, cut, ctx);
  return { cut, mesh, textured, exported: await engine.exportModel(textured, 'glb', ctx) };
}

const cases: [string, TestImageOptions][] = [
  ['a disc on a plain background', { shape: 'disc' }],
  ['a star on a noisy background', { shape: 'star', noise: 40 }],
  ['a ring with transparency', { shape: 'ring', alpha: true }],
  ['a square as JPEG', { shape: 'square', format: 'jpeg', noise: 10 }],
  ['a tiny 8x8 image', { size: 8, shape: 'square' }],
  ['a large 2048x2048 image', { size: 2048, shape: 'star' }],
];

describe('CPU image-to-3D engine', () => {
  it.each(cases)('turns %s into a valid, watertight, textured GLB', async (_name, options) => {
    const { mesh, textured, exported } = await imageToGlb(await drawImage(options));
    const report = await validateBytes(exported.files[0]!.data);
    expect(report.issues.numErrors).toBe(0);
    expect(validateMesh(mesh)).toMatchObject({ manifold: true, watertight: true, printable: true });
    expect(textured.uvs.length).toBe((mesh.positions.length / 3) * 2);
    expect(exported.quality.checks).toEqual({ manifold: true, watertight: true, printable: true });
    for (const score of Object.values(exported.quality.scores)) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('grades a tiny image lower than a well-framed one, and says why', async () => {
    const tiny = await imageToGlb(await drawImage({ size: 8, shape: 'square' }));
    const good = await imageToGlb(await drawImage({ size: 256, shape: 'disc' }));
    expect(tiny.exported.quality.scores.overall!).toBeLessThan(good.exported.quality.scores.overall!);
    expect(tiny.exported.quality.issues.map((i) => i.issueType)).toContain('low_texture_resolution');
  });

  it('gives the STL of a high-quality model more triangles than a low-quality one', async () => {
    const image = await drawImage({ size: 256, shape: 'disc' });
    const cut = await engine.removeBackground(image, detachedContext());
    const triangles = async (quality: 'low' | 'high') => {
      const mesh = await engine.generateShape(cut, { quality }, detachedContext());
      const out = await engine.exportModel(await engine.generateTexture(mesh, cut, detachedContext()), 'stl', detachedContext());
      return parseStl(out.files[0]!.data).declared;
    };
    expect(await triangles('high')).toBeGreaterThan((await triangles('low')) * 4);
  });

  it('reports progress within each stage and stops when the job is cancelled', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const ctx: StageContext = { signal: controller.signal, progress: (f) => seen.push(f) };
    const cut = await engine.removeBackground(await drawImage({ size: 64 }), ctx);
    expect(seen.at(-1)).toBe(1);
    controller.abort();
    const err = await engine.generateShape(cut, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('cancelled');
  });

  it('fails an all-background upload with a job error, not a crash', async () => {
    const err = await imageToGlb(await drawImage({ empty: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('empty_subject');
  });

  it('decodes under sharp\'s pixel limit: an image past it fails as invalid_image', async () => {
    const image = await drawImage({ size: 200 });
    const engine = createCpuImageTo3dEngine({ maxInputPixels: 100 * 100 });
    const err = await engine.removeBackground(image, detachedContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'invalid_image', stage: 'background_removal' });
    expect((err as Error).message).toMatch(/pixel limit/i);
    await expect(createCpuImageTo3dEngine({ maxInputPixels: 200 * 200 }).removeBackground(image, detachedContext())).resolves.toBeDefined();
  });
});
