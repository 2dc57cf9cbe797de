/**
 * From a prompt to a scene: a sky-to-ground gradient and one shape per word (up to twelve),
 * its kind, place and size drawn from the seeded generator and its hue from the word, so
 * that "red" is red and every other word has a hue of its own.
 */
import { seededRandom, type Random } from './seeded-random.js';
import type { Style } from './styles.js';

export type Rgb = [number, number, number];

export interface SceneShape {
  /** Polygon corners (pixels) or, for an ellipse, none. */
  polygon?: [number, number][];
  ellipse?: { cx: number; cy: number; rx: number; ry: number };
  cx: number;
  cy: number;
  radius: number;
  colour: Rgb;
}

export interface Scene {
  sky: Rgb;
  ground: Rgb;
  /** Where the gradient turns, 0 (top) .. 1 (bottom). */
  horizon: number;
  shapes: SceneShape[];
  random: Random;
}

const COLOUR_WORDS: Record<string, number> = {
  red: 0, orange: 30, gold: 45, yellow: 55, lime: 90, green: 120, forest: 130, teal: 175, cyan: 185,
  sky: 200, blue: 220, ocean: 210, navy: 230, indigo: 250, purple: 280, violet: 270, magenta: 300, pink: 330, rose: 345,
};

/** Saturation and lightness ranges each style draws its colours from. */
const PALETTES: Record<Style, { sat: [number, number]; light: [number, number]; sky: [number, number] }> = {
  realistic: { sat: [0.35, 0.65], light: [0.35, 0.6], sky: [0.55, 0.8] },
  anime: { sat: [0.7, 0.95], light: [0.5, 0.7], sky: [0.7, 0.88] },
  watercolor: { sat: [0.25, 0.5], light: [0.6, 0.8], sky: [0.85, 0.95] },
  sketch: { sat: [0, 0], light: [0.2, 0.7], sky: [0.92, 0.97] },
  pixel_art: { sat: [0.6, 0.9], light: [0.4, 0.65], sky: [0.55, 0.75] },
  cyberpunk: { sat: [0.85, 1], light: [0.5, 0.65], sky: [0.05, 0.15] },
};

export function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number): number => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)];
}

function wordHue(word: string): number {
  const known = COLOUR_WORDS[word];
  if (known !== undefined) return known;
  return seededRandom('hue', word)() * 360;
}

const between = (r: Random, [lo, hi]: [number, number]): number => lo + (hi - lo) * r();

export function composeScene(prompt: string, seed: number, style: Style, width: number, height: number): Scene {
  const random = seededRandom('orfeas-procedural-v1', style, seed, prompt);
  const words = (prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
  const palette = PALETTES[style];
  const baseHue = words.length > 0 ? wordHue(words[0]!) : random() * 360;
  const sky = hsl((baseHue + 180 + random() * 60) % 360, palette.sat[1] * 0.6, between(random, palette.sky));
  const ground = hsl((baseHue + 90 + random() * 90) % 360, palette.sat[0], between(random, palette.light) * 0.8);
  const size = Math.min(width, height);
  const shapes = words.map((word): SceneShape => {
    const colour = hsl(wordHue(word), between(random, palette.sat), between(random, palette.light));
    const cx = width * (0.15 + 0.7 * random());
    const cy = height * (0.2 + 0.65 * random());
    const radius = size * (0.08 + 0.2 * random());
    const kind = Math.floor(random() * 4);
    const turn = random() * Math.PI;
    if (kind === 0) return { ellipse: { cx, cy, rx: radius, ry: radius * (0.6 + 0.4 * random()) }, cx, cy, radius, colour };
    const corners = kind === 1 ? 3 : kind === 2 ? 4 : 6;
    const polygon = Array.from({ length: corners }, (_, i): [number, number] => {
      const a = turn + (i * 2 * Math.PI) / corners;
      return [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
    });
    return { polygon, cx, cy, radius, colour };
  });
  return { sky, ground, horizon: 0.45 + 0.25 * random(), shapes, random };
}
