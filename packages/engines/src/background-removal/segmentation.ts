/**
 * Subject/background separation for images without transparency: the background is the
 * region connected to the image border whose colour stays close to the border colour.
 * A subject whose colour is close to the background but enclosed by it stays subject,
 * because the flood fill only spreads from the border.
 */

export interface BackgroundModel {
  /** Median border colour, RGB. */
  colour: [number, number, number];
  /** Largest colour distance still counted as background. */
  tolerance: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

function distance(rgba: Uint8Array, i: number, c: readonly [number, number, number]): number {
  const dr = rgba[i]! - c[0];
  const dg = rgba[i + 1]! - c[1];
  const db = rgba[i + 2]! - c[2];
  return Math.sqrt(dr * dr + dg * dg + db * db);
}

function borderPixels(width: number, height: number): number[] {
  const out: number[] = [];
  for (let x = 0; x < width; x++) out.push(x, (height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) out.push(y * width, y * width + width - 1);
  return out;
}

/**
 * The border colour (median, robust to a subject touching the border) and a tolerance that
 * grows with how much the border itself varies, so noisy or textured backgrounds still fill.
 */
export function estimateBackground(rgba: Uint8Array, width: number, height: number): BackgroundModel {
  const border = borderPixels(width, height);
  const colour: [number, number, number] = [
    median(border.map((p) => rgba[p * 4]!)),
    median(border.map((p) => rgba[p * 4 + 1]!)),
    median(border.map((p) => rgba[p * 4 + 2]!)),
  ];
  const spread = border.map((p) => distance(rgba, p * 4, colour)).sort((a, b) => a - b);
  // The 90th percentile ignores the part of the border the subject may cover.
  const p90 = spread[Math.floor(spread.length * 0.9)] ?? 0;
  return { colour, tolerance: Math.min(120, Math.max(32, p90 * 1.6 + 12)) };
}

/**
 * Each pixel's colour distance from the background, the smaller of the raw and the smoothed
 * view: the smoothed one lets noisy background through, the raw one keeps the subject's edge
 * where the blur spread it.
 */
export function backgroundDistance(raw: Uint8Array, smoothed: Uint8Array, model: BackgroundModel): Float32Array {
  const out = new Float32Array(raw.length / 4);
  for (let p = 0; p < out.length; p++) out[p] = Math.min(distance(raw, p * 4, model.colour), distance(smoothed, p * 4, model.colour));
  return out;
}

/** 255 where a pixel is subject: not reached by a flood fill of background colours from the border. */
export function segmentByFloodFill(dist: Float32Array, width: number, height: number, tolerance: number): Uint8Array {
  const n = width * height;
  const background = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const visit = (p: number): void => {
    if (background[p] === 0 && dist[p]! <= tolerance) {
      background[p] = 1;
      queue[tail++] = p;
    }
  };
  for (const p of borderPixels(width, height)) visit(p);
  while (head < tail) {
    const p = queue[head++]!;
    const x = p % width;
    if (x > 0) visit(p - 1);
    if (x < width - 1) visit(p + 1);
    if (p >= width) visit(p - width);
    if (p < n - width) visit(p + width);
  }
  const mask = new Uint8Array(n);
  for (let p = 0; p < n; p++) mask[p] = background[p] ? 0 : 255;
  return mask;
}

/**
 * Background-coloured regions the border fill could not reach (the hole of a ring, the gap
 * under a handle) become background when they are large; small ones are kept as subject
 * detail (a white button on a shirt). `minArea` is in pixels.
 */
export function openEnclosedHoles(dist: Float32Array, mask: Uint8Array, width: number, tolerance: number, minArea: number): Uint8Array {
  const n = mask.length;
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  const out = mask.slice();
  const matches = (p: number): boolean => mask[p] !== 0 && dist[p]! <= tolerance;
  for (let seed = 0; seed < n; seed++) {
    if (seen[seed] || !matches(seed)) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    seen[seed] = 1;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width;
      for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width]) {
        if (q >= 0 && q < n && !seen[q] && matches(q)) {
          seen[q] = 1;
          queue[tail++] = q;
        }
      }
    }
    if (tail >= minArea) for (let i = 0; i < tail; i++) out[queue[i]!] = 0;
  }
  return out;
}
