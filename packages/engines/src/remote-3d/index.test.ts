/** The Hunyuan3D-2 adapter against a local server speaking its /generate request and GLB answer, failures included. */
import { validateBytes } from 'gltf-validator';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, sendJson, startServer, type TestServer } from '../../test/http-server.js';
import { drawImage } from '../../test/images.js';
import { cube } from '../../test/meshes.js';
import { glbOf } from '../../test/model-glb.js';
import { createCpuImageTo3dEngine } from '../cpu-engine/index.js';
import { EngineError, type CutOut } from '../engine.js';
import { modelToPixel } from '../mesh/image-frame.js';
import { detachedContext } from '../stage-context.js';
import { createRemoteImageTo3dEngine } from './index.js';

const ctx = detachedContext();
// Retries without waiting; the timeout is generous, since only the tests named so test it.
const fast = { timeoutMs: 20_000, retries: 1, backoffMs: () => 10 };
let cutout: CutOut;
let glb: Uint8Array;
let server: TestServer | undefined;

beforeAll(async () => {
  cutout = await createCpuImageTo3dEngine().removeBackground(await drawImage({ size: 128, shape: 'square' }), ctx);
  glb = await glbOf(cube(4), { soup: true, scale: 2, translation: [-1, -1, -1] });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers like the Hunyuan3D-2 api_server: the GLB file on success. */
const sendGlb = (res: import('node:http').ServerResponse, body: Uint8Array): void => {
  res.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': body.byteLength });
  res.end(body);
};

describe('remote image-to-3D adapter (Hunyuan3D-2 API)', () => {
  it('sends the cut-out and turns the returned GLB into a mesh over the subject', async () => {
    server = await startServer((_req, res) => sendGlb(res, glb));
    const engine = createRemoteImageTo3dEngine({ url: server.url, ...fast });
    const mesh = await engine.generateShape(cutout, { quality: 'medium' }, ctx);
    const sent = server.requests[0]!;
    expect([sent.method, sent.path]).toEqual(['POST', '/generate']);
    expect(sent.body).toMatchObject({ octree_resolution: 256, texture: false, type: 'glb' });
    const image = await sharp(Buffer.from(sent.body.image as string, 'base64')).metadata();
    expect([image.format, image.width, image.height, image.hasAlpha]).toEqual(['png', 128, 128, true]);
    expect(mesh.indices.length).toBe(cube(4).indices.length);
    // The server's cube (2 units wide at an offset) now covers the subject square: pixels 32..96.
    const xs = Array.from({ length: mesh.positions.length / 3 }, (_, v) => modelToPixel(mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, cutout)[0]);
    expect(Math.min(...xs)).toBeCloseTo(32, 0);
    expect(Math.max(...xs)).toBeCloseTo(96, 0);
    // Its front view matches the subject (IoU ~1); only its 192 triangles cost score.
    expect(mesh.quality.issues.map((i) => i.issueType)).toEqual(['coarse_mesh']);
    expect(mesh.quality.score).toBeCloseTo(0.8 + (0.2 * 192) / 500, 2);
  });

  it('textures, repairs and exports the remote mesh into a valid, watertight GLB', async () => {
    server = await startServer((_req, res) => sendGlb(res, glb));
    const engine = createRemoteImageTo3dEngine({ url: server.url, ...fast });
    const mesh = await engine.generateShape(cutout, { quality: 'low' }, ctx);
    const out = await engine.exportModel(await engine.generateTexture(mesh, cutout, ctx), 'glb', ctx);
    // Every corner was its own vertex: welding joined them into a closed surface.
    expect(out.quality.repairs.weld_vertices).toBeGreaterThan(0);
    expect(out.quality.checks).toEqual({ manifold: true, watertight: true, printable: true });
    expect((await validateBytes(out.files[0]!.data)).issues.numErrors).toBe(0);
  });

  it('retries a 5xx and uses the next answer', async () => {
    server = await startServer((_req, res, i) => (i === 0 ? sendJson(res, 502, { detail: 'bad gateway' }) : sendGlb(res, glb)));
    const mesh = await createRemoteImageTo3dEngine({ url: server.url, ...fast }).generateShape(cutout, { quality: 'low' }, ctx);
    expect(server.requests).toHaveLength(2);
    expect(mesh.indices.length).toBeGreaterThan(0);
  });

  it("maps the server's own generation failure (404 {text, error_code}) to model_server_error", async () => {
    server = await startServer((_req, res) => sendJson(res, 404, { text: '**NETWORK ERROR DUE TO HIGH TRAFFIC.**', error_code: 1 }));
    const err = await createRemoteImageTo3dEngine({ url: server.url, ...fast }).generateShape(cutout, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_error');
    expect((err as EngineError).message).toMatch(/could not generate a shape: \*\*NETWORK ERROR/);
    expect((err as EngineError).stage).toBe('shape_generation');
  });

  it('times out a server that does not answer', async () => {
    server = await startServer(() => {});
    const err = await createRemoteImageTo3dEngine({ url: server.url, timeoutMs: 200 }).generateShape(cutout, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_timeout');
  });

  it('fails with model_server_unavailable when the server is down', async () => {
    const err = await createRemoteImageTo3dEngine({ url: await deadUrl(), ...fast }).generateShape(cutout, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('model_server_unavailable');
    expect((err as EngineError).message).toMatch(/Hunyuan3D model server at http:\/\/127\.0\.0\.1:\d+\/generate is unreachable/);
  });

  it('falls back to the CPU shape when the server is down, and says so in the quality issues', async () => {
    const engine = createRemoteImageTo3dEngine({ url: await deadUrl(), ...fast, fallback: createCpuImageTo3dEngine() });
    const mesh = await engine.generateShape(cutout, { quality: 'low' }, ctx);
    expect(mesh.indices.length).toBeGreaterThan(0);
    expect(mesh.quality.issues.map((i) => i.issueType)).toContain('model_server_fallback');
    expect(mesh.fallback).toMatchObject({ engine: 'cpu-relief', reason: expect.stringMatching(/is unreachable/) });
  });

  it('has an identity that changes with every setting that changes its output', async () => {
    const url = await deadUrl();
    const identity = (o: object) => createRemoteImageTo3dEngine({ url, ...o }).identity;
    expect(identity({})).toMatch(/^hunyuan3d-remote@\d+\.\d+\.\d+ /);
    expect(new Set([identity({}), identity({ seed: 7 }), identity({ steps: 30 }), identity({ octreeResolution: { low: 64 } })]).size).toBe(4);
    expect(createRemoteImageTo3dEngine({ url: 'http://127.0.0.2:1' }).identity).not.toBe(identity({}));
    // A timeout changes how long it waits, not what it makes.
    expect(identity({ timeoutMs: 5 })).toBe(identity({}));
  });

  it('stops reading a streamed answer past the size limit', async () => {
    server = await startServer((_req, res) => {
      // chunked, no content-length: the limit has to be enforced while reading
      res.writeHead(200, { 'content-type': 'model/gltf-binary' });
      res.write(glb);
      res.end(glb);
    });
    const err = await createRemoteImageTo3dEngine({ url: server.url, ...fast, maxResponseBytes: glb.byteLength + 10 }).generateShape(cutout, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_response_too_large');
  });

  it('rejects a 200 answer that is not a GLB', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { status: 'completed' }));
    const err = await createRemoteImageTo3dEngine({ url: server.url, ...fast }).generateShape(cutout, { quality: 'low' }, ctx).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('model_server_bad_response');
    expect((err as EngineError).message).toMatch(/expected a GLB body, got application\/json/);
  });
});
