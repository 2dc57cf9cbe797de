/**
 * POST /api/v1/text-to-image: JSON {prompt, style, width, height, seed?} -> 202 {jobId}.
 * A missing seed is drawn here and stored, so a rerun after a restart makes the same image.
 */
import crypto from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { IMAGE_SIDE, STYLES } from '@orfeas/engines';
import type { AppEnv } from '../app/env.js';
import { invalid } from '../errors/index.js';
import type { JobService } from '../jobs/service.js';
import { Accepted, errorResponses, jobLinks } from '../openapi/schemas.js';
import { validationHook } from './validation.js';

const MAX_JSON_BYTES = 16 * 1024;
const side = (name: string) =>
  z
    .number({ error: `${name} must be a whole number of pixels` })
    .int({ error: `${name} must be a whole number of pixels` })
    .min(IMAGE_SIDE.min, { error: `${name} must be at least ${IMAGE_SIDE.min}` })
    .max(IMAGE_SIDE.max, { error: `${name} must be at most ${IMAGE_SIDE.max}` });

const TextToImageRequest = z
  .strictObject({
    prompt: z
      .string({ error: 'prompt must be a string' })
      .trim()
      .min(1, { error: 'prompt must not be empty' })
      .max(1000, { error: 'prompt must be at most 1000 characters' }),
    style: z.enum(STYLES, { error: `style must be one of ${STYLES.join(', ')}` }),
    width: side('width'),
    height: side('height'),
    seed: z
      .number({ error: 'seed must be a whole number' })
      .int({ error: 'seed must be a whole number' })
      .min(0, { error: 'seed must be between 0 and 4294967295' })
      .max(4_294_967_295, { error: 'seed must be between 0 and 4294967295' })
      .optional()
      .openapi({ description: 'Drawn at random when left out, and stored with the job' }),
  })
  .openapi('TextToImageRequest');

/** The body is JSON, and a JSON object, before its fields are validated: each refusal with its own code. */
const jsonObjectBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('application/json')) {
    throw invalid('body', 'unsupported_media_type', `send application/json, not ${contentType || 'no content type'}`, 415);
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    if (err instanceof Error && err.name === 'BodyLimitError') throw err;
    throw invalid('body', 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body', 'invalid_type', 'the body must be a JSON object');
  }
  await next();
};

export function textToImageRoutes({ service, admit }: { service: JobService; admit: MiddlewareHandler }) {
  const route = createRoute({
    method: 'post',
    path: '/',
    operationId: 'createTextToImage',
    tags: ['generation'],
    summary: 'Draw an image from a prompt',
    description: `With ORFEAS_TXT2IMG_URL, an Automatic1111-compatible server draws it; else the built-in procedural engine (the result says procedural: true). Bodies up to ${MAX_JSON_BYTES} bytes.`,
    middleware: [
      admit,
      bodyLimit({
        maxSize: MAX_JSON_BYTES,
        onError: (c) => {
          c.header('Connection', 'close');
          throw invalid('body', 'too_large', `the JSON body is over ${MAX_JSON_BYTES} bytes`, 413);
        },
      }),
      jsonObjectBody,
    ] as const,
    request: { body: { required: true, content: { 'application/json': { schema: TextToImageRequest } } } },
    responses: {
      202: { description: 'Accepted: the job is queued (or answered from the cache)', content: { 'application/json': { schema: Accepted } }, links: jobLinks },
      ...errorResponses(400, 401, 413, 415, 429, 507),
    },
  });
  return new OpenAPIHono<AppEnv>().openapi(
    route,
    async (c) => {
      const params = c.req.valid('json');
      const job = await service.submitTextToImage({ ...params, seed: params.seed ?? crypto.randomInt(0, 2 ** 32 - 1) }, c.var.apiKey ?? null);
      c.var.log.info({ jobId: job.id, style: params.style, width: params.width, height: params.height }, 'text-to-image accepted');
      return c.json({ jobId: job.id, state: job.state as 'queued' | 'completed', statusUrl: `/api/v1/jobs/${job.id}` }, 202);
    },
    validationHook,
  );
}
