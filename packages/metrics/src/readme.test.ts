/** The README's example of a service that isn't ORFEAS, run as it is written there. */
import type { ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { importBlock, readmeBlock } from '../test/readme.js';

describe('the README service example', () => {
  let server: ServerType | undefined;
  afterAll(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('records its own metric within bounds, beside only the families it took', async () => {
    const example = await importBlock<{ server: ServerType }>(
      readmeBlock('service example'),
      [
        ['serve({', 'const server = serve({'],
        ['port: 8080', "port: 0, hostname: '127.0.0.1'"],
      ],
      ['server'],
    );
    server = example.server;
    if (!server.listening) await new Promise((resolve) => server!.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const format of ['png', 'png', 'tiff']) expect((await fetch(`${url}/thumbnails/${format}`, { method: 'POST' })).status).toBe(201);

    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('thumbnails_rendered_total{format="png",service="thumbnails"} 2');
    expect(text).toContain('thumbnails_rendered_total{format="other",service="thumbnails"} 1');
    expect(text).toContain('metrics_label_overflow_total{metric="thumbnails_rendered_total",service="thumbnails"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/thumbnails/:format",status="201",service="thumbnails"} 3');
    expect(text).toMatch(/^system_memory_bytes\{/m);
    // Families it did not take are not there.
    expect(text).not.toContain('pipeline_stage_duration_seconds');
    expect(text).not.toContain('websocket_');
  });
});
