/** Background removal on drawn images: plain, noisy, transparent, tiny, large, empty, not an image. */
import { describe, expect, it } from 'vitest';
import { drawImage } from '../../test/images.js';
import { EngineError } from '../engine.js';
import { detachedContext } from '../stage-context.js';
import { removeBackground } from './index.js';

const ctx = detachedContext();
const subjectPixels = (mask: Uint8Array): number => mask.reduce((n, v) => n + (v ? 1 : 0), 0);

describe('removeBackground', () => {
  it('cuts a disc out of a plain background with the disc area and an opaque subject', async () => {
    const cut = await removeBackground(await drawImage({ size: 256, shape: 'disc' }), ctx);
    expect([cut.width, cut.height]).toEqual([256, 256]);
    const expected = Math.PI * (0.6 * 128) ** 2;
    expect(subjectPixels(cut.mask) / expected).toBeCloseTo(1, 1);
    // centre is subject with its colour, corner is transparent background
    const centre = (128 * 256 + 128) * 4;
    expect([...cut.rgba.slice(centre, centre + 4)]).toEqual([200, 40, 30, 255]);
    expect(cut.rgba[3]).toBe(0);
    expect(cut.quality.stage).toBe('background_removal');
    expect(cut.quality.score).toBeGreaterThan(0.9);
  });

  it('separates a subject from a noisy background and drops the noise specks', async () => {
    const cut = await removeBackground(await drawImage({ size: 256, shape: 'star', noise: 45 }), ctx);
    const clean = await removeBackground(await drawImage({ size: 256, shape: 'star' }), ctx);
    const diff = cut.mask.reduce((n, v, i) => n + (v !== clean.mask[i] ? 1 : 0), 0);
    expect(diff / subjectPixels(clean.mask)).toBeLessThan(0.03);
    expect(cut.quality.score).toBeGreaterThan(0.7);
  });

  it('scores the cut-out of a faint subject on a noisy background lower than a crisp one', async () => {
    const crisp = await removeBackground(await drawImage({ size: 256, shape: 'disc' }), ctx);
    const faint = await removeBackground(await drawImage({ size: 256, shape: 'disc', foreground: [195, 195, 205], noise: 30 }), ctx);
    expect(faint.quality.score).toBeLessThan(crisp.quality.score - 0.05);
    expect(faint.quality.edgeQuality).toBeLessThan(crisp.quality.edgeQuality);
  });

  it('trusts the alpha channel of a transparent PNG', async () => {
    // Background colour equal to the subject: only alpha can tell them apart.
    const png = await drawImage({ size: 128, shape: 'square', alpha: true, background: [200, 40, 30] });
    const cut = await removeBackground(png, ctx);
    expect(subjectPixels(cut.mask)).toBe(64 * 64);
    expect(cut.quality.issues.map((i) => i.issueType)).not.toContain('low_edge_contrast');
  });

  it('opens the hole of a ring instead of filling it', async () => {
    const cut = await removeBackground(await drawImage({ size: 200, shape: 'ring', noise: 20, format: 'jpeg' }), ctx);
    expect(cut.mask[100 * 200 + 100]).toBe(0);
    expect(cut.mask[100 * 200 + 100 + 47]).toBe(255);
  });

  it('handles a tiny 8x8 image', async () => {
    const cut = await removeBackground(await drawImage({ size: 8, shape: 'square' }), ctx);
    expect([cut.width, cut.height]).toEqual([8, 8]);
    expect(subjectPixels(cut.mask)).toBe(16);
  });

  it('scales a 2048x2048 image down to the working size', async () => {
    const cut = await removeBackground(await drawImage({ size: 2048, shape: 'disc' }), ctx, { workingSize: 384 });
    expect([cut.width, cut.height]).toEqual([384, 384]);
    expect(subjectPixels(cut.mask) / (Math.PI * (0.6 * 192) ** 2)).toBeCloseTo(1, 1);
  });

  it('fails an all-background image with empty_subject naming the background colour', async () => {
    const err = await removeBackground(await drawImage({ size: 64, empty: true, noise: 30 }), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('empty_subject');
    expect((err as EngineError).stage).toBe('background_removal');
    expect((err as EngineError).message).toMatch(/no subject found.*background colour rgb\(/);
  });

  it('fails a fully transparent image with empty_subject', async () => {
    const err = await removeBackground(await drawImage({ size: 32, empty: true, alpha: true }), ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('empty_subject');
    expect((err as EngineError).message).toMatch(/fully transparent/);
  });

  it('fails an image whose data is cut short with invalid_image, not an internal error', async () => {
    const png = await drawImage({ size: 256, shape: 'disc', noise: 40 });
    const err = await removeBackground(png.subarray(0, Math.floor(png.length * 0.6)), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_image');
    expect((err as EngineError).stage).toBe('background_removal');
  });

  it('fails bytes that are not an image with invalid_image', async () => {
    const err = await removeBackground(new TextEncoder().encode('not an image at all'), ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('invalid_image');
  });
});
