/**
 * Rasterising a scene: the background gradient, each shape anti-aliased by its signed
 * distance (soft for painterly styles, hard for flat ones), light from the upper left, and
 * value noise for grain. Also records which shape covers each pixel, for outlines.
 */
import type { Random } from './seeded-random.js';
import type { Scene, SceneShape } from './scene.js';

export interface Raster {
  width: number;
  height: number;
  /** RGB, 0..1 */
  rgb: Float32Array;
  /** Index of the top shape at each pixel, -1 for background. */
  ids: Int16Array;
}

export interface RenderOptions {
  /** Edge softness in pixels. */
  softness: number;
  /** Strength of the light falloff across each shape (0 = flat colour). */
  shading: number;
  /** Amplitude of the grain. */
  grain: number;
}

function signedDistance(s: SceneShape, x: number, y: number): number {
  if (s.ellipse) {
    const { cx, cy, rx, ry } = s.ellipse;
    return (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
  }
  // Convex polygon: the largest distance past any edge line.
  const poly = s.polygon!;
  let d = -Infinity;
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i]!;
    const [x1, y1] = poly[(i + 1) % poly.length]!;
    let nx = y1 - y0;
    let ny = x0 - x1;
    const len = Math.hypot(nx, ny);
    nx /= len;
    ny /= len;
    if (nx * ((x0 + x1) / 2 - s.cx) + ny * ((y0 + y1) / 2 - s.cy) < 0) [nx, ny] = [-nx, -ny];
    d = Math.max(d, (x - x0) * nx + (y - y0) * ny);
  }
  return d;
}

/** Bilinear value noise on a lattice of `cell` pixels, -0.5..0.5. */
function valueNoise(random: Random, width: number, height: number, cell: number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = Float32Array.from({ length: gw * gh }, () => random() - 0.5);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const j = Math.floor(gy);
    const fy = gy - j;
    for (let x = 0; x < width; x++) {
      const gx = x / cell;
      const i = Math.floor(gx);
      const fx = gx - i;
      const at = (a: number, b: number): number => lattice[(j + b) * gw + i + a]!;
      out[y * width + x] = (at(0, 0) * (1 - fx) + at(1, 0) * fx) * (1 - fy) + (at(0, 1) * (1 - fx) + at(1, 1) * fx) * fy;
    }
  }
  return out;
}

export function renderScene(scene: Scene, width: number, height: number, o: RenderOptions): Raster {
  const rgb = new Float32Array(width * height * 3);
  const ids = new Int16Array(width * height).fill(-1);
  const coarse = valueNoise(scene.random, width, height, Math.max(4, Math.round(Math.min(width, height) / 8)));
  const fine = valueNoise(scene.random, width, height, 2);
  for (let y = 0; y < height; y++) {
    const t = Math.min(1, Math.max(0, (y / height - scene.horizon) / 0.2 + 0.5));
    const bg0 = scene.sky[0] * (1 - t) + scene.ground[0] * t;
    const bg1 = scene.sky[1] * (1 - t) + scene.ground[1] * t;
    const bg2 = scene.sky[2] * (1 - t) + scene.ground[2] * t;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let c0 = bg0;
      let c1 = bg1;
      let c2 = bg2;
      for (let id = 0; id < scene.shapes.length; id++) {
        const s = scene.shapes[id]!;
        // Outside the shape's reach: skip the distance evaluation.
        if (Math.abs(x - s.cx) > s.radius + o.softness + 1 || Math.abs(y - s.cy) > s.radius + o.softness + 1) continue;
        const d = signedDistance(s, x + 0.5, y + 0.5);
        const cover = Math.min(1, Math.max(0, 0.5 - d / o.softness));
        if (cover <= 0) continue;
        const light = 1 + o.shading * (-((x - s.cx) + (y - s.cy)) / (2 * s.radius));
        c0 = c0 * (1 - cover) + Math.min(1, s.colour[0] * light) * cover;
        c1 = c1 * (1 - cover) + Math.min(1, s.colour[1] * light) * cover;
        c2 = c2 * (1 - cover) + Math.min(1, s.colour[2] * light) * cover;
        if (cover >= 0.5) ids[p] = id;
      }
      const grain = o.grain * (0.7 * coarse[p]! + 0.3 * fine[p]!);
      rgb[p * 3] = Math.min(1, Math.max(0, c0 + grain));
      rgb[p * 3 + 1] = Math.min(1, Math.max(0, c1 + grain));
      rgb[p * 3 + 2] = Math.min(1, Math.max(0, c2 + grain));
    }
  }
  return { width, height, rgb, ids };
}

/** Pixels whose right or lower neighbour is covered by a different shape (or background). */
export function outlineAt(r: Raster, p: number): boolean {
  const x = p % r.width;
  const id = r.ids[p]!;
  return (x < r.width - 1 && r.ids[p + 1] !== id) || (p + r.width < r.ids.length && r.ids[p + r.width] !== id);
}
