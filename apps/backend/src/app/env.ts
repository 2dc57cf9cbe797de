/**
 * The Hono environment of the backend's routes: the request id, a logger bound to it, the
 * client's address (behind trusted proxies, from X-Forwarded-For) and, with API keys on, the
 * name of the caller's key.
 */
import type { Logger } from 'pino';

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    clientAddress: string;
    apiKey?: string;
  };
}
