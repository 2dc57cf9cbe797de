/**
 * The default wiring: the built-in engines of @orfeas/engines (CPU image-to-3D, procedural
 * text-to-image) behind the API, with their quality reports reaching the metrics.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IMAGE_TO_3D_STAGES } from '@orfeas/metrics/catalog';
import type { RunningServer } from '../src/index.js';
import { noiseImage, subjectImage } from './support/images.js';
import { scrape, valueOf } from './support/scrape.js';
import { nextEvent, socketClient, startTestServer, submitImage, waitForState } from './support/server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('turns an uploaded image into a graded GLB model', async () => {
  const before = await scrape(server.url);
  const socket = await socketClient(server.url);
  const res = await submitImage(server.url, await subjectImage('png', 160), { format: 'glb', quality: 'medium' });
  expect(res.status).toBe(202);
  const { jobId } = (await res.json()) as any;
  const done = nextEvent(socket, 'complete', (p) => p.jobId === jobId);
  await socket.emitWithAck('subscribe', { jobId });
  const complete = await done;
  socket.close();
  expect(complete.result.contentType).toBe('model/gltf-binary');
  expect(Object.keys(complete.stageTimings)).toEqual([...IMAGE_TO_3D_STAGES]);

  const job = await waitForState(server.url, jobId, ['completed']);
  // A crisp disc on a plain background: the CPU engine's model of it is whole and printable.
  expect(job.quality).toMatchObject({ grade: 'A+', printable: true, checks: { manifold: true, watertight: true, printable: true }, repairs: {} });
  expect(job.quality.scores.overall).toBeGreaterThan(0.9);
  expect(job.result).toMatchObject({ engine: 'cpu-relief' });
  const file = new Uint8Array(await (await fetch(`${server.url}/api/v1/jobs/${jobId}/result`)).arrayBuffer());
  expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('glTF');

  const after = await scrape(server.url);
  const moved = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
  expect(moved('quality_grade_total', { grade: job.quality.grade })).toBe(1);
  expect(moved('quality_checks_total', { check: 'manifold' })).toBe(1);
  expect(moved('quality_score_count', { stage: 'background_removal' })).toBe(1);
  expect(moved('generated_file_size_bytes_sum', { type: 'image_to_3d', format: 'glb' })).toBe(file.byteLength);
});

it('serves an OBJ with the MTL and texture it refers to', async () => {
  const res = await submitImage(server.url, await subjectImage('png', 128), { format: 'obj', quality: 'low' });
  const job = await waitForState(server.url, ((await res.json()) as any).jobId, ['completed', 'failed']);
  expect(job.state).toBe('completed');
  const obj = await (await fetch(`${server.url}${job.result.url}`)).text();
  const mtlName = /^mtllib (\S+)$/m.exec(obj)?.[1];
  expect(job.result.files.map((f: any) => f.name)).toEqual(['model.obj', mtlName, expect.stringMatching(/\.png$/)]);

  const mtlFile = job.result.files.find((f: any) => f.name === mtlName);
  const mtl = await fetch(`${server.url}${mtlFile.url}`);
  expect(mtl.status).toBe(200);
  const texture = /^map_Kd (\S+)$/m.exec(await mtl.text())?.[1];
  const png = await fetch(`${server.url}/api/v1/jobs/${job.id}/files/${texture}`);
  expect(png.status).toBe(200);
  expect(png.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

  for (const name of ['orfeas.db', '..%2F..%2Forfeas.db', 'model.stl']) {
    const refused = await fetch(`${server.url}/api/v1/jobs/${job.id}/files/${name}`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'unknown_file', field: 'name' });
  }
});

it('draws a text-to-image PNG of the requested size', async () => {
  const scored = async () => valueOf(await scrape(server.url), 'generation_quality_score_count', { type: 'text_to_image' });
  const before = await scored();
  const res = await fetch(`${server.url}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a lighthouse at dusk', style: 'cyberpunk', width: 96, height: 64, seed: 42 }),
  });
  const job = await waitForState(server.url, ((await res.json()) as any).jobId, ['completed', 'failed']);
  expect(job.state).toBe('completed');
  const png = Buffer.from(await (await fetch(`${server.url}${job.result.url}`)).arrayBuffer());
  expect(png.readUInt32BE(16)).toBe(96);
  expect(png.readUInt32BE(20)).toBe(64);
  expect((await scored()) - before).toBe(1);
});

it('takes an image whose data is corrupt behind a sound header, and fails its job as invalid_image', async () => {
  // Uploads are checked from their structure and header, not decoded twice: the engine's one
  // decode is where corrupt pixel data shows.
  const image = Buffer.from(await noiseImage('png', 120, 90));
  const idat = image.indexOf('IDAT');
  for (let i = idat + 40; i < idat + 400; i++) image[i] = image[i]! ^ 0x5a;
  const res = await submitImage(server.url, image);
  expect(res.status).toBe(202);
  const job = await waitForState(server.url, ((await res.json()) as any).jobId, ['completed', 'failed']);
  expect(job).toMatchObject({ state: 'failed', error: { code: 'invalid_image', stage: 'background_removal' } });
});
