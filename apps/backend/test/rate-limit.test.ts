/** The per-client rate limit on the routes that start work: 429 past the limit, counted per route. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { scrape, valueOf } from './support/scrape.js';
import { startTestServer } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ ORFEAS_RATE_LIMIT: '3', ORFEAS_RATE_LIMIT_WINDOW_MS: '60000' }, createTestEngines());
});
afterAll(() => server?.close());

it('answers 429 with Retry-After past the limit, and leaves reads alone', async () => {
  const post = () =>
    fetch(`${server.url}/api/v1/text-to-image`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a boat', style: 'anime', width: 64, height: 64 }),
    });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await post()).status);
  expect(statuses).toEqual([202, 202, 202, 429, 429]);

  const refused = await post();
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await refused.json()) as any).error).toMatchObject({ code: 'rate_limited' });
  expect((await fetch(`${server.url}/health`)).status).toBe(200);

  const samples = await scrape(server.url);
  expect(valueOf(samples, 'rate_limit_rejections_total', { route: '/api/v1/text-to-image' })).toBe(3);
  expect(valueOf(samples, 'http_requests_total', { route: '/api/v1/text-to-image', status: '429' })).toBe(3);
});
