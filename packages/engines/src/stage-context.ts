/**
 * Cancellation for long stage loops: a stage checks its context between steps so that a
 * cancelled job stops promptly instead of finishing work nobody will read.
 */
import type { Stage } from '@orfeas/metrics/catalog';
import { EngineError, type StageContext } from './engine.js';

export function throwIfCancelled(ctx: StageContext, stage: Stage): void {
  if (ctx.signal.aborted) throw new EngineError('cancelled', `${stage} stopped: the job was cancelled`, stage);
}

/** A context for callers outside a job (tests, benchmarks, scripts): never cancelled, progress ignored. */
export function detachedContext(): StageContext {
  return { signal: new AbortController().signal, progress: () => {} };
}
