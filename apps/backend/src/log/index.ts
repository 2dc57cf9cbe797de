/** Structured logs: pino, JSON lines on stdout, one child logger per request and per job. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config/index.js';

export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { service: 'orfeas-backend' }, timestamp: pino.stdTimeFunctions.isoTime });
}
