/**
 * The stage runner: runs one job's stages in order over an engine, timing each with the
 * catalog's pipeline metrics and turning the engine's progress into progress / stage_change
 * events with an ETA. Between stages it checks whether the job should stop (cancelled, or the
 * service shutting down): a running stage is never cut short by a cancel.
 */
import { startStageTimer, type Metrics, type Stage } from '@orfeas/metrics';
import type { StageContext } from '@orfeas/engines';
import type { JobEvents } from '../jobs/events.js';
import type { StageDurations } from './eta.js';

/** Why a job stopped at a stage boundary. */
export type StopReason = 'cancelled' | 'shutdown';

/** Thrown at a stage boundary when the job was asked to stop. */
export class StageBoundaryStop extends Error {
  constructor(readonly reason: StopReason) {
    super(`job stopped at a stage boundary: ${reason}`);
    this.name = 'StageBoundaryStop';
  }
}

export interface StageRunnerOptions {
  jobId: string;
  stages: readonly Stage[];
  metrics: Metrics;
  durations: StageDurations;
  events: JobEvents;
  /** Aborted when running work must end now (shutdown grace spent); engines' long loops check it. */
  signal: AbortSignal;
  /** Asked at each stage boundary. */
  stopRequested: () => StopReason | null;
  /** Called when a stage starts, so the store can record it. */
  onStage?: (stage: Stage, timings: Partial<Record<Stage, number>>) => void;
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
    if (stop) throw new StageBoundaryStop(stop);
    if (signal.aborted) throw new StageBoundaryStop('shutdown');

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
    let output: T;
    try {
      output = await work(ctx);
    } catch (error) {
      timer.fail(error);
      throw error;
    }
    const seconds = timer.end();
    this.timings[stage] = seconds;
    durations.add(stage, seconds);
    if (sent < 1) events.progress(snapshot(1));
    return output;
  }
}
