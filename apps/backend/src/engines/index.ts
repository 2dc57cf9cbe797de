/**
 * The default engines from @orfeas/engines: the built-in CPU image-to-3D engine, or the
 * Hunyuan3D model-server adapter (falling back to the CPU engine's shape when the server
 * fails) when ORFEAS_3D_SERVER_URL names one; the procedural text-to-image engine, or the
 * Automatic1111 adapter when ORFEAS_TXT2IMG_URL names a server.
 */
import {
  createA1111TextToImageEngine,
  createCpuImageTo3dEngine,
  createProceduralTextToImageEngine,
  createRemoteImageTo3dEngine,
} from '@orfeas/engines';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Engines } from '../jobs/engines.js';

export function defaultEngines(config: Config, log: Logger): Engines {
  const { modelServerUrl, textToImageUrl } = config.remote;
  const cpu = createCpuImageTo3dEngine();
  const imageTo3d = modelServerUrl ? createRemoteImageTo3dEngine({ url: modelServerUrl, fallback: cpu }) : cpu;
  const textToImage = textToImageUrl ? createA1111TextToImageEngine({ url: textToImageUrl }) : createProceduralTextToImageEngine();
  log.info(
    { imageTo3d: imageTo3d.name, textToImage: textToImage.name, modelServerUrl, textToImageUrl },
    'engines ready',
  );
  return { imageTo3d, textToImage };
}
