/**
 * Records how a generation ended: the text-to-image / 3D families, the business family and,
 * for models, the quality family from the engine's QualityReport.
 */
import { STYLES, type QualityReport } from '@orfeas/engines';
import type { Metrics } from '@orfeas/metrics';
import { GENERATION_STATUSES, QUALITY_CHECKS } from '@orfeas/metrics/catalog';
import type { ImageTo3dParams, Job, TextToImageParams } from '../store/index.js';

export interface GenerationOutcome {
  status: 'success' | 'failure' | 'cancelled';
  /** Seconds from the first stage's start to the end. */
  seconds: number;
  /** Why it failed (an engine error code, or `internal`). */
  reason?: string;
  file?: { sizeBytes: number; format: string };
  qualityScore?: number;
  report?: QualityReport;
}

/**
 * The text-to-image series, whose style values the engines know and the catalog does not,
 * exist at 0 from the start (createMetrics starts those whose every value the catalog lists).
 */
export function startGenerationSeries(metrics: Metrics): void {
  for (const style of STYLES) {
    metrics.textToImage.durationSeconds.zero({ style });
    for (const status of GENERATION_STATUSES) metrics.textToImage.generationsTotal.inc({ style, status }, 0);
  }
}

export function recordGeneration(metrics: Metrics, job: Job, outcome: GenerationOutcome): void {
  if (job.type === 'image_to_3d') {
    const { format, quality } = job.params as ImageTo3dParams;
    metrics.model3d.generationsTotal.inc({ format, quality, status: outcome.status });
    if (outcome.status === 'success') metrics.model3d.durationSeconds.observe({ format, quality }, outcome.seconds);
  } else {
    const { style } = job.params as TextToImageParams;
    metrics.textToImage.generationsTotal.inc({ style, status: outcome.status });
    if (outcome.status === 'success') metrics.textToImage.durationSeconds.observe({ style }, outcome.seconds);
  }

  if (outcome.status === 'failure') {
    metrics.business.failedGenerationsTotal.inc({ type: job.type, reason: outcome.reason ?? 'internal' });
  }
  if (outcome.status !== 'success') return;
  metrics.business.successfulGenerationsTotal.inc({ type: job.type });
  if (outcome.file) {
    metrics.business.generatedFileSizeBytes.observe({ type: job.type, format: outcome.file.format }, outcome.file.sizeBytes);
  }
  if (outcome.qualityScore !== undefined) {
    metrics.business.generationQualityScore.observe({ type: job.type }, outcome.qualityScore);
  }
  if (outcome.report) recordQuality(metrics, outcome.report);
}

/** The quality family from one model's report. */
export function recordQuality(metrics: Metrics, report: QualityReport): void {
  for (const [stage, score] of Object.entries(report.scores)) {
    if (typeof score === 'number') metrics.quality.score.observe({ stage }, score);
  }
  metrics.quality.gradeTotal.inc({ grade: report.grade });
  for (const [repairType, count] of Object.entries(report.repairs)) {
    if (count > 0) metrics.quality.autoRepairsTotal.inc({ repair_type: repairType }, count);
  }
  for (const issue of report.issues) {
    metrics.quality.validationFailuresTotal.inc({ stage: issue.stage, issue_type: issue.issueType });
  }
  for (const check of QUALITY_CHECKS) {
    metrics.quality.checksTotal.inc({ check, result: report.checks[check] ? 'pass' : 'fail' });
  }
}

/** The overall score of a report: its `overall` or `final` score, else the mean of its stage scores. */
export function overallScore(report: QualityReport): number | undefined {
  const { overall, final } = report.scores;
  if (overall !== undefined) return overall;
  if (final !== undefined) return final;
  const values = Object.values(report.scores).filter((v): v is number => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}
