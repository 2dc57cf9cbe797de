/**
 * Image to 3D with the shape from a GPU model server (the Hunyuan3D-2 API server's
 * POST /generate: JSON {image: base64, seed, octree_resolution, ...} answered with a GLB).
 * Background removal, texture and export with its quality checks run here, so a remote mesh
 * is validated, repaired and graded like a local one. With a fallback engine, a server that
 * is down or failing degrades to the fallback's shape instead of failing the job.
 */
import sharp from 'sharp';
import { EngineError, type CutOut, type ImageTo3dEngine, type Mesh, type ModelQuality, type QualityIssue, type StageContext } from '../engine.js';
import { engineIdentity } from '../identity.js';
import { removeBackground } from '../background-removal/index.js';
import { exportTexturedModel } from '../export/index.js';
import { postJson, rejected, resolveLimits, type ModelServerLimits } from '../model-server/post-json.js';
import { vertexNormals } from '../mesh/normals.js';
import { maskIoU, rasterizeSilhouette } from '../shape/silhouette.js';
import { generateProjectedTexture } from '../texture/index.js';
import { meshFromGlb } from './glb-mesh.js';
import { placeOverSubject } from './place-mesh.js';

/** Defaults: 300 s per attempt (shape generation takes tens of seconds on a GPU), 1 retry, GLBs up to 256 MiB. */
export interface RemoteImageTo3dOptions extends ModelServerLimits {
  /** Base URL of the model server, e.g. http://gpu-host:8081 */
  url: string;
  /** Used for the shape when the server is unreachable, times out or fails. */
  fallback?: ImageTo3dEngine;
  seed?: number;
  /** Marching-cubes grid per quality setting (default 128 / 256 / 384). */
  octreeResolution?: Partial<Record<ModelQuality, number>>;
  steps?: number;
  guidanceScale?: number;
  workingSize?: number;
  /** sharp's pixel limit when decoding an upload (default sharp's own, 268M). */
  maxInputPixels?: number;
}

// Any model-server failure (down, slow, failing, refusing, garbled) can fall back; a cancelled job cannot.
const fallsBack = (err: unknown): err is EngineError => err instanceof EngineError && err.code.startsWith('model_server_');
const OCTREE: Record<ModelQuality, number> = { low: 128, medium: 256, high: 384 };

async function cutoutPng(cutout: CutOut): Promise<string> {
  const png = await sharp(cutout.rgba, { raw: { width: cutout.width, height: cutout.height, channels: 4 } }).png().toBuffer();
  return png.toString('base64');
}

export function createRemoteImageTo3dEngine(options: RemoteImageTo3dOptions): ImageTo3dEngine {
  const endpoint = new URL('/generate', options.url).toString();
  const service = 'Hunyuan3D model server';
  const workingSize = options.workingSize ?? 512;
  const limits = resolveLimits(options, { timeoutMs: 300_000, retries: 1, maxResponseBytes: 256 * 1024 * 1024 });

  async function remoteShape(cutout: CutOut, quality: ModelQuality, ctx: StageContext): Promise<Mesh> {
    const call = {
      service,
      url: endpoint,
      stage: 'shape_generation' as const,
      ...limits,
      signal: ctx.signal,
      body: {
        image: await cutoutPng(cutout),
        seed: options.seed ?? 1234,
        octree_resolution: options.octreeResolution?.[quality] ?? OCTREE[quality],
        num_inference_steps: options.steps ?? 5,
        guidance_scale: options.guidanceScale ?? 5.0,
        texture: false,
        type: 'glb',
      },
    };
    ctx.progress(0.1);
    const res = await postJson(call);
    if (res.status >= 400) {
      // The server answers its own generation failures as 404 {text, error_code}.
      let text: string | undefined;
      try {
        const parsed = JSON.parse(new TextDecoder().decode(res.body)) as { text?: unknown; error_code?: unknown };
        if (typeof parsed.text === 'string' && parsed.error_code !== undefined) text = parsed.text;
      } catch {
        // not the server's error shape
      }
      if (text !== undefined) throw new EngineError('model_server_error', `${service} at ${endpoint} could not generate a shape: ${text}`, 'shape_generation');
      throw rejected(call, res);
    }
    const bad = (why: string): EngineError => new EngineError('model_server_bad_response', `${service} at ${endpoint} answered without a usable mesh: ${why}`, 'shape_generation');
    if (new TextDecoder().decode(res.body.subarray(0, 4)) !== 'glTF') throw bad(`expected a GLB body, got ${res.contentType || 'no content type'}`);
    let glb;
    try {
      glb = await meshFromGlb(res.body);
    } catch (err) {
      throw bad(`the GLB does not parse (${(err as Error).message})`);
    }
    if (glb.indices.length === 0) throw bad('the GLB has no triangles');
    ctx.progress(0.8);
    const positions = placeOverSubject(glb.positions, cutout.mask, cutout);
    const fidelity = maskIoU(rasterizeSilhouette(positions, glb.indices, cutout), cutout.mask);
    const issues: QualityIssue[] = [];
    if (fidelity < 0.6) issues.push({ stage: 'shape', issueType: 'low_silhouette_fidelity', detail: `front view overlaps the subject at IoU ${fidelity.toFixed(2)}` });
    const detail = Math.min(1, glb.indices.length / 3 / 500);
    if (detail < 1) issues.push({ stage: 'shape', issueType: 'coarse_mesh', detail: `${glb.indices.length / 3} triangles` });
    ctx.progress(1);
    return {
      positions,
      indices: glb.indices,
      normals: vertexNormals(positions, glb.indices),
      quality: { stage: 'shape', score: 0.8 * fidelity + 0.2 * detail, issues },
    };
  }

  return {
    name: 'hunyuan3d-remote',
    identity: engineIdentity('hunyuan3d-remote', {
      url: endpoint,
      seed: options.seed,
      octreeResolution: options.octreeResolution,
      steps: options.steps,
      guidanceScale: options.guidanceScale,
      workingSize,
    }),
    removeBackground: (image, ctx) => removeBackground(image, ctx, { workingSize, maxInputPixels: options.maxInputPixels }),
    async generateShape(cutout, { quality }, ctx) {
      try {
        return await remoteShape(cutout, quality, ctx);
      } catch (err) {
        if (!options.fallback || !fallsBack(err)) throw err;
        const mesh = await options.fallback.generateShape(cutout, { quality }, ctx);
        const issue: QualityIssue = { stage: 'shape', issueType: 'model_server_fallback', detail: `${options.fallback.name} built the shape: ${err.message}` };
        return {
          ...mesh,
          quality: { ...mesh.quality, issues: [...mesh.quality.issues, issue] },
          fallback: { engine: options.fallback.name, reason: err.message },
        };
      }
    },
    generateTexture: (mesh, cutout, ctx) => generateProjectedTexture(mesh, cutout, ctx),
    exportModel: (model, format, ctx) => exportTexturedModel(model, format, ctx),
  };
}
