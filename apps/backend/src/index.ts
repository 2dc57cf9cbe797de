/** @orfeas/backend: the ORFEAS generation service, for embedding and for tests. */
export { createApp, VERSION, type Backend, type CreateAppOptions } from './app/create-app.js';
export { startServer, type RunningServer } from './app/server.js';
export { loadConfig, ConfigError, type Config } from './config/index.js';
export type { Engines } from './jobs/engines.js';
export type { Job, JobState, JobType } from './store/index.js';
export type { JobView } from './jobs/view.js';
export { RECEIVED as WS_CLIENT_EVENTS, PONG as WS_PONG, MAX_GPU_HZ } from './ws/protocol.js';
