/**
 * The stage runner: runs one job's stages in order over an engine, timing each with the
 * catalog's pipeline metrics and turning the engine's progress into progress / stage_change
 * events with an ETA. A job asked to stop (cancelled, or the service shutting down) stops at
 * the next stage boundary; once its signal is aborted (a cancel, or the shutdown grace spent)
 * the stage in progress ends at once: the engine gets the abort, and the job does not wait for it.
 * With a GPU cost meter, each stage that ends (done or failed) is measured too; its cost is
 * recorded when the sampler has covered it, and the next stage does not wait for that.
 */
import type { GpuJobCost } from '@orfeas/gpu-sampler';
import { startStageTimer, type Metrics } from '@orfeas/metrics';
import type { Stage } from '@orfeas/metrics/catalog';
import type { StageContext } from '@orfeas/engines';
import { recordStageGpuCost } from '../gpu/cost.js';
import type { JobEvents } from '../jobs/events.js';
import type { StageDurations } from './eta.js';

/** Why a job stopped. */
export type StopReason = 'cancelled' | 'shutdown';

/** Thrown when a job stops before its end: at a stage boundary, or with its stage cut short. */
export class JobStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped: ${reason}`);
    this.name = 'JobStopped';
  }
}

export interface StageRunnerOptions {
  jobId: string;
  stages: readonly Stage[];
  metrics: Metrics;
  durations: StageDurations;
  events: JobEvents;
  /** Aborted when running work must end now (a cancel, or the shutdown grace spent); engines get it too. */
  signal: AbortSignal;
  /** Asked at each stage boundary, and for the reason once the signal is aborted. */
  stopRequested: () => StopReason | null;
  /** Called when a stage starts, so the store can record it. */
  onStage?: (stage: Stage, timings: Partial<Record<Stage, number>>) => void;
  /** The job's GPU cost meter, for the cost of each stage (pipeline_stage_gpu_seconds). */
  gpuCost?: GpuJobCost;
  /** Called when a stage's GPU cost could not be measured. */
  onCostError?: (stage: Stage, error: unknown) => void;
}

/** Minimum change of a stage's progress before another progress event goes out. */
const PROGRESS_STEP = 0.05;

export class StageRunner {
  readonly timings: Partial<Record<Stage, number>> = {};
  private previous: Stage | null = null;

  constructor(private readonly options: StageRunnerOptions) {}

  async run<T>(stage: Stage, work: (ctx: StageContext) => Promise<T>): Promise<T> {
    const { stages, metrics, durations, events, jobId, signal } = this.options;
    const stop = this.options.stopRequested();
    if (stop) throw new JobStopped(stop);
    if (signal.aborted) throw this.stopped();

    const index = stages.indexOf(stage);
    const started = performance.now();
    const snapshot = (fraction: number) => ({
      jobId,
      stage,
      stageIndex: index,
      stageCount: stages.length,
      stageProgress: fraction,
      progress: (index + fraction) / stages.length,
      etaSeconds: durations.eta(stages, index, (performance.now() - started) / 1000, fraction),
    });
    this.options.onStage?.(stage, this.timings);
    events.stageChange({ ...snapshot(0), previousStage: this.previous });
    this.previous = stage;

    let sent = 0;
    const ctx: StageContext = {
      signal,
      progress: (fraction: number) => {
        const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
        if (f - sent < PROGRESS_STEP && f < 1) return;
        sent = f;
        events.progress(snapshot(f));
      },
    };

    const timer = startStageTimer(metrics, stage);
    const gpu = this.options.gpuCost?.startStage();
    const measured = () => {
      gpu?.end().then(
        (cost) => cost && recordStageGpuCost(metrics, stage, cost),
        (error: unknown) => this.options.onCostError?.(stage, error),
      );
    };
    let output: T;
    let onAbort: (() => void) | undefined;
    try {
      const working = work(ctx);
      // Whatever the engine does after an abort (finish, or throw its own `cancelled`) is not waited for.
      working.catch(() => {});
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(this.stopped());
        signal.addEventListener('abort', onAbort, { once: true });
      });
      output = await Promise.race([working, aborted]);
    } catch (error) {
      // A stop is neither an error of the stage nor a duration of its work.
      if (signal.aborted) {
        timer.cancel();
        throw error instanceof JobStopped ? error : this.stopped();
      }
      timer.fail(error);
      measured();
      throw error;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    const seconds = timer.end();
    measured();
    this.timings[stage] = seconds;
    durations.add(stage, seconds);
    if (sent < 1) events.progress(snapshot(1));
    return output;
  }

  private stopped(): JobStopped {
    return new JobStopped(this.options.stopRequested() ?? 'shutdown');
  }
}
