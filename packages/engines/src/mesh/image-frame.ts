/**
 * The image frame: how model coordinates relate to the pixels of the cut-out. x to the right,
 * y up, z towards the viewer, the image centred at the origin with its longest side 1 unit
 * long. Shapes are built in this frame so that texturing is a front projection.
 */

export interface FrameSize {
  width: number;
  height: number;
}

export function pixelToModel(px: number, py: number, f: FrameSize): [number, number] {
  const s = Math.max(f.width, f.height);
  return [(px - f.width / 2) / s, (f.height / 2 - py) / s];
}

export function modelToPixel(x: number, y: number, f: FrameSize): [number, number] {
  const s = Math.max(f.width, f.height);
  return [x * s + f.width / 2, f.height / 2 - y * s];
}

/** Length of one pixel in model units. */
export const pixelSize = (f: FrameSize): number => 1 / Math.max(f.width, f.height);
