/** Types for the parts of the Khronos glTF validator (npm gltf-validator) the tests use. */
declare module 'gltf-validator' {
  export interface ValidationReport {
    issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
    info?: { totalTriangleCount?: number; totalVertexCount?: number };
  }
  export function validateBytes(data: Uint8Array, options?: { maxIssues?: number; ignoredIssues?: string[] }): Promise<ValidationReport>;
}
