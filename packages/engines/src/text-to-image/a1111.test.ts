/** The Automatic1111 adapter against a local server speaking the txt2img request and response, failures included. */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { deadUrl, sendJson, startServer, type TestServer } from '../../test/http-server.js';
import { EngineError, type TextToImageRequest } from '../engine.js';
import { detachedContext } from '../stage-context.js';
import { createA1111TextToImageEngine } from './a1111.js';

const request: TextToImageRequest = { prompt: 'a lighthouse at dusk', style: 'watercolor', width: 96, height: 64, seed: 1234 };
// Retries without waiting; the timeout is generous, since only the tests named so test it.
const fast = { timeoutMs: 20_000, retries: 2, backoffMs: () => 10 };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What stable-diffusion-webui answers: base64 PNGs, the parameters it used, info as a JSON string. */
async function txt2imgAnswer(body: Record<string, unknown>) {
  const png = await sharp({ create: { width: Number(body.width), height: Number(body.height), channels: 3, background: '#3366aa' } })
    .composite([{ input: Buffer.from('<svg width="40" height="30"><circle cx="20" cy="15" r="12" fill="#ffdd00"/></svg>'), left: 10, top: 10 }])
    .png()
    .toBuffer();
  return { images: [png.toString('base64')], parameters: body, info: JSON.stringify({ seed: body.seed, all_seeds: [body.seed], sd_model_name: 'test' }) };
}

describe('Automatic1111 text-to-image adapter', () => {
  it('posts the txt2img request and returns the decoded image', async () => {
    server = await startServer(async (req, res) => sendJson(res, 200, await txt2imgAnswer(req.body)));
    const out = await createA1111TextToImageEngine({ url: server.url, ...fast }).generate(request, detachedContext());
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]!;
    expect([sent.method, sent.path]).toEqual(['POST', '/sdapi/v1/txt2img']);
    expect(sent.body).toMatchObject({ seed: 1234, width: 96, height: 64, steps: 25, batch_size: 1 });
    expect(sent.body.prompt).toMatch(/^a lighthouse at dusk, watercolor painting/);
    expect(typeof sent.body.negative_prompt).toBe('string');
    expect([out.width, out.height, out.seed, out.procedural]).toEqual([96, 64, 1234, false]);
    expect((await sharp(out.png).metadata()).format).toBe('png');
    expect(out.qualityScore).toBeGreaterThan(0);
  });

  it('retries a 5xx and succeeds on the next attempt', async () => {
    server = await startServer(async (req, res, i) => (i === 0 ? sendJson(res, 503, { error: 'busy' }) : sendJson(res, 200, await txt2imgAnswer(req.body))));
    const out = await createA1111TextToImageEngine({ url: server.url, ...fast }).generate(request, detachedContext());
    expect(server.requests).toHaveLength(2);
    expect(out.width).toBe(96);
  });

  it('gives up after the retries with model_server_error quoting the server', async () => {
    server = await startServer((_req, res) => sendJson(res, 500, { error: 'CUDA out of memory' }));
    const err = await createA1111TextToImageEngine({ url: server.url, ...fast }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(3);
    expect((err as EngineError).code).toBe('model_server_error');
    expect((err as EngineError).message).toMatch(/failed after 3 attempt\(s\): HTTP 500.*CUDA out of memory/);
    expect((err as EngineError).stage).toBe('text_to_image');
  });

  it('does not retry a 422 and reports what the server refused', async () => {
    server = await startServer((_req, res) => sendJson(res, 422, { detail: [{ loc: ['body', 'width'], msg: 'not a multiple of 8' }] }));
    const err = await createA1111TextToImageEngine({ url: server.url, ...fast }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect(server.requests).toHaveLength(1);
    expect((err as EngineError).code).toBe('model_server_rejected');
    expect((err as EngineError).message).toMatch(/HTTP 422.*not a multiple of 8/);
  });

  it('times out a server that does not answer', async () => {
    server = await startServer(() => {});
    const err = await createA1111TextToImageEngine({ url: server.url, timeoutMs: 200, retries: 0 }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_timeout');
    expect((err as EngineError).message).toMatch(/did not answer within 200 ms/);
  });

  it('stops waiting when the job is cancelled', async () => {
    const controller = new AbortController();
    // Cancelled once the request is at the server, which never answers.
    server = await startServer(() => controller.abort());
    const err = await createA1111TextToImageEngine({ url: server.url, timeoutMs: 10_000 })
      .generate(request, { signal: controller.signal, progress: () => {} })
      .catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('cancelled');
  });

  it('reports a server that is down as model_server_unavailable', async () => {
    const url = await deadUrl();
    const err = await createA1111TextToImageEngine({ url, ...fast }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_unavailable');
    expect((err as EngineError).message).toMatch(/is unreachable \(ECONNREFUSED\) after 3 attempt/);
  });

  it('stops reading an answer over the size limit', async () => {
    server = await startServer(async (req, res) => sendJson(res, 200, await txt2imgAnswer(req.body)));
    const err = await createA1111TextToImageEngine({ url: server.url, ...fast, maxResponseBytes: 100 }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_response_too_large');
  });

  it('rejects an answer without images as model_server_bad_response', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { images: [], parameters: {}, info: '{}' }));
    const err = await createA1111TextToImageEngine({ url: server.url, ...fast }).generate(request, detachedContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('model_server_bad_response');
  });
});
