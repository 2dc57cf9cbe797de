/**
 * The result cache stays right: its key holds the engine's identity (a result of another
 * engine, version or setting is not served), a result a fallback made is never cached, and
 * results say which engine made them and how.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCpuImageTo3dEngine, detachedContext } from '@orfeas/engines';
import { afterEach, expect, it } from 'vitest';
import { loadConfig, startServer, type RunningServer } from '../src/index.js';
import { subjectImage } from './support/images.js';
import { startTestServer, submitImage, tempDataDir, waitForState } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

const servers: RunningServer[] = [];
let modelServer: Server | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  modelServer?.closeAllConnections();
  await new Promise((resolve) => (modelServer ? modelServer.close(resolve) : resolve(undefined)));
  modelServer = undefined;
});

const generate = async (url: string, image: Uint8Array) =>
  waitForState(url, ((await (await submitImage(url, image, { format: 'glb' })).json()) as any).jobId, ['completed', 'failed']);

it('does not serve a result another engine made', async () => {
  const dataDir = tempDataDir();
  const image = await subjectImage('png', 64, 150);
  const on = async (identity: string) => {
    const engines = createTestEngines();
    const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ORFEAS_DATA_DIR: dataDir, ORFEAS_GPU: 'off', LOG_LEVEL: 'silent' }), {
      engines: { ...engines, imageTo3d: { ...engines.imageTo3d, identity } },
    });
    try {
      const job = await generate(server.url, image);
      expect(job.state).toBe('completed');
      return job.cached as boolean;
    } finally {
      await server.close();
    }
  };
  expect(await on('engine-a@1')).toBe(false);
  expect(await on('engine-a@1')).toBe(true);
  // Another engine (or version, or setting) on the same data directory makes its own result.
  expect(await on('engine-b@1')).toBe(false);
  expect(await on('engine-a@1')).toBe(true);
});

it('never caches what a fallback made while the model server was down, and caches it once the server is back', async () => {
  // A port nothing listens on yet: the model server is down.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));

  const server = await startTestServer({ ORFEAS_3D_SERVER_URL: `http://127.0.0.1:${port}` });
  servers.push(server);
  const image = await subjectImage('png', 96, 160);
  const degraded = await generate(server.url, image);
  expect(degraded.state).toBe('completed');
  expect(degraded.result).toMatchObject({ engine: 'hunyuan3d-remote', fallback: true, fallbackReason: expect.stringContaining('cpu-relief made the shape') });
  expect((await generate(server.url, image)).cached).toBe(false);

  // The server comes back, answering with a real GLB (the CPU engine's own export of the image).
  const cpu = createCpuImageTo3dEngine();
  const ctx = detachedContext();
  const cutout = await cpu.removeBackground(image, ctx);
  const model = await cpu.exportModel(await cpu.generateTexture(await cpu.generateShape(cutout, { quality: 'low' }, ctx), cutout, ctx), 'glb', ctx);
  const glb = model.files[0]!.data;
  modelServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': glb.byteLength }).end(glb));
  });
  await new Promise<void>((resolve) => modelServer!.listen(port, '127.0.0.1', resolve));

  const served = await generate(server.url, image);
  expect(served.result).toMatchObject({ engine: 'hunyuan3d-remote' });
  expect(served.result).not.toHaveProperty('fallback');
  expect(served.cached).toBe(false);
  expect((await generate(server.url, image)).cached).toBe(true);
});

it('says a text-to-image result was drawn by the procedural engine', async () => {
  const server = await startTestServer();
  servers.push(server);
  const res = await fetch(`${server.url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a paper boat', style: 'sketch', width: 64, height: 64, seed: 5 }),
  });
  const job = await waitForState(server.url, ((await res.json()) as any).jobId, ['completed', 'failed']);
  expect(job.result).toMatchObject({ engine: 'procedural', procedural: true });
});
