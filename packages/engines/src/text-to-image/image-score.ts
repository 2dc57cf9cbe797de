/**
 * A quality score for a generated image without a reference: how much of the tonal range it
 * uses (luminance entropy) and how much contrast it has. A blank or washed-out image scores
 * low, whatever drew it.
 */
export function imageQualityScore(pixels: Uint8Array, channels: number): number {
  const histogram = new Uint32Array(256);
  const n = pixels.length / channels;
  let sum = 0;
  let sumSq = 0;
  for (let p = 0; p < n; p++) {
    const o = p * channels;
    const l = channels >= 3 ? Math.round(0.2126 * pixels[o]! + 0.7152 * pixels[o + 1]! + 0.0722 * pixels[o + 2]!) : pixels[o]!;
    histogram[l]!++;
    sum += l;
    sumSq += l * l;
  }
  let entropy = 0;
  for (const count of histogram) if (count > 0) entropy -= (count / n) * Math.log2(count / n);
  const mean = sum / n;
  const rms = Math.sqrt(Math.max(0, sumSq / n - mean * mean)) / 255;
  return Math.min(1, 0.5 * (entropy / 8) + 0.5 * Math.min(1, rms / 0.25));
}
