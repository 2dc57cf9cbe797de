/** The messages between the main thread and an engine thread. */
import type { Stage } from '@orfeas/metrics/catalog';

export type EngineKind = 'imageTo3d' | 'textToImage';

export interface EngineCall {
  type: 'call';
  id: number;
  engine: EngineKind;
  method: string;
  args: unknown[];
}

export type ToEngineThread = EngineCall | { type: 'abort'; id: number };

export type ThreadError =
  | { kind: 'engine'; code: string; message: string; stage?: Stage }
  | { kind: 'internal'; name: string; message: string; stack?: string | undefined };

export type FromEngineThread =
  /** Sent once, when the thread has loaded its engines. */
  | { type: 'ready' }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: ThreadError };
