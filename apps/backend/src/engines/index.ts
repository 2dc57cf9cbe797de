/**
 * The default engines from @orfeas/engines: the built-in CPU image-to-3D engine and the
 * procedural text-to-image engine, or the Automatic1111 adapter when ORFEAS_TXT2IMG_URL names
 * a server.
 */
import {
  createA1111TextToImageEngine,
  createCpuImageTo3dEngine,
  createProceduralTextToImageEngine,
} from '@orfeas/engines';
import * as enginesPackage from '@orfeas/engines';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Engines } from '../jobs/engines.js';

/** The remote image-to-3D adapter, once @orfeas/engines exports one under this name. */
const remoteImageTo3d = (enginesPackage as unknown as Record<string, unknown>).createRemoteImageTo3dEngine as
  | ((options: { url: string }) => Engines['imageTo3d'])
  | undefined;

export function defaultEngines(config: Config, log: Logger): Engines {
  const { modelServerUrl, textToImageUrl } = config.remote;
  let imageTo3d = createCpuImageTo3dEngine();
  if (modelServerUrl && remoteImageTo3d) imageTo3d = remoteImageTo3d({ url: modelServerUrl })!;
  else if (modelServerUrl) log.warn('ORFEAS_3D_SERVER_URL is set but @orfeas/engines has no remote image-to-3D adapter yet; using the CPU engine');
  const textToImage = textToImageUrl
    ? createA1111TextToImageEngine({ url: textToImageUrl })
    : createProceduralTextToImageEngine();
  log.info({ imageTo3d: imageTo3d.name, textToImage: textToImage.name }, 'engines ready');
  return { imageTo3d, textToImage };
}
