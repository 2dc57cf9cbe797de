/**
 * The engine interface of the ORFEAS pipeline: what a stage runner calls for each stage.
 * The built-in CPU engines and the remote GPU adapters implement it; the backend's stage
 * runner times each call and turns its progress into events.
 */
import type { Stage } from '@orfeas/metrics/catalog';

export type ModelFormat = 'glb' | 'obj' | 'stl' | 'ply';
export type ModelQuality = 'low' | 'medium' | 'high';
export type QualityStage = 'background_removal' | 'shape' | 'texture' | 'final' | 'overall';
export type QualityGrade = 'A+' | 'A' | 'B' | 'C' | 'D' | 'F';

/** What a stage gets besides its input. */
export interface StageContext {
  /** Aborted when the job is cancelled or the service shuts down; long loops check it. */
  readonly signal: AbortSignal;
  /** Progress within the stage, 0..1. */
  progress(fraction: number): void;
}

/** A problem a quality check found, by the stage it belongs to. */
export interface QualityIssue {
  stage: QualityStage;
  issueType: string;
  detail?: string;
}

/** The quality of one stage's output. */
export interface StageQuality {
  stage: QualityStage;
  /** 0..1 */
  score: number;
  issues: QualityIssue[];
}

/** The quality report of a finished model: scores per stage, checks, repairs and the grade. */
export interface QualityReport {
  scores: Partial<Record<QualityStage, number>>;
  grade: QualityGrade;
  printable: boolean;
  checks: { manifold: boolean; watertight: boolean; printable: boolean };
  /** Repairs applied automatically, by repair type, with how many elements each touched. */
  repairs: Record<string, number>;
  issues: QualityIssue[];
}

/** Stage output of background_removal: the subject cut out of the image. */
export interface CutOut {
  width: number;
  height: number;
  /** RGBA, straight alpha, row-major. */
  rgba: Uint8Array;
  /** One byte per pixel: 255 subject, 0 background. */
  mask: Uint8Array;
  quality: StageQuality;
}

/** A triangle mesh. */
export interface Mesh {
  /** xyz per vertex */
  positions: Float32Array;
  /** three vertex indices per triangle */
  indices: Uint32Array;
  normals?: Float32Array;
  quality: StageQuality;
  /** Set when a fallback engine made this mesh because the engine asked for could not. */
  fallback?: { engine: string; reason: string };
}

export interface TexturedMesh extends Mesh {
  /** uv per vertex */
  uvs: Float32Array;
  texture: { png: Uint8Array; width: number; height: number };
  /**
   * The quality of the stages that led here (background removal, shape), so that export can
   * grade the whole result; `quality` itself is the texture stage's. Optional: without it the
   * report scores only what export can see.
   */
  stageQualities?: StageQuality[];
}

export interface ResultFile {
  name: string;
  contentType: string;
  data: Uint8Array;
}

/** Stage output of export: the files of the model (the first is the one downloaded) and its quality. */
export interface ExportedModel {
  format: ModelFormat;
  files: ResultFile[];
  quality: QualityReport;
  triangleCount: number;
}

/** Image to 3D, one method per stage of IMAGE_TO_3D_STAGES. */
export interface ImageTo3dEngine {
  readonly name: string;
  /** Name, version and output-changing settings (see engineIdentity): what results are cached under. */
  readonly identity: string;
  removeBackground(image: Uint8Array, ctx: StageContext): Promise<CutOut>;
  generateShape(cutout: CutOut, options: { quality: ModelQuality }, ctx: StageContext): Promise<Mesh>;
  generateTexture(mesh: Mesh, cutout: CutOut, ctx: StageContext): Promise<TexturedMesh>;
  exportModel(model: TexturedMesh, format: ModelFormat, ctx: StageContext): Promise<ExportedModel>;
}

export interface TextToImageRequest {
  prompt: string;
  style: string;
  width: number;
  height: number;
  seed: number;
}

export interface GeneratedImage {
  png: Uint8Array;
  width: number;
  height: number;
  seed: number;
  /** 0..1 */
  qualityScore: number;
  /** true for the built-in engine, whose images are drawn from the prompt, not by a model. */
  procedural: boolean;
}

export interface TextToImageEngine {
  readonly name: string;
  /** Name, version and output-changing settings (see engineIdentity): what results are cached under. */
  readonly identity: string;
  generate(request: TextToImageRequest, ctx: StageContext): Promise<GeneratedImage>;
}

/**
 * A failure an engine reports on purpose (bad input, a model server that is down): the job
 * fails with this code and message; anything else thrown is an internal fault.
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly stage?: Stage,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
