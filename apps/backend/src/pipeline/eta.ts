/**
 * Stage durations: the recent durations of each stage, whose mean gives a job's ETA. Seeded
 * from the store at start so the first job after a restart already has an estimate.
 */
import type { Stage } from '@orfeas/metrics/catalog';

const RECENT = 20;

export class StageDurations {
  private readonly recent = new Map<Stage, number[]>();

  add(stage: Stage, seconds: number): void {
    const list = this.recent.get(stage) ?? [];
    list.push(seconds);
    if (list.length > RECENT) list.shift();
    this.recent.set(stage, list);
  }

  /** Mean of the recent durations of a stage, or undefined before the first one. */
  mean(stage: Stage): number | undefined {
    const list = this.recent.get(stage);
    if (!list || list.length === 0) return undefined;
    return list.reduce((a, b) => a + b, 0) / list.length;
  }

  /**
   * Seconds left for a job in `stages[index]`, `elapsed` seconds into it with `fraction` done;
   * null while any remaining stage has never run.
   */
  eta(stages: readonly Stage[], index: number, elapsed: number, fraction: number): number | null {
    let total = 0;
    for (let i = index; i < stages.length; i++) {
      const mean = this.mean(stages[i]!);
      if (mean === undefined) return null;
      if (i > index) total += mean;
      // The current stage: what is left of its mean, by the fraction it reports or the time it has run.
      else total += fraction > 0 ? mean * (1 - fraction) : Math.max(mean - elapsed, 0);
    }
    return Math.round(total * 1000) / 1000;
  }
}
