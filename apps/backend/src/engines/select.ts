/**
 * Which engines of @orfeas/engines serve: the built-in CPU image-to-3D engine, or the
 * Hunyuan3D model-server adapter (falling back to the CPU engine's shape when the server
 * fails) when a model server is configured; the procedural text-to-image engine, or the
 * Automatic1111 adapter when a txt2img server is. The same choice in the main thread and in
 * the engine threads.
 */
import {
  createA1111TextToImageEngine,
  createCpuImageTo3dEngine,
  createProceduralTextToImageEngine,
  createRemoteImageTo3dEngine,
  type ImageTo3dEngine,
  type TextToImageEngine,
} from '@orfeas/engines';

/** What the engines are made from: the model servers, and the pixel limit uploads are decoded under. */
export interface EngineSettings {
  modelServerUrl?: string | undefined;
  textToImageUrl?: string | undefined;
  /** ORFEAS_MAX_IMAGE_PIXELS: uploads were checked against it from their header; sharp holds the decode to it. */
  maxImagePixels?: number | undefined;
}

export function selectEngines({ modelServerUrl, textToImageUrl, maxImagePixels }: EngineSettings): {
  imageTo3d: ImageTo3dEngine;
  textToImage: TextToImageEngine;
} {
  const cpu = createCpuImageTo3dEngine({ maxInputPixels: maxImagePixels });
  return {
    imageTo3d: modelServerUrl ? createRemoteImageTo3dEngine({ url: modelServerUrl, fallback: cpu, maxInputPixels: maxImagePixels }) : cpu,
    textToImage: textToImageUrl ? createA1111TextToImageEngine({ url: textToImageUrl }) : createProceduralTextToImageEngine(),
  };
}
