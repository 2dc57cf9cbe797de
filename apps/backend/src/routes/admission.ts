/**
 * What a request that starts work passes before its body is read: the per-client rate limit
 * (429), then the free-space watermark (507 naming the free and the required bytes).
 */
import type { MiddlewareHandler } from 'hono';
import type { RateLimiter } from '../rate-limit/index.js';
import type { FreeSpace } from '../storage/free-space.js';

export function admission({ rateLimit, freeSpace }: { rateLimit: RateLimiter; freeSpace: FreeSpace }): MiddlewareHandler {
  return (c, next) =>
    rateLimit(c, async () => {
      freeSpace.requireRoom();
      await next();
    });
}
