import { describe, expect, it } from 'vitest';
import { histogramCount, value } from '../../test/series.js';
import { catalog } from '../catalog.js';
import { createMetrics } from '../registry/create-metrics.js';
import { startStageTimer, trackStage } from './index.js';

const { stageDurationSeconds, stageErrorsTotal, stagesInProgress } = catalog.pipeline;

describe('trackStage', () => {
  it('observes the duration and shows the stage in progress while it runs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const registry = metrics.registry;
    const result = await trackStage(metrics, 'shape_generation', async () => {
      expect(await value(registry, stagesInProgress.name, { stage: 'shape_generation' })).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 60));
      return 'mesh';
    });
    expect(result).toBe('mesh');
    expect(await value(registry, stagesInProgress.name, { stage: 'shape_generation' })).toBe(0);
    expect(await histogramCount(registry, stageDurationSeconds.name, { stage: 'shape_generation' })).toBe(1);
    // 60 ms of work lands above the first (0.05 s) bucket.
    expect(await value(registry, stageDurationSeconds.name, { stage: 'shape_generation', le: '0.05' }, `${stageDurationSeconds.name}_bucket`)).toBe(0);
  });

  it('counts a failure by error type and re-throws it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const failure = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    await expect(trackStage(metrics, 'export', () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(trackStage(metrics, 'export', () => { throw new RangeError('bad'); })).rejects.toThrow('bad');
    const registry = metrics.registry;
    expect(await value(registry, stageErrorsTotal.name, { stage: 'export', error_type: 'enospc' })).toBe(1);
    expect(await value(registry, stageErrorsTotal.name, { stage: 'export', error_type: 'range_error' })).toBe(1);
    expect(await value(registry, stagesInProgress.name, { stage: 'export' })).toBe(0);
    expect(await histogramCount(registry, stageDurationSeconds.name, { stage: 'export' })).toBe(2);
  });

  it('uses a custom error type, capped by the catalog', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const cap = (stageErrorsTotal.bounds!.error_type as { max: number }).max;
    for (let i = 0; i < cap + 3; i++) {
      await trackStage(metrics, 'texture_generation', () => { throw new Error('x'); }, { errorType: () => `Reason ${i}` }).catch(() => {});
    }
    const registry = metrics.registry;
    expect(await value(registry, stageErrorsTotal.name, { stage: 'texture_generation', error_type: 'reason_0' })).toBe(1);
    expect(await value(registry, stageErrorsTotal.name, { stage: 'texture_generation', error_type: 'other' })).toBe(3);
    expect(await value(registry, catalog.meta.labelOverflowTotal.name, { metric: stageErrorsTotal.name })).toBe(3);
  });
});

describe('startStageTimer', () => {
  it('ends once: a second end or fail changes nothing', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const registry = metrics.registry;
    const timer = startStageTimer(metrics, 'background_removal');
    const other = startStageTimer(metrics, 'background_removal');
    expect(await value(registry, stagesInProgress.name, { stage: 'background_removal' })).toBe(2);
    const seconds = timer.end();
    expect(timer.end()).toBe(seconds);
    expect(timer.fail(new Error('late'))).toBe(seconds);
    expect(await value(registry, stagesInProgress.name, { stage: 'background_removal' })).toBe(1);
    other.fail(new TypeError('x'));
    other.end();
    expect(await value(registry, stagesInProgress.name, { stage: 'background_removal' })).toBe(0);
    expect(await histogramCount(registry, stageDurationSeconds.name, { stage: 'background_removal' })).toBe(2);
    expect(await value(registry, stageErrorsTotal.name, { stage: 'background_removal' })).toBe(1);
  });

  it('cancel() leaves the in-progress gauge without counting an error or a duration', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const registry = metrics.registry;
    const timer = startStageTimer(metrics, 'text_to_image');
    timer.cancel();
    timer.fail(new Error('after the cancel'));
    expect(await value(registry, stagesInProgress.name, { stage: 'text_to_image' })).toBe(0);
    expect(await histogramCount(registry, stageDurationSeconds.name, { stage: 'text_to_image' })).toBe(0);
    expect(await value(registry, stageErrorsTotal.name, { stage: 'text_to_image' })).toBeUndefined();
  });
});
