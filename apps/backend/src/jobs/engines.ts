/** The engines a backend runs its pipelines on; either may be absent (its jobs then fail clearly). */
import type { ImageTo3dEngine, TextToImageEngine } from '@orfeas/engines';

export interface Engines {
  imageTo3d?: ImageTo3dEngine;
  textToImage?: TextToImageEngine;
}
