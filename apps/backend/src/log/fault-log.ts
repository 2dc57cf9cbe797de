/**
 * A fault that repeats (a full disk fails every claim and every write) is logged when it
 * starts, then at most once a minute with how often it recurred, and once when it clears:
 * log lines per second stay bounded however fast the fault recurs.
 */
import type { Logger } from 'pino';

const REPEAT_LOG_MS = 60_000;

interface Active {
  loggedAt: number;
  repeats: number;
}

export class FaultLog {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly log: Logger,
    private readonly repeatLogMs = REPEAT_LOG_MS,
  ) {}

  fault(key: string, details: object, message: string): void {
    const now = Date.now();
    const active = this.active.get(key);
    if (active && now - active.loggedAt < this.repeatLogMs) {
      active.repeats++;
      return;
    }
    this.log.error({ ...details, ...(active ? { repeatsSinceLastLog: active.repeats } : {}) }, message);
    this.active.set(key, { loggedAt: now, repeats: 0 });
  }

  clear(key: string, message: string): void {
    const active = this.active.get(key);
    if (!active) return;
    this.active.delete(key);
    this.log.info({ repeatsSinceLastLog: active.repeats }, message);
  }
}
