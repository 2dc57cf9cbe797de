/**
 * Text-to-image through an Automatic1111-compatible server (stable-diffusion-webui, Forge,
 * SD.Next): POST /sdapi/v1/txt2img with {prompt, negative_prompt, seed, width, height,
 * steps, ...}, answered with {images: [base64 PNG], parameters, info}. The style becomes part
 * of the prompt; the seed the server reports in `info` is the one returned.
 */
import sharp from 'sharp';
import { EngineError, type GeneratedImage, type TextToImageEngine } from '../engine.js';
import { engineIdentity } from '../identity.js';
import { postJson, rejected, resolveLimits, type ModelServerLimits } from '../model-server/post-json.js';
import { imageQualityScore } from './image-score.js';
import { checkRequest } from './request.js';
import { STYLE_PROMPTS } from './styles.js';

/** Defaults: 120 s per attempt (a diffusion run takes a while), 2 retries, answers up to 64 MiB. */
export interface A1111Options extends ModelServerLimits {
  /** Base URL of the server, e.g. http://127.0.0.1:7860 */
  url: string;
  steps?: number;
  cfgScale?: number;
  samplerName?: string;
  negativePrompt?: string;
}

interface Txt2ImgResponse {
  images?: unknown;
  parameters?: unknown;
  info?: unknown;
}

export function createA1111TextToImageEngine(options: A1111Options): TextToImageEngine {
  const endpoint = new URL('/sdapi/v1/txt2img', options.url).toString();
  const service = 'Automatic1111 txt2img server';
  const limits = resolveLimits(options, { timeoutMs: 120_000, retries: 2, maxResponseBytes: 64 * 1024 * 1024 });
  return {
    name: 'a1111',
    identity: engineIdentity('a1111', {
      url: endpoint,
      steps: options.steps,
      cfgScale: options.cfgScale,
      samplerName: options.samplerName,
      negativePrompt: options.negativePrompt,
    }),
    async generate(request, ctx): Promise<GeneratedImage> {
      const style = checkRequest(request);
      const call = {
        service,
        url: endpoint,
        stage: 'text_to_image' as const,
        ...limits,
        signal: ctx.signal,
        body: {
          prompt: `${request.prompt}, ${STYLE_PROMPTS[style]}`,
          negative_prompt: options.negativePrompt ?? 'blurry, low quality, watermark, text',
          seed: request.seed,
          width: request.width,
          height: request.height,
          steps: options.steps ?? 25,
          cfg_scale: options.cfgScale ?? 7,
          sampler_name: options.samplerName ?? 'Euler a',
          batch_size: 1,
          n_iter: 1,
        },
      };
      ctx.progress(0.05);
      const res = await postJson(call);
      if (res.status >= 400) {
        let detail: string | undefined;
        try {
          const parsed = JSON.parse(new TextDecoder().decode(res.body)) as { detail?: unknown; error?: unknown; errors?: unknown };
          detail = JSON.stringify(parsed.detail ?? parsed.errors ?? parsed.error ?? parsed);
        } catch {
          // not JSON: the raw snippet says enough
        }
        throw rejected(call, res, detail);
      }
      const bad = (why: string): EngineError => new EngineError('model_server_bad_response', `${service} at ${endpoint} answered without a usable image: ${why}`, 'text_to_image');
      let parsed: Txt2ImgResponse;
      try {
        parsed = JSON.parse(new TextDecoder().decode(res.body)) as Txt2ImgResponse;
      } catch {
        throw bad('the body is not JSON');
      }
      const first: unknown = Array.isArray(parsed.images) ? parsed.images[0] : undefined;
      if (typeof first !== 'string' || first.length === 0) throw bad('"images" is empty');
      // Some forks prefix a data URL.
      const png = Buffer.from(first.replace(/^data:image\/\w+;base64,/, ''), 'base64');
      let pixels: { data: Buffer; info: { width: number; height: number; channels: number } };
      try {
        pixels = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      } catch (err) {
        throw bad(`images[0] does not decode (${(err as Error).message})`);
      }
      let seed = request.seed;
      try {
        const info = typeof parsed.info === 'string' ? (JSON.parse(parsed.info) as { seed?: unknown }) : (parsed.info as { seed?: unknown } | undefined);
        if (typeof info?.seed === 'number' && Number.isInteger(info.seed) && info.seed >= 0) seed = info.seed;
      } catch {
        // info is informative only
      }
      ctx.progress(1);
      return {
        png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
        width: pixels.info.width,
        height: pixels.info.height,
        seed,
        qualityScore: imageQualityScore(pixels.data, pixels.info.channels),
        procedural: false,
      };
    },
  };
}
