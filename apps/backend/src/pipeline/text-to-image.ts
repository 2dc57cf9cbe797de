/** The text-to-image pipeline: one text_to_image stage over the engine. */
import type { GeneratedImage, TextToImageEngine } from '@orfeas/engines';
import type { TextToImageParams } from '../store/index.js';
import type { StageRunner } from './stage-runner.js';

export function runTextToImage(
  runner: StageRunner,
  engine: TextToImageEngine,
  params: TextToImageParams,
): Promise<GeneratedImage> {
  return runner.run('text_to_image', (ctx) => engine.generate({ ...params }, ctx));
}
