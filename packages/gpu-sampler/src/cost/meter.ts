/**
 * createGpuCostMeter: the GPU cost of each job and each of its stages, from the sampler's
 * integrals over their windows. Concurrent jobs share a device by time share; where the driver
 * reports per-process use, only the use of this service's processes (setAttribution) counts.
 *
 *   const job = meter.startJob(); const stage = job.startStage();
 *   const stageCost = await stage.end(); const jobCost = await job.end();
 *
 * end() waits until the sampler has covered the window (the slow loop reads process use once
 * per slowIntervalMs), at most settleMs, then counts what is covered and says so.
 */
import type { GpuSampler } from '../sampler/create.js';
import { costOf, type GpuCost, type MeasuredSegment } from './cost.js';
import { JobTimeline } from './timeline.js';

/** What the meter reads of a sampler. */
export type CostSampler = Pick<GpuSampler, 'available' | 'devices' | 'stats' | 'integrals' | 'setAttribution'>;

export interface GpuCostMeterOptions {
  /** Processes whose GPU use is this service's (default: this process). */
  pids?: number[];
  /** Executable names whose GPU use is this service's, e.g. model servers (default: none). */
  names?: string[];
  /** The longest end() waits for the sampler to cover the window, ms (default 2 × slowIntervalMs + 2 × intervalMs + 250). */
  settleMs?: number;
}

/** A window being measured: a job's or a stage's. */
export interface GpuCostWindow {
  /** Ends the window now; resolves with its cost once the sampler covered it (undefined without a sampler). */
  end: () => Promise<GpuCost | undefined>;
}

export interface GpuJobCost extends GpuCostWindow {
  /** A stage of the job: a window inside the job's, split between concurrent jobs the same way. */
  startStage: () => GpuCostWindow;
}

export interface GpuCostMeter {
  /** Whether costs are measured (the sampler is available). */
  readonly available: boolean;
  /** The longest end() waits, ms. */
  readonly settleMs: number;
  /** A job starts now: it counts as running until its end(). */
  startJob: () => GpuJobCost;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const NOTHING: GpuJobCost = { startStage: () => NOTHING, end: () => Promise.resolve(undefined) };

export function createGpuCostMeter(sampler: CostSampler, options: GpuCostMeterOptions = {}): GpuCostMeter {
  const { intervalMs, slowIntervalMs } = sampler.stats();
  const settleMs = options.settleMs ?? 2 * slowIntervalMs + 2 * intervalMs + 250;
  if (!(Number.isFinite(settleMs) && settleMs >= 0)) throw new RangeError(`createGpuCostMeter: settleMs must be a number of ms >= 0, got ${settleMs}`);
  sampler.setAttribution({ pids: options.pids ?? [process.pid], names: options.names ?? [] });
  if (!sampler.available) return { available: false, settleMs, startJob: () => NOTHING };

  const pollMs = Math.min(intervalMs, 50);
  const timeline = new JobTimeline();
  /** Start times of the windows still open or settling: the timeline keeps what they need. */
  const open = new Map<object, number>();
  const prune = () => timeline.prune(Math.min(...open.values()));

  async function measure(fromMs: number, toMs: number): Promise<GpuCost> {
    const lost = new Map(sampler.devices().map((d) => [d.id, d.lost ? (d.lostAtMs ?? -Infinity) : undefined]));
    // A device lost before the window is not part of it; one lost in it counts up to then, and is not waited for.
    const counted = (id: string) => !((lost.get(id) ?? Infinity) < fromMs);
    const waitedFor = (id: string) => counted(id) && lost.get(id) === undefined;
    const reach = () => {
      const covered = sampler.integrals(fromMs, toMs).devices.filter((d) => waitedFor(d.id)).map((d) => d.coveredToMs ?? fromMs);
      return Math.min(toMs, ...covered);
    };
    const deadline = performance.now() + settleMs;
    let reached = reach();
    while (reached < toMs && performance.now() < deadline) {
      await sleep(Math.min(pollMs, Math.max(1, deadline - performance.now())));
      reached = reach();
    }
    const measured: MeasuredSegment[] = timeline.segments(fromMs, toMs).map((segment) => ({ segment, integrals: sampler.integrals(segment.fromMs, segment.toMs) }));
    return costOf(measured, counted, reached < toMs ? reached : undefined);
  }

  /** A window from fromMs to the time `close` gives, called once at the first end(). */
  function window(fromMs: number, close: () => number): GpuCostWindow & { abandon: () => void } {
    const key = {};
    open.set(key, fromMs);
    let ended: Promise<GpuCost> | undefined;
    return {
      end: () => {
        if (!ended) {
          ended = measure(fromMs, close()).finally(() => {
            open.delete(key);
            prune();
          });
        }
        return ended;
      },
      abandon: () => {
        if (!ended) open.delete(key);
      },
    };
  }

  return {
    available: true,
    settleMs,
    startJob: () => {
      const stages: { abandon: () => void }[] = [];
      const job = window(timeline.step(1), () => {
        // A stage still open when its job ends (cut short) is never measured: the timeline need not keep it.
        for (const stage of stages) stage.abandon();
        return timeline.step(-1);
      });
      return {
        end: job.end,
        startStage: () => {
          const stage = window(timeline.now(), () => timeline.now());
          stages.push(stage);
          return { end: stage.end };
        },
      };
    },
  };
}
