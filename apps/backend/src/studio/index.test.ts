import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../app/env.js';
import { ApiError, errorBody } from '../errors/index.js';
import { studioRoutes } from './index.js';

function built(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orfeas-studio-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>ORFEAS Studio</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

function app(dir: string | undefined) {
  const app = new Hono<AppEnv>();
  app.route('/', studioRoutes(dir));
  app.onError((err, c) => (err instanceof ApiError ? c.json(errorBody(err), err.status) : c.json({ error: String(err) }, 500)));
  return app;
}

describe('studio files', () => {
  it('serves index.html at / for revalidation, and hashed assets for a year', async () => {
    const studio = app(built());
    const page = await studio.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('ORFEAS Studio');
    const asset = await studio.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await studio.request('/assets/missing.js')).status).toBe(404);
    // A path that climbs out of the assets folder, encoded so the URL parser keeps it.
    expect((await studio.request('/assets/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });

  it('says how to build the studio when it is not built', async () => {
    const res = await app(undefined).request('/');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'studio_not_built', message: expect.stringContaining('npm run build -w @orfeas/studio') } });
  });
});
