/**
 * The job executor: runs one job a worker has claimed through its pipeline, writes the result
 * files, and records the outcome in the store, the metrics, the cache and the events. With a
 * GPU sampler, the job's window on the GPUs ends with its last stage, and its end waits for
 * the cost (bounded by the meter's settleMs) while the result files are written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EngineError, type QualityReport, type ResultFile } from '@orfeas/engines';
import type { GpuCost, GpuCostMeter } from '@orfeas/gpu-sampler';
import type { Metrics } from '@orfeas/metrics';
import { IMAGE_TO_3D_STAGES, type Stage } from '@orfeas/metrics/catalog';
import type { Logger } from 'pino';
import type { JobCache } from '../cache/index.js';
import { costBeforeShutdown, jobGpuCost, recordJobGpuCost } from '../gpu/cost.js';
import type { StageDurations } from '../pipeline/eta.js';
import { overallScore, recordGeneration } from '../pipeline/generation-metrics.js';
import { runImageTo3d } from '../pipeline/image-to-3d.js';
import { JobStopped, StageRunner, type StopReason } from '../pipeline/stage-runner.js';
import { runTextToImage } from '../pipeline/text-to-image.js';
import type { ClaimedJob, ImageTo3dParams, Job, JobError, JobGpuCost, JobRecords, JobResult, TextToImageParams } from '../store/index.js';
import type { Engines } from './engines.js';
import { isStorageFull } from '../storage/full.js';
import type { JobEvents } from './events.js';
import type { UnrecordedEndings } from './unrecorded-endings.js';
import { resultUrl, submitRoute } from './view.js';

/** A job that has crashed the service this many times is failed rather than run again. */
export const MAX_ATTEMPTS = 3;

export interface JobControl {
  stop: StopReason | null;
  readonly signal: AbortSignal;
}

export interface ExecutorDeps {
  /** The job records: SQLite, or Redis in a fleet (then bound to this attempt of the job). */
  records: JobRecords;
  cache: JobCache;
  engines: Engines;
  events: JobEvents;
  metrics: Metrics;
  durations: StageDurations;
  log: Logger;
  endings: UnrecordedEndings;
  /** Measures each job's GPU cost; absent without a GPU sampler. */
  gpuMeter?: GpuCostMeter;
}

interface Produced {
  files: ResultFile[];
  format: string;
  quality: Job['quality'];
  qualityScore?: number;
  report?: QualityReport;
  /** Which engine made it, and how: what the result says about itself. */
  madeBy: Pick<JobResult, 'engine' | 'procedural' | 'fallback' | 'fallbackReason'>;
}

