/**
 * Every bad input of the API gets a 4xx naming the problem, is counted in
 * validation_errors_total or errors_total, and leaves the worker pool working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { declaredSizePng, noiseImage, pixelBomb, subjectImage } from './support/images.js';
import { scrape, valueOf } from './support/scrape.js';
import { startTestServer, submitImage, waitForState } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ ORFEAS_MAX_UPLOAD_BYTES: '200000', ORFEAS_MAX_IMAGE_PIXELS: '1000000', ORFEAS_RATE_LIMIT: '0' }, createTestEngines());
});
afterAll(() => server?.close());

const json = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

const textBody = (fields: Record<string, unknown>) =>
  JSON.stringify({ prompt: 'a lighthouse', style: 'sketch', width: 128, height: 128, ...fields });

/**
 * Sends a request that must be refused: checks the answer, and that the refusal was counted
 * once, as a validation error when a field is to blame (unknown fields under `body`), else in
 * errors_total. Each refusal is checked on its own, so no test leans on another's counts.
 */
async function expectRefusal(send: () => Promise<Response>, status: number, code: string, field?: string) {
  const before = await scrape(server.url);
  const res = await send();
  expect(res.status).toBe(status);
  const body = (await res.json()) as any;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (field) expect(body.error.field).toBe(field);
  const after = await scrape(server.url);
  const moved = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
  const counted = field ? { field: code === 'unknown_field' ? 'body' : field, error_type: code } : undefined;
  expect(counted ? moved('validation_errors_total', counted) : 0).toBe(counted ? 1 : 0);
  expect(moved('errors_total', { type: code })).toBe(counted ? 0 : 1);
  return body.error;
}

describe('image uploads', () => {
  it('refuses a file that is not an image, counted as a rejected upload', async () => {
    const rejected = async () => valueOf(await scrape(server.url), 'image_uploads_total', { format: 'unknown', status: 'rejected' });
    const before = await rejected();
    const error = await expectRefusal(() => submitImage(server.url, new TextEncoder().encode('just some text')), 415, 'not_an_image', 'image');
    expect(error.message).toMatch(/PNG, JPEG or WebP/);
    expect((await rejected()) - before).toBe(1);
  });

  it('refuses truncated PNG, JPEG and WebP files', async () => {
    for (const [format, type] of [['png', 'image/png'], ['jpeg', 'image/jpeg'], ['webp', 'image/webp']] as const) {
      const whole = await noiseImage(format);
      await expectRefusal(() => submitImage(server.url, whole.subarray(0, Math.floor(whole.length * 0.6)), {}, type), 400, 'truncated_image', 'image');
    }
  });

  it('refuses an image over the byte limit and one whose header declares too many pixels', async () => {
    const big = await noiseImage('png', 400, 400);
    expect(big.length).toBeGreaterThan(200_000);
    await expectRefusal(() => submitImage(server.url, big), 413, 'too_large', 'image');
    const bomb = await pixelBomb(5000, 5000);
    expect(bomb.length).toBeLessThan(200_000);
    const error = await expectRefusal(() => submitImage(server.url, bomb), 413, 'too_many_pixels', 'image');
    expect(error.message).toContain('5000x5000');
    // Past sharp's own limit too: still too many pixels, not an unreadable header.
    const huge = await expectRefusal(() => submitImage(server.url, declaredSizePng(60_000, 60_000)), 413, 'too_many_pixels', 'image');
    expect(huge.message).toContain('60000x60000');
  });

  it('refuses an image whose declared type is not its content', async () => {
    const image = await subjectImage('png');
    const error = await expectRefusal(() => submitImage(server.url, image, {}, 'image/jpeg'), 400, 'format_mismatch', 'image');
    expect(error.message).toContain('png');
  });

  it('refuses a wrong format or quality and missing fields', async () => {
    const image = await subjectImage('png');
    expect((await expectRefusal(() => submitImage(server.url, image, { format: 'fbx' }), 400, 'invalid_value', 'format')).message).toContain('glb, obj, stl, ply');
    await expectRefusal(() => submitImage(server.url, image, { quality: 'ultra' }), 400, 'invalid_value', 'quality');
    const noImage = new FormData();
    noImage.set('format', 'glb');
    noImage.set('quality', 'low');
    await expectRefusal(() => fetch(`${server.url}/api/v1/generations`, { method: 'POST', body: noImage }), 400, 'missing_field', 'image');
    const noFormat = new FormData();
    noFormat.set('image', new Blob([image], { type: 'image/png' }), 'a.png');
    noFormat.set('quality', 'low');
    const missing = await expectRefusal(() => fetch(`${server.url}/api/v1/generations`, { method: 'POST', body: noFormat }), 400, 'missing_field', 'format');
    expect(missing.message).toContain('glb, obj, stl, ply');
    await expectRefusal(() => json('/api/v1/generations', '{}'), 415, 'unsupported_media_type', 'body');
  });
});

