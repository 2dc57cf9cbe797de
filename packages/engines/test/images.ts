/**
 * Images the tests draw: shapes on plain or noisy backgrounds, with or without
 * transparency, at any size, encoded with sharp exactly as an upload would arrive.
 */
import sharp from 'sharp';

export type ShapeKind = 'disc' | 'ring' | 'star' | 'square';

export interface TestImageOptions {
  size?: number;
  shape?: ShapeKind;
  /** Amplitude of per-pixel noise added to the background and the subject (0 = plain). */
  noise?: number;
  /** Transparent background instead of a coloured one. */
  alpha?: boolean;
  /** Nothing drawn: background only. */
  empty?: boolean;
  background?: [number, number, number];
  foreground?: [number, number, number];
  format?: 'png' | 'jpeg';
}

function inside(shape: ShapeKind, u: number, v: number): boolean {
  // u, v in -1..1 over the frame
  const r = Math.hypot(u, v);
  switch (shape) {
    case 'disc':
      return r < 0.6;
    case 'ring':
      return r < 0.65 && r > 0.3;
    case 'square':
      return Math.abs(u) < 0.5 && Math.abs(v) < 0.5;
    case 'star': {
      const a = Math.atan2(v, u);
      return r < 0.35 + 0.3 * Math.abs(Math.cos(2.5 * a));
    }
  }
}

/** Deterministic noise so a failing test draws the same image again. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function drawImage(o: TestImageOptions = {}): Promise<Buffer> {
  const size = o.size ?? 256;
  const bgc = o.background ?? [235, 235, 240];
  const fgc = o.foreground ?? [200, 40, 30];
  const noise = o.noise ?? 0;
  const rand = prng(size * 31 + noise);
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size) * 2 - 1;
      const v = ((y + 0.5) / size) * 2 - 1;
      const subject = !o.empty && inside(o.shape ?? 'disc', u, v);
      const c = subject ? fgc : bgc;
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) data[i + k] = Math.max(0, Math.min(255, Math.round(c[k]! + (rand() - 0.5) * 2 * noise)));
      data[i + 3] = o.alpha && !subject ? 0 : 255;
    }
  }
  const img = sharp(data, { raw: { width: size, height: size, channels: 4 } });
  if (o.format === 'jpeg') return img.removeAlpha().jpeg({ quality: 92 }).toBuffer();
  return o.alpha ? img.png().toBuffer() : img.removeAlpha().png().toBuffer();
}
