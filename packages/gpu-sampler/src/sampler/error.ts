/**
 * GpuSamplerError: why a GPU sampler did not start, with a `code` to branch on and a message
 * to read. The codes are the addon's StartErrorCode (options, load, init, thread), and `addon`
 * when the native addon itself is missing or does not load.
 */
import type { StartErrorCode } from '../../addon.js';

export type GpuSamplerErrorCode = StartErrorCode | 'addon';

/** Every code, for schemas and checks (compared both ways with the addon's StartErrorCode below). */
export const GPU_SAMPLER_ERROR_CODES = ['addon', 'options', 'load', 'init', 'thread'] as const satisfies readonly GpuSamplerErrorCode[];
const listsEveryCode: [Exclude<GpuSamplerErrorCode, (typeof GPU_SAMPLER_ERROR_CODES)[number]>] extends [never] ? true : false = true;
void listsEveryCode;

export class GpuSamplerError extends Error {
  override readonly name = 'GpuSamplerError';
  readonly code: GpuSamplerErrorCode;

  constructor(code: GpuSamplerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** What startSampler threw, with the code the addon set; a panic caught in the addon reads as init. */
  static fromStart(error: unknown): GpuSamplerError {
    const code = (error as { code?: unknown } | undefined)?.code;
    const known = GPU_SAMPLER_ERROR_CODES.find((c) => c === code && c !== 'addon');
    return new GpuSamplerError(known ?? 'init', error instanceof Error ? error.message : String(error), { cause: error });
  }
}
