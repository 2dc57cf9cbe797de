/** Validation of a text-to-image request, shared by every text-to-image engine. */
import { EngineError, type TextToImageRequest } from '../engine.js';
import { IMAGE_SIDE, STYLES, isStyle, type Style } from './styles.js';

export function checkRequest(r: TextToImageRequest): Style {
  const bad = (message: string): EngineError => new EngineError('invalid_request', message, 'text_to_image');
  if (typeof r.prompt !== 'string' || r.prompt.trim() === '') throw bad('prompt is empty: describe the image to draw');
  if (!isStyle(r.style)) throw bad(`style "${r.style}" is not one of ${STYLES.join(', ')}`);
  for (const side of ['width', 'height'] as const) {
    const v = r[side];
    if (!Number.isInteger(v) || v < IMAGE_SIDE.min || v > IMAGE_SIDE.max) throw bad(`${side} ${v} is not an integer in ${IMAGE_SIDE.min}..${IMAGE_SIDE.max}`);
  }
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) throw bad(`seed ${r.seed} is not an integer in 0..4294967295`);
  return r.style;
}
