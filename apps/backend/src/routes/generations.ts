/**
 * POST /api/v1/generations: an image (PNG, JPEG, WebP) as multipart `image` with `format`
 * and `quality` -> 202 {jobId}. The image is checked (signature, declared type, bytes, pixels,
 * truncation) and stored with its job before the answer.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Metrics } from '@orfeas/metrics';
import { MODEL_FORMATS, MODEL_QUALITIES } from '@orfeas/metrics/catalog';
import type { AppEnv } from '../app/env.js';
import { invalid } from '../errors/index.js';
import type { JobService } from '../jobs/service.js';
import { Accepted, errorResponses, jobLinks } from '../openapi/schemas.js';
import { sniffImageFormat, type ImageFormat } from '../upload/image-format.js';
import { ImageRefusal, inspectImage, type ImageLimits } from '../upload/inspect-image.js';
import { validationHook } from './validation.js';

/** Room for the multipart envelope and the other fields around the image. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const GenerationForm = z
  .object({
    image: z
      .custom<File>((value) => value instanceof File, {
        error: 'image is required: a PNG, JPEG or WebP file in the multipart field "image"',
        params: { code: 'not_a_file' },
      })
      .openapi({ type: 'string', format: 'binary', description: 'A PNG, JPEG or WebP file, within ORFEAS_MAX_UPLOAD_BYTES and ORFEAS_MAX_IMAGE_PIXELS' }),
    format: z.enum(MODEL_FORMATS, { error: `format must be one of ${MODEL_FORMATS.join(', ')}` }),
    quality: z.enum(MODEL_QUALITIES, { error: `quality must be one of ${MODEL_QUALITIES.join(', ')}` }),
  })
  .openapi('GenerationForm');

/** The route's variables: the format the uploaded bytes show, for image_uploads_total. */
type GenerationEnv = { Variables: AppEnv['Variables'] & { uploadFormat: ImageFormat | 'unknown' } };

/** The body is multipart and parses, before its fields are validated: each refusal with its own code. */
function multipartBody(tooLarge: () => Error): MiddlewareHandler<GenerationEnv> {
  return async (c, next) => {
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      throw invalid('body', 'unsupported_media_type', `send multipart/form-data with an image file, not ${contentType || 'no content type'}`, 415);
    }
    let form: FormData;
    try {
      // Parsed once here; the validator reads the same parse.
      form = await c.req.formData();
    } catch (err) {
      if (err instanceof Error && err.name === 'BodyLimitError') throw tooLarge();
      throw invalid('body', 'invalid_multipart', 'the multipart body cannot be parsed');
    }
    const image = form.get('image');
    const head = image instanceof File ? new Uint8Array(await image.slice(0, 16).arrayBuffer()) : undefined;
    c.set('uploadFormat', (head && sniffImageFormat(head)) ?? 'unknown');
    await next();
  };
}

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

  const route = createRoute({
    method: 'post',
    path: '/',
    operationId: 'createGeneration',
    tags: ['generation'],
    summary: 'Turn an image into a 3D model',
    description: 'Background removal, shape, texture and export (GLB, OBJ with its MTL and texture, STL or PLY), graded for quality.',
    middleware: [
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
      multipartBody(tooLarge),
    ] as const,
    request: { body: { required: true, content: { 'multipart/form-data': { schema: GenerationForm } } } },
    responses: {
      202: { description: 'Accepted: the job is queued (or answered from the cache)', content: { 'application/json': { schema: Accepted } }, links: jobLinks },
      ...errorResponses(400, 401, 413, 415, 429, 507),
    },
  });

  return new OpenAPIHono<GenerationEnv>().openapi(
    route,
    async (c) => {
      const { image, format, quality } = c.req.valid('form');
      const bytes = new Uint8Array(await image.arrayBuffer());
      let inspected: Awaited<ReturnType<typeof inspectImage>>;
      try {
        inspected = await inspectImage(bytes, image.type, limits);
      } catch (err) {
        if (!(err instanceof ImageRefusal)) throw err;
        uploads.inc({ format: err.format, status: 'rejected' });
        throw err.error;
      }
      uploads.inc({ format: inspected.format, status: 'accepted' });
      const job = await service.submitImageTo3d(bytes, { format, quality, imageFormat: inspected.format }, c.var.apiKey ?? null);
      c.var.log.info({ jobId: job.id, format, quality, image: inspected }, 'generation accepted');
      return c.json({ jobId: job.id, state: job.state as 'queued' | 'completed', statusUrl: `/api/v1/jobs/${job.id}` }, 202);
    },
    (result, c) => {
      // A refusal of the other fields is a rejected upload too, counted by what the image is.
      if (!result.success) uploads.inc({ format: c.var.uploadFormat, status: 'rejected' });
      return validationHook(result);
    },
  );
}
