/**
 * POST /api/v1/generations: an image (PNG, JPEG, WebP) as multipart `image` with `format`
 * and `quality` -> 202 {jobId}. The image is checked (signature, declared type, bytes, pixels,
 * truncation) and stored with its job before the answer.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MODEL_FORMATS, MODEL_QUALITIES, type Metrics } from '@orfeas/metrics';
import type { AppEnv } from '../app/env.js';
import { invalid } from '../errors/index.js';
import type { JobService } from '../jobs/service.js';
import { sniffImageFormat } from '../upload/image-format.js';
import { ImageRefusal, inspectImage, type ImageLimits } from '../upload/inspect-image.js';
import { parseOrThrow } from './validation.js';
import type { MiddlewareHandler } from 'hono';

/** Room for the multipart envelope and the other fields around the image. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const fields = z.object({
  format: z.enum(MODEL_FORMATS, { error: `format must be one of ${MODEL_FORMATS.join(', ')}` }),
  quality: z.enum(MODEL_QUALITIES, { error: `quality must be one of ${MODEL_QUALITIES.join(', ')}` }),
});

export interface GenerationRouteDeps {
  service: JobService;
  metrics: Metrics;
  limits: ImageLimits;
  /** The rate limit and the free-space watermark, before the body is read. */
  admit: MiddlewareHandler;
}

export function generationRoutes({ service, metrics, limits, admit }: GenerationRouteDeps) {
  const tooLarge = () =>
    invalid('image', 'too_large', `the request body is over the upload limit of ${limits.maxBytes} bytes`, 413);
  const uploads = metrics.model3d.imageUploadsTotal;

  return new Hono<AppEnv>().post(
    '/',
    admit,
    bodyLimit({
      maxSize: limits.maxBytes + MULTIPART_OVERHEAD_BYTES,
      onError: (c) => {
        uploads.inc({ format: 'unknown', status: 'rejected' });
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('Connection', 'close');
        throw tooLarge();
      },
    }),
    async (c) => {
      const contentType = c.req.header('content-type') ?? '';
      if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
        throw invalid('body', 'unsupported_media_type', `send multipart/form-data with an image file, not ${contentType || 'no content type'}`, 415);
      }
      let body: Record<string, unknown>;
      try {
        body = await c.req.parseBody();
      } catch (err) {
        if (err instanceof Error && err.name === 'BodyLimitError') throw tooLarge();
        throw invalid('body', 'invalid_multipart', 'the multipart body cannot be parsed');
      }
      const image = body.image;
      if (!(image instanceof File)) {
        throw invalid('image', image === undefined ? 'missing_field' : 'not_a_file', 'image is required: a PNG, JPEG or WebP file in the multipart field "image"');
      }
      const bytes = new Uint8Array(await image.arrayBuffer());
      let params: z.output<typeof fields>;
      let inspected: Awaited<ReturnType<typeof inspectImage>>;
      try {
        params = parseOrThrow(fields, { format: body.format, quality: body.quality });
        inspected = await inspectImage(bytes, image.type, limits);
      } catch (err) {
        const format = err instanceof ImageRefusal ? err.format : (sniffImageFormat(bytes) ?? 'unknown');
        uploads.inc({ format, status: 'rejected' });
        throw err instanceof ImageRefusal ? err.error : err;
      }
      uploads.inc({ format: inspected.format, status: 'accepted' });
      const job = await service.submitImageTo3d(bytes, { ...params, imageFormat: inspected.format }, c.var.apiKey ?? null);
      c.var.log.info({ jobId: job.id, format: params.format, quality: params.quality, image: inspected }, 'generation accepted');
      return c.json({ jobId: job.id, state: job.state, statusUrl: `/api/v1/jobs/${job.id}` }, 202);
    },
  );
}