export async function executeJob({ job, waitSeconds }: ClaimedJob, control: JobControl, deps: ExecutorDeps): Promise<void> {
  const { records, metrics, events, log } = deps;
  metrics.queue.jobWaitDurationSeconds.observe({ type: job.type }, waitSeconds);
  const stages: readonly Stage[] = job.type === 'image_to_3d' ? IMAGE_TO_3D_STAGES : ['text_to_image'];
  let current: Stage | null = null;
  const jobLog = log.child({ jobId: job.id, type: job.type, attempt: job.attempts });
  // A job refused for its attempts never ran: it has no GPU window.
  const gpuJob = job.attempts > MAX_ATTEMPTS ? undefined : deps.gpuMeter?.startJob();
  let costing: Promise<GpuCost | undefined> | undefined;
  let costRecorded = false;
  /** Ends the job's GPU window (at the first call) and resolves with its cost, observed once in the cost histograms. */
  const gpuCost = async (): Promise<JobGpuCost | null> => {
    if (!gpuJob) return null;
    costing ??= costBeforeShutdown(gpuJob.end(), control).catch((err: unknown) => {
      jobLog.warn({ err }, 'the job\'s GPU cost could not be measured');
      return undefined;
    });
    const cost = await costing;
    if (!cost) return null;
    if (!costRecorded) {
      costRecorded = true;
      recordJobGpuCost(metrics, job.type, cost);
    }
    return jobGpuCost(cost);
  };
  const runner = new StageRunner({
    jobId: job.id,
    stages,
    metrics,
    durations: deps.durations,
    events,
    signal: control.signal,
    stopRequested: () => control.stop,
    onStage: (stage, timings) => {
      current = stage;
      // Not awaited: the stage starts now; a record that cannot be written is logged, the job goes on.
      void Promise.resolve()
        .then(() => records.setStage(job.id, stage, timings))
        .catch((err: unknown) => jobLog.warn({ err, stage }, 'the job\'s stage could not be recorded'));
    },
    ...(gpuJob ? { gpuCost: gpuJob, onCostError: (stage, err) => jobLog.warn({ err, stage }, 'a stage\'s GPU cost could not be measured') } : {}),
  });
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;

  try {
    if (job.attempts > MAX_ATTEMPTS) {
      throw new EngineError('too_many_attempts', `the job was interrupted ${job.attempts - 1} times and is not retried again`);
    }
    jobLog.info({ waitSeconds }, 'job started');
    const produced = await produce(job, runner, deps);
    const stopped = () => {
      if (control.signal.aborted || control.stop === 'cancelled') throw new JobStopped(control.stop ?? 'shutdown');
    };
    // A cancel that lands after the last stage still wins over writing the result.
    stopped();
    // The GPU work is done: its cost settles while the files are written.
    const costed = gpuCost();
    const result = { ...(await writeResult(records, job, produced.files, control.signal)), ...produced.madeBy };
    const gpu = await costed;
    stopped();
    if (!(await records.complete(job.id, result, produced.quality, runner.timings, gpu))) {
      jobLog.info('job had already ended (cancelled at shutdown); its result is dropped');
      return;
    }
    const finished = (await records.get(job.id))!;
    await deps.cache.put(finished);
    recordGeneration(metrics, job, {
      status: 'success',
      seconds: seconds(),
      file: { sizeBytes: result.sizeBytes, format: produced.format },
      ...(produced.qualityScore !== undefined ? { qualityScore: produced.qualityScore } : {}),
      ...(produced.report ? { report: produced.report } : {}),
    });
    events.complete({
      jobId: job.id,
      result: { ...result, url: resultUrl(job.id) },
      quality: produced.quality,
      stageTimings: runner.timings,
      cached: false,
    });
    jobLog.info({ seconds: seconds(), sizeBytes: result.sizeBytes }, 'job completed');
  } catch (error) {
    if (error instanceof JobStopped || control.signal.aborted) {
      // Stopped at shutdown: a job its client cancelled stays cancelled.
      const reason = error instanceof JobStopped ? error.reason : control.stop === 'cancelled' ? 'cancelled' : 'shutdown';
      // Files written before the stop are not a result (a requeued run writes its own).
      await fs.rm(records.resolve(resultDir(job.id)), { recursive: true, force: true });
      if (reason === 'shutdown') {
        // Back to the queue: the next start runs it again from the first stage, and measures its cost then.
        void gpuJob?.end().catch(() => {});
        await records.requeue(job.id);
        jobLog.info({ stage: current }, 'job requeued at shutdown');
        return;
      }
      const jobError: JobError = { code: 'cancelled', message: 'the job was cancelled', ...(current ? { stage: current } : {}) };
      const costed = gpuCost();
      if (!(await records.finish(job.id, 'cancelled', jobError, runner.timings))) return;
      recordGeneration(metrics, job, { status: 'cancelled', seconds: seconds() });
      events.fail({ jobId: job.id, state: 'cancelled', error: jobError });
      jobLog.info({ stage: current }, 'job cancelled');
      // The GPU time up to the cancel was spent: measured like any other, but after the cancel
      // is answered (DELETE waits for the job to end, not for its cost).
      void costed
        .then(async (gpu) => {
          if (gpu && records.open) await records.setGpu(job.id, gpu);
        })
        .catch((err: unknown) => jobLog.warn({ err }, 'the cancelled job\'s GPU cost could not be stored'));
      return;
    }
    const expected = error instanceof EngineError;
    // A full disk is neither the engine's refusal nor a bug: the job fails once, as storage_full.
    const full = !expected && isStorageFull(error);
    const stage: Stage | null = (expected ? error.stage : undefined) ?? current;
    const jobError: JobError = {
      code: expected ? error.code : full ? 'storage_full' : 'internal',
      message: expected
        ? error.message
        : full
          ? `the data directory is full${stage ? ` (in stage ${stage})` : ''}: ${(error as Error).message}`
          : `internal error${stage ? ` in stage ${stage}` : ''}`,
      ...(stage ? { stage } : {}),
    };
    const gpu = await gpuCost();
    const finish = () => records.finish(job.id, 'failed', jobError, runner.timings, gpu);
    let ended: boolean;
    if (full) {
      // What it wrote is freed first, so that its ending has room to be written.
      await fs.rm(records.resolve(resultDir(job.id)), { recursive: true, force: true });
      ended = await deps.endings.record(job.id, finish);
    } else {
      ended = await finish();
    }
    if (!ended) {
      jobLog.warn({ err: error }, 'error after the job had already ended; its state is kept');
      return;
    }
    recordGeneration(metrics, job, { status: 'failure', seconds: seconds(), reason: jobError.code });
    metrics.errors.errorsTotal.inc({ type: expected || full ? jobError.code : 'internal', route: submitRoute(job.type) });
    events.fail({ jobId: job.id, state: 'failed', error: jobError });
    if (expected) jobLog.warn({ error: jobError }, 'job failed');
    else if (full) jobLog.warn({ error: jobError }, 'job failed: the data directory is full');
    else jobLog.error({ err: error, stage: current }, 'job failed with an internal error');
  }
}

