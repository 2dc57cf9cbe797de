/**
 * What makes each style look like itself once the scene is drawn: the render settings and a
 * pass over the pixels (posterised cels with ink outlines, pencil lines and hatching, a
 * blurred wash, a coarse pixel grid, a neon glow).
 */
import sharp from 'sharp';
import { outlineAt, type Raster, type RenderOptions } from './render.js';
import type { Style } from './styles.js';

export const RENDER_OPTIONS: Record<Style, RenderOptions> = {
  realistic: { softness: 2.5, shading: 0.45, grain: 0.06 },
  anime: { softness: 1, shading: 0.2, grain: 0 },
  watercolor: { softness: 6, shading: 0.1, grain: 0.12 },
  sketch: { softness: 1, shading: 0.6, grain: 0.05 },
  pixel_art: { softness: 0.5, shading: 0.3, grain: 0 },
  cyberpunk: { softness: 1.5, shading: 0.5, grain: 0.04 },
};

/** Pixel-art images are drawn this many times smaller and scaled up without smoothing. */
export const PIXEL_ART_BLOCK = 8;

const posterise = (v: number, levels: number): number => Math.round(v * (levels - 1)) / (levels - 1);

function toBytes(rgb: Float32Array): Buffer {
  const out = Buffer.alloc(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, rgb[i]!)) * 255);
  return out;
}

/** Applies the style and returns 8-bit RGB at the requested size. */
export async function applyStyle(style: Style, r: Raster, width: number, height: number): Promise<Buffer> {
  const { rgb } = r;
  const n = r.width * r.height;
  const raw = { raw: { width: r.width, height: r.height, channels: 3 as const } };
  switch (style) {
    case 'anime':
      for (let p = 0; p < n; p++) for (let k = 0; k < 3; k++) rgb[p * 3 + k] = outlineAt(r, p) ? 0.08 : posterise(rgb[p * 3 + k]!, 5);
      return toBytes(rgb);
    case 'sketch':
      for (let p = 0; p < n; p++) {
        const x = p % r.width;
        const y = (p - x) / r.width;
        const l = 0.2126 * rgb[p * 3]! + 0.7152 * rgb[p * 3 + 1]! + 0.0722 * rgb[p * 3 + 2]!;
        // Darker tones get denser diagonal hatching on white paper.
        const hatch = (l < 0.35 && (x + y) % 4 === 0) || (l < 0.6 && (x - y + 4096) % 7 === 0);
        const v = outlineAt(r, p) ? 0.15 : hatch ? 0.45 : 0.95 + 0.05 * l;
        rgb.fill(v, p * 3, p * 3 + 3);
      }
      return toBytes(rgb);
    case 'pixel_art':
      for (let i = 0; i < rgb.length; i++) rgb[i] = posterise(rgb[i]!, 6);
      return sharp(toBytes(rgb), raw).resize(width, height, { kernel: 'nearest' }).raw().toBuffer();
    case 'watercolor': {
      // Pigment pools at the edges of each wash before the wash is softened.
      for (let p = 0; p < n; p++) if (outlineAt(r, p)) for (let k = 0; k < 3; k++) rgb[p * 3 + k] = rgb[p * 3 + k]! * 0.8;
      return sharp(toBytes(rgb), raw).blur(2).raw().toBuffer();
    }
    case 'cyberpunk': {
      const base = toBytes(rgb);
      const glow = await sharp(base, raw).blur(Math.max(2, Math.min(r.width, r.height) / 64)).raw().toBuffer();
      for (let i = 0; i < base.length; i++) base[i] = Math.min(255, base[i]! + Math.round(glow[i]! * 0.6));
      return base;
    }
    default:
      return toBytes(rgb);
  }
}
