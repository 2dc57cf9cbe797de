/** The rate limiter's memory: windows end, and a flood of client addresses evicts the oldest. */
import { Hono } from 'hono';
import { createMetrics } from '@orfeas/metrics';
import { expect, it } from 'vitest';
import { rateLimit } from './index.js';

function limitedApp(options: { limit: number; windowMs: number; maxClients: number }) {
  const limiter = rateLimit({ ...options, metrics: createMetrics(), clientOf: (c) => c.req.header('x-client') ?? 'none' });
  const app = new Hono().post('/work', limiter, (c) => c.text('ok'));
  const post = async (client: string) => (await app.request('/work', { method: 'POST', headers: { 'x-client': client } })).status;
  return { limiter, post };
}

it('keeps at most maxClients windows, evicting the oldest client', async () => {
  const { limiter, post } = limitedApp({ limit: 1, windowMs: 60_000, maxClients: 3 });
  expect([await post('a'), await post('b'), await post('a')]).toEqual([200, 200, 429]);
  for (let i = 0; i < 1000; i++) expect(await post(`flood-${i}`)).toBe(200);
  expect(limiter.trackedClients).toBe(3);
  // `a` was evicted by the flood: counted afresh.
  expect(await post('a')).toBe(200);
  expect(await post('a')).toBe(429);
});

it('forgets clients whose window has ended', async () => {
  const { limiter, post } = limitedApp({ limit: 1, windowMs: 100, maxClients: 100 });
  for (let i = 0; i < 50; i++) await post(`c-${i}`);
  expect(limiter.trackedClients).toBe(50);
  const deadline = Date.now() + 10_000;
  while (limiter.trackedClients > 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 150));
    await post('late');
  }
  expect(limiter.trackedClients).toBe(1);
});
