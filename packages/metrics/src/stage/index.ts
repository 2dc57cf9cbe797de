/**
 * Pipeline stage tracking: the duration histogram, the in-progress gauge and the error
 * counter of one stage run, kept consistent whether the stage returns, throws or is ended twice.
 */
import type { Stage } from '../catalog.js';
import { errorType as defaultErrorType, sanitizeErrorType } from '../error-type/index.js';
import type { MetricsWith } from '../registry/create-metrics.js';

export interface StageTimer {
  /** Ends the stage as done: observes its duration. Returns the seconds it took. */
  end(): number;
  /** Ends the stage as failed: observes its duration and counts the error. */
  fail(error: unknown): number;
  /**
   * Ends a stage that was stopped (its job cancelled, the service shutting down): it leaves
   * the in-progress gauge, but is neither an error nor a duration of the stage's work.
   */
  cancel(): number;
}

export interface TrackStageOptions {
  /** The error_type label of a failure (default: the error's code or name, snake_case). */
  errorType?: (error: unknown) => string;
}

/** Starts timing one run of a stage; the first end(), fail() or cancel() wins, later calls change nothing. */
export function startStageTimer(metrics: MetricsWith<'pipeline'>, stage: Stage, options: TrackStageOptions = {}): StageTimer {
  const { stageDurationSeconds, stagesInProgress, stageErrorsTotal } = metrics.pipeline;
  const labels = { stage };
  const started = performance.now();
  let seconds: number | undefined;
  stagesInProgress.inc(labels);

  const finish = (observe = true): number => {
    if (seconds !== undefined) return seconds;
    seconds = (performance.now() - started) / 1000;
    stagesInProgress.dec(labels);
    if (observe) stageDurationSeconds.observe(labels, seconds);
    return seconds;
  };

  return {
    end: () => finish(),
    cancel: () => finish(false),
    fail(error) {
      if (seconds !== undefined) return seconds;
      const type = options.errorType ? sanitizeErrorType(options.errorType(error)) : defaultErrorType(error);
      stageErrorsTotal.inc({ stage, error_type: type });
      return finish();
    },
  };
}

/** Runs fn as one run of a stage; a failure is counted and re-thrown unchanged. */
export async function trackStage<T>(
  metrics: MetricsWith<'pipeline'>,
  stage: Stage,
  fn: () => Promise<T> | T,
  options: TrackStageOptions = {},
): Promise<T> {
  const timer = startStageTimer(metrics, stage, options);
  try {
    const result = await fn();
    timer.end();
    return result;
  } catch (error) {
    timer.fail(error);
    throw error;
  }
}
