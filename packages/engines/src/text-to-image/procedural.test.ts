/** The procedural text-to-image engine: deterministic bytes, every style, request validation. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EngineError, type TextToImageRequest } from '../engine.js';
import { detachedContext } from '../stage-context.js';
import { createProceduralTextToImageEngine } from './procedural.js';
import { STYLES } from './styles.js';

const engine = createProceduralTextToImageEngine();
const base: TextToImageRequest = { prompt: 'a red fox under a blue moon', style: 'realistic', width: 160, height: 96, seed: 7 };
const draw = (r: Partial<TextToImageRequest>) => engine.generate({ ...base, ...r }, detachedContext());

describe('procedural text-to-image', () => {
  it('gives the same bytes for the same prompt, seed and style', async () => {
    const a = await draw({});
    const b = await draw({});
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
    expect(a.procedural).toBe(true);
  });

  it('gives a different image for a different seed, prompt or style', async () => {
    const a = Buffer.from((await draw({})).png);
    expect(a.equals(Buffer.from((await draw({ seed: 8 })).png))).toBe(false);
    expect(a.equals(Buffer.from((await draw({ prompt: 'a green boat' })).png))).toBe(false);
    expect(a.equals(Buffer.from((await draw({ style: 'anime' })).png))).toBe(false);
  });

  it.each(STYLES)('draws a PNG of the requested size in the %s style', async (style) => {
    const out = await draw({ style, width: 200, height: 120 });
    const meta = await sharp(out.png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 200, 120]);
    expect([out.width, out.height, out.seed]).toEqual([200, 120, 7]);
    expect(out.qualityScore).toBeGreaterThan(0.2);
    expect(out.qualityScore).toBeLessThanOrEqual(1);
  });

  it('keeps colour words: a prompt of "red" draws a red shape', async () => {
    const out = await draw({ prompt: 'red', style: 'anime', seed: 3, width: 256, height: 256 });
    const { data, info } = await sharp(out.png).raw().toBuffer({ resolveWithObject: true });
    let red = 0;
    for (let p = 0; p < info.width * info.height; p++) {
      const [r, g, b] = [data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!];
      if (r > g + 80 && r > b + 80) red++;
    }
    expect(red).toBeGreaterThan(200);
  });

  it.each([
    [{ style: 'oil' }, /style "oil" is not one of realistic, anime/],
    [{ prompt: '  ' }, /prompt is empty/],
    [{ width: 10 }, /width 10 is not an integer in 64..2048/],
    [{ seed: -1 }, /seed -1/],
  ])('refuses %j with invalid_request', async (change, message) => {
    const err = await draw(change as Partial<TextToImageRequest>).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid_request');
    expect((err as EngineError).message).toMatch(message);
  });
});
