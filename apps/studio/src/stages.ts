/** The stages a job goes through, in order, named as the metric catalog the backend's pipeline uses names them. */
import { IMAGE_TO_3D_STAGES, type Stage } from '@orfeas/metrics/catalog';
import type { JobType } from './api-types.js';

const TEXT_TO_IMAGE_STAGES: readonly Stage[] = ['text_to_image'];

export function stagesOf(type: JobType): readonly Stage[] {
  return type === 'image_to_3d' ? IMAGE_TO_3D_STAGES : TEXT_TO_IMAGE_STAGES;
}
