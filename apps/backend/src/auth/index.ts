/**
 * Who may call, when API keys are on: every /api route needs `Authorization: Bearer <key>`
 * (401 with a JSON body without one), and a key sees only the jobs it submitted. The key's
 * name, never the key, is what jobs, logs and the rate limit know a caller by.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app/env.js';
import { ApiError } from '../errors/index.js';
import type { Job } from '../store/index.js';
import type { ApiKeys } from './api-keys.js';

export type { ApiKeys } from './api-keys.js';

/** The key of an `Authorization: Bearer <key>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1];
}

/** Why a presented key (or none) is refused, or the name of the key. */
export function authenticate(keys: ApiKeys, key: string | undefined): { name: string } | { refused: string } {
  if (!key) return { refused: 'this API needs a key: send Authorization: Bearer <key>' };
  const name = keys.verify(key);
  return name ? { name } : { refused: 'the API key is not one of this service\'s keys' };
}

export function requireApiKey(keys: ApiKeys): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const outcome = authenticate(keys, bearerToken(c.req.header('authorization')));
    if ('refused' in outcome) {
      c.header('WWW-Authenticate', 'Bearer realm="orfeas"');
      throw new ApiError(401, 'unauthorized', outcome.refused);
    }
    c.set('apiKey', outcome.name);
    await next();
  };
}

/** Whether the caller (its key's name; undefined with keys off) may see a job. */
export function visibleTo(job: Pick<Job, 'owner'>, apiKey: string | undefined): boolean {
  return apiKey === undefined || job.owner === apiKey;
}