describe('text-to-image requests', () => {
  it('refuses invalid JSON, missing fields, wrong values and unknown fields', async () => {
    await expectRefusal(() => json('/api/v1/text-to-image', '{"prompt": "a cat",'), 400, 'invalid_json', 'body');
    await expectRefusal(() => json('/api/v1/text-to-image', '[1, 2]'), 400, 'invalid_type', 'body');
    await expectRefusal(() => json('/api/v1/text-to-image', JSON.stringify({ style: 'sketch', width: 128, height: 128 })), 400, 'missing_field', 'prompt');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ style: 'cubism' })), 400, 'invalid_value', 'style');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ width: 10_000 })), 400, 'out_of_range', 'width');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ height: 64.5 })), 400, 'invalid_type', 'height');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ seed: -1 })), 400, 'out_of_range', 'seed');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ prompt: '   ' })), 400, 'out_of_range', 'prompt');
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({ steps: 50 })), 400, 'unknown_field', 'steps');
    // Made-up keys are named in the answer but counted under one label value.
    for (let i = 0; i < 60; i++) await expectRefusal(() => json('/api/v1/text-to-image', textBody({ [`junk${i}`]: 1 })), 400, 'unknown_field', `junk${i}`);
    await expectRefusal(() => json('/api/v1/text-to-image', textBody({}), 'text/plain'), 415, 'unsupported_media_type', 'body');
  });
});

describe('job ids', () => {
  it('answers 404 for an unknown job and 400 for ids that are not UUIDs', async () => {
    const unknown = '3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59';
    await expectRefusal(() => fetch(`${server.url}/api/v1/jobs/${unknown}`), 404, 'job_not_found');
    await expectRefusal(() => fetch(`${server.url}/api/v1/jobs/${unknown}/result`), 404, 'job_not_found');
    await expectRefusal(() => fetch(`${server.url}/api/v1/jobs/${unknown}`, { method: 'DELETE' }), 404, 'job_not_found');
    for (const trick of ['..%2F..%2Fetc%2Fpasswd', '%252E%252E%252Forfeas.db', '..%5C..%5Corfeas.db', 'orfeas.db', '3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59%00']) {
      await expectRefusal(() => fetch(`${server.url}/api/v1/jobs/${trick}/result`), 400, 'invalid_job_id', 'id');
    }
    // A client that normalises `..` asks for another path, which no route matches.
    await expectRefusal(() => fetch(`${server.url}/api/v1/jobs/../../orfeas.db`), 404, 'route_not_found');
  });
});

describe('after all of that', () => {
  it('counted no refusal as an internal fault and still runs jobs', async () => {
    const samples = await scrape(server.url);
    expect(valueOf(samples, 'errors_total', { type: 'internal' })).toBe(0);
    expect(valueOf(samples, 'validation_errors_total', { field: 'other' })).toBe(0);
    expect(valueOf(samples, 'metrics_label_overflow_total', { metric: 'validation_errors_total' })).toBe(0);

    const res = await submitImage(server.url, await subjectImage('png'));
    expect(res.status).toBe(202);
    const job = await waitForState(server.url, ((await res.json()) as any).jobId, ['completed', 'failed']);
    expect(job.state).toBe('completed');
  });
});