async function produce(job: Job, runner: StageRunner, { records, engines }: ExecutorDeps): Promise<Produced> {
  if (job.type === 'image_to_3d') {
    const engine = engines.imageTo3d;
    if (!engine) throw new EngineError('engine_unavailable', 'no image-to-3D engine is configured', 'background_removal');
    const image = await fs.readFile(records.resolve(job.inputPath!));
    const params = job.params as ImageTo3dParams;
    const model = await runImageTo3d(runner, engine, image, params);
    const score = overallScore(model.quality);
    return {
      files: model.files,
      format: model.format,
      quality: model.quality,
      report: model.quality,
      ...(score !== undefined ? { qualityScore: score } : {}),
      madeBy: {
        engine: engine.name,
        ...(model.fallback ? { fallback: true, fallbackReason: `${model.fallback.engine} made the shape: ${model.fallback.reason}` } : {}),
      },
    };
  }
  const engine = engines.textToImage;
  if (!engine) throw new EngineError('engine_unavailable', 'no text-to-image engine is configured', 'text_to_image');
  const image = await runTextToImage(runner, engine, job.params as TextToImageParams);
  return {
    files: [{ name: `${job.id}.png`, contentType: 'image/png', data: image.png }],
    format: 'png',
    quality: { overall: image.qualityScore },
    qualityScore: image.qualityScore,
    madeBy: { engine: engine.name, ...(image.procedural ? { procedural: true } : {}) },
  };
}

const resultDir = (jobId: string) => path.join('results', jobId);

/** Writes every result file under results/<job id>/; the first is the one downloaded. */
async function writeResult(store: Pick<JobRecords, 'resolve'>, job: Job, files: ResultFile[], signal: AbortSignal) {
  const first = files[0];
  if (!first) throw new EngineError('empty_result', 'the engine produced no file', 'export');
  const dir = resultDir(job.id);
  await fs.mkdir(store.resolve(dir), { recursive: true });
  for (const file of files) {
    if (signal.aborted) break;
    // Engine-chosen names stay inside the job's folder.
    await fs.writeFile(store.resolve(path.join(dir, path.basename(file.name))), file.data, { signal });
  }
  return {
    path: path.join(dir, path.basename(first.name)),
    name: path.basename(first.name),
    contentType: first.contentType,
    sizeBytes: first.data.byteLength,
    files: files.map((f) => ({ name: path.basename(f.name), contentType: f.contentType, sizeBytes: f.data.byteLength })),
  };
}
