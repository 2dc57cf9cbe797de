/**
 * export: the quality step (validate, repair, grade), then the model written in the asked
 * format. Shared by every image-to-3D engine: a mesh from a remote model server is checked
 * and repaired exactly like one built here.
 */
import { EngineError, type ExportedModel, type ModelFormat, type ResultFile, type StageContext, type TexturedMesh } from '../engine.js';
import { assessModel } from '../mesh-quality/assess.js';
import { throwIfCancelled } from '../stage-context.js';
import type { ExportMesh } from './files.js';
import { writeGlb } from './glb.js';
import { writeObj } from './obj.js';
import { writePly } from './ply.js';
import { writeStl } from './stl.js';

export const MODEL_FORMATS: readonly ModelFormat[] = ['glb', 'obj', 'stl', 'ply'];

export async function writeModel(mesh: ExportMesh, format: ModelFormat): Promise<ResultFile[]> {
  switch (format) {
    case 'glb':
      return writeGlb(mesh);
    case 'obj':
      return writeObj(mesh);
    case 'stl':
      return writeStl(mesh);
    case 'ply':
      return writePly(mesh);
    default:
      throw new EngineError('unsupported_format', `format "${String(format)}" is not one of ${MODEL_FORMATS.join(', ')}`, 'export');
  }
}

export async function exportTexturedModel(model: TexturedMesh, format: ModelFormat, ctx: StageContext): Promise<ExportedModel> {
  if (!MODEL_FORMATS.includes(format)) {
    throw new EngineError('unsupported_format', `format "${String(format)}" is not one of ${MODEL_FORMATS.join(', ')}`, 'export');
  }
  throwIfCancelled(ctx, 'export');
  const { mesh, report } = assessModel(model);
  if (mesh.indices.length === 0) throw new EngineError('empty_mesh', 'the model has no faces left to export', 'export');
  ctx.progress(0.5);
  throwIfCancelled(ctx, 'export');
  const files = await writeModel(mesh, format);
  ctx.progress(1);
  return { format, files, quality: report, triangleCount: mesh.indices.length / 3 };
}
