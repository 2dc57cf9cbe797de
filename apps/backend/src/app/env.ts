/** The Hono environment of the backend's routes: the request id and a logger bound to it. */
import type { Logger } from 'pino';

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
  };
}
