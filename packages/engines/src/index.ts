/**
 * @orfeas/engines: the engine interface of the ORFEAS pipeline, the built-in CPU engines,
 * the remote model-server adapters, and the mesh validation and repair they grade with.
 */
export * from './engine.js';
export { engineIdentity, ENGINES_VERSION } from './identity.js';
export { createCpuImageTo3dEngine, type CpuImageTo3dOptions } from './cpu-engine/index.js';
export { validateMesh, type MeshValidation } from './mesh-quality/validate.js';
export { repairMesh, type RepairResult, type RepairType } from './mesh-quality/repair.js';
export { assessModel, type Assessment } from './mesh-quality/assess.js';
export { GRADE_THRESHOLDS, gradeFor } from './mesh-quality/grade.js';
export type { TriangleSoup } from './mesh-quality/topology.js';
export { MODEL_FORMATS } from './export/index.js';
export { VERTEX_BUDGET } from './shape/relief-mesh.js';
export { detachedContext } from './stage-context.js';
export { createProceduralTextToImageEngine } from './text-to-image/procedural.js';
export { createA1111TextToImageEngine, type A1111Options } from './text-to-image/a1111.js';
export { STYLES, STYLE_PROMPTS, IMAGE_SIDE, isStyle, type Style } from './text-to-image/styles.js';
export { createRemoteImageTo3dEngine, type RemoteImageTo3dOptions } from './remote-3d/index.js';
export { meshFromGlb } from './remote-3d/glb-mesh.js';
