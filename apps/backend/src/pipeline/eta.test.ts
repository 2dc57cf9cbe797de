import { expect, it } from 'vitest';
import { IMAGE_TO_3D_STAGES } from '@orfeas/metrics/catalog';
import { StageDurations } from './eta.js';

it('has no ETA until every remaining stage has run once', () => {
  const durations = new StageDurations();
  durations.add('background_removal', 1);
  expect(durations.eta(IMAGE_TO_3D_STAGES, 0, 0, 0)).toBeNull();
});

it('adds what is left of the current stage to the means of the later ones', () => {
  const durations = new StageDurations();
  for (const [stage, seconds] of [['background_removal', 2], ['background_removal', 4], ['shape_generation', 5], ['texture_generation', 1], ['export', 0.5]] as const) {
    durations.add(stage, seconds);
  }
  expect(durations.mean('background_removal')).toBe(3);
  // 3 s mean, half done: 1.5 s left, then 5 + 1 + 0.5.
  expect(durations.eta(IMAGE_TO_3D_STAGES, 0, 1, 0.5)).toBe(8);
  // No progress reported: the mean minus the time spent, never below zero.
  expect(durations.eta(IMAGE_TO_3D_STAGES, 0, 1, 0)).toBe(8.5);
  expect(durations.eta(IMAGE_TO_3D_STAGES, 3, 10, 0)).toBe(0);
});

it('keeps only the recent durations', () => {
  const durations = new StageDurations();
  for (let i = 0; i < 20; i++) durations.add('export', 100);
  for (let i = 0; i < 20; i++) durations.add('export', 1);
  expect(durations.mean('export')).toBe(1);
});
