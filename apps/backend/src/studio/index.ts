/**
 * The studio page at `/`: @orfeas/studio's built files (apps/studio/dist). Hashed assets are
 * cached for a year; index.html is revalidated on every load, so a new build shows at once.
 * ORFEAS_STUDIO=off leaves `/` out; a studio that was not built answers 404 saying how to build it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app/env.js';
import { ApiError } from '../errors/index.js';

export const STUDIO_BUILD_COMMAND = 'npm run build -w @orfeas/studio';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The folder of the built studio, or undefined when it is not installed or not built. */
export function studioDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@orfeas/studio/package.json');
    const dist = path.join(path.dirname(manifest), 'dist');
    return existsSync(path.join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

export function studioRoutes(dir: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  if (!dir) {
    app.get('/', () => {
      throw new ApiError(404, 'studio_not_built', `the studio page is not built: run \`${STUDIO_BUILD_COMMAND}\` (or \`npm run build\`), or set ORFEAS_STUDIO=off`);
    });
    return app;
  }
  // serveStatic's onFound runs after the response is made, so the header goes on what it returns.
  const cached = (cacheControl: string, options: Parameters<typeof serveStatic<AppEnv>>[0]): MiddlewareHandler<AppEnv> => {
    const serve = serveStatic<AppEnv>({ root: dir, ...options });
    return async (c, next) => {
      const res = await serve(c, next);
      if (res instanceof Response && res.status === 200) res.headers.set('Cache-Control', cacheControl);
      return res;
    };
  };
  const page = cached('no-cache', { path: 'index.html' });
  app.get('/', page);
  app.get('/index.html', page);
  app.get('/assets/*', cached(IMMUTABLE, {}));
  // Files Vite copies from public/ as they are (the icon): cached for an hour, not for ever.
  app.get('/favicon.svg', cached('public, max-age=3600', { path: 'favicon.svg' }));
  return app;
}
