/**
 * How many jobs were running when: every job start and end is a step of the count. A job's
 * share of a GPU over its window is computed segment by segment between those steps.
 */

/** A stretch of time with the same number of jobs running. */
export interface Segment {
  fromMs: number;
  toMs: number;
  /** Jobs running in it, the one measured included (at least 1). */
  jobs: number;
}

interface Step {
  atMs: number;
  /** Jobs running from atMs on. */
  running: number;
}

export class JobTimeline {
  private steps: Step[] = [];
  private running = 0;

  /** Unix ms of a step: Date.now(), never before the last step (the wall clock may step back). */
  now(): number {
    return Math.max(Date.now(), this.steps.at(-1)?.atMs ?? -Infinity);
  }

  /** A job started (+1) or ended (-1) now; returns the time of the step. */
  step(delta: 1 | -1): number {
    const atMs = this.now();
    this.running = Math.max(0, this.running + delta);
    this.steps.push({ atMs, running: this.running });
    return atMs;
  }

  /** The segments of [fromMs, toMs], split where the count changed. */
  segments(fromMs: number, toMs: number): Segment[] {
    const cuts = [fromMs, ...this.steps.map((s) => s.atMs).filter((t) => t > fromMs && t < toMs), toMs];
    const segments: Segment[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i]!, cuts[i + 1]!];
      if (b > a) segments.push({ fromMs: a, toMs: b, jobs: Math.max(1, this.runningAt(a)) });
    }
    return segments;
  }

  /** Forgets the steps no window starting at or after `oldestMs` needs. */
  prune(oldestMs: number): void {
    let keep = 0;
    for (let i = 0; i < this.steps.length && this.steps[i]!.atMs <= oldestMs; i++) keep = i;
    if (keep > 0) this.steps = this.steps.slice(keep);
  }

  /** Jobs running at t: the count after the last step at or before it (every step at t counted). */
  private runningAt(t: number): number {
    let running = 0;
    for (const step of this.steps) {
      if (step.atMs > t) break;
      running = step.running;
    }
    return running;
  }
}
