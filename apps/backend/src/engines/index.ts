/**
 * The default engines: those selectEngines picks from @orfeas/engines, run in engine threads
 * (ORFEAS_ENGINE_THREADS, default one per job worker) or, with 0 threads or when running from
 * the TypeScript sources, on the main thread.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Engines } from '../jobs/engines.js';
import { selectEngines } from './select.js';
import { EngineThreads, engineThreadsAvailable } from './threads.js';

export interface DefaultEngines {
  engines: Engines;
  close(): Promise<void>;
}

export function defaultEngines(config: Config, log: Logger): DefaultEngines {
  const settings = { modelServerUrl: config.remote.modelServerUrl, textToImageUrl: config.remote.textToImageUrl, maxImagePixels: config.upload.maxPixels };
  const local = selectEngines(settings);
  const names = { imageTo3d: local.imageTo3d.name, textToImage: local.textToImage.name };
  if (config.engineThreads === 0 || !engineThreadsAvailable()) {
    log.info({ ...names, ...settings, threads: 0 }, 'engines ready on the main thread');
    return { engines: local, close: async () => {} };
  }
  const threads = new EngineThreads(config.engineThreads, settings, log);
  log.info({ ...names, ...settings, threads: config.engineThreads }, 'engines ready in engine threads');
  return {
    engines: { imageTo3d: threads.imageTo3d(local.imageTo3d), textToImage: threads.textToImage(local.textToImage) },
    close: () => threads.close(),
  };
}
