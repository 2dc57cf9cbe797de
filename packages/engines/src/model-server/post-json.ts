/**
 * POST a JSON request to a model server, the way every remote engine needs it: a time limit
 * per attempt, retries with backoff on 5xx and on connections that fail, a cap on the bytes
 * read back, and every failure turned into an EngineError whose code says what to do about it
 * (model_server_unavailable, model_server_timeout, model_server_error, model_server_rejected,
 * model_server_response_too_large).
 */
import type { Stage } from '@orfeas/metrics/catalog';
import { EngineError } from '../engine.js';

/** The connection settings an adapter takes from its configuration. */
export interface ModelServerLimits {
  /** Per attempt, in ms. */
  timeoutMs?: number;
  /** Extra attempts after the first, on 5xx and on failed connections. */
  retries?: number;
  /** Largest answer read, in bytes. */
  maxResponseBytes?: number;
  /** Backoff before retry n (1-based), in ms; default 250 * 2^(n-1). */
  backoffMs?: (attempt: number) => number;
}

/** The configured limits, with the adapter's defaults where none is set. */
export function resolveLimits(o: ModelServerLimits, defaults: Required<Omit<ModelServerLimits, 'backoffMs'>>): ModelServerLimits & Required<Omit<ModelServerLimits, 'backoffMs'>> {
  return {
    timeoutMs: o.timeoutMs ?? defaults.timeoutMs,
    retries: o.retries ?? defaults.retries,
    maxResponseBytes: o.maxResponseBytes ?? defaults.maxResponseBytes,
    ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
  };
}

export interface ModelServerCall {
  /** Who is called, for messages: "Automatic1111 txt2img server". */
  service: string;
  url: string;
  body: unknown;
  stage: Stage;
  timeoutMs: number;
  /** Extra attempts after the first, on 5xx and on failed connections. */
  retries: number;
  maxResponseBytes: number;
  signal: AbortSignal;
  /** Backoff before retry n (1-based), in ms; default 250 * 2^(n-1). */
  backoffMs?: (attempt: number) => number;
}

export interface ModelServerResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
  attempts: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function readLimited(res: Response, call: ModelServerCall): Promise<Uint8Array> {
  const tooLarge = (): EngineError =>
    new EngineError('model_server_response_too_large', `${call.service} at ${call.url} sent more than the ${call.maxResponseBytes}-byte limit`, call.stage);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > call.maxResponseBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    // Node's fetch types its body as ReadableStream<any>; its chunks are bytes.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > call.maxResponseBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

const snippet = (body: Uint8Array): string => new TextDecoder().decode(body.subarray(0, 300)).replace(/\s+/g, ' ').trim();

export async function postJson(call: ModelServerCall): Promise<ModelServerResponse> {
  const payload = JSON.stringify(call.body);
  const backoff = call.backoffMs ?? ((n: number) => 250 * 2 ** (n - 1));
  let last = '';
  for (let attempt = 1; attempt <= call.retries + 1; attempt++) {
    if (call.signal.aborted) throw new EngineError('cancelled', `${call.stage} stopped: the job was cancelled`, call.stage);
    const timeout = AbortSignal.timeout(call.timeoutMs);
    const signal = AbortSignal.any([call.signal, timeout]);
    let res: Response;
    try {
      res = await fetch(call.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: '*/*' }, body: payload, signal });
    } catch (err) {
      if (call.signal.aborted) throw new EngineError('cancelled', `${call.stage} stopped: the job was cancelled`, call.stage);
      if (timeout.aborted) throw new EngineError('model_server_timeout', `${call.service} at ${call.url} did not answer within ${call.timeoutMs} ms`, call.stage);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      last = cause?.code ?? cause?.message ?? (err as Error).message;
      if (attempt <= call.retries) {
        await sleep(backoff(attempt), call.signal);
        continue;
      }
      throw new EngineError('model_server_unavailable', `${call.service} at ${call.url} is unreachable (${last}) after ${attempt} attempt(s)`, call.stage);
    }
    let body: Uint8Array;
    try {
      body = await readLimited(res, call);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      if (timeout.aborted) throw new EngineError('model_server_timeout', `${call.service} at ${call.url} did not finish its answer within ${call.timeoutMs} ms`, call.stage);
      throw new EngineError('model_server_unavailable', `${call.service} at ${call.url} broke off its answer (${(err as Error).message})`, call.stage);
    }
    if (res.status >= 500) {
      last = `HTTP ${res.status}: ${snippet(body)}`;
      if (attempt <= call.retries) {
        await sleep(backoff(attempt), call.signal);
        continue;
      }
      throw new EngineError('model_server_error', `${call.service} at ${call.url} failed after ${attempt} attempt(s): ${last}`, call.stage);
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, attempts: attempt };
  }
  throw new EngineError('model_server_error', `${call.service} at ${call.url} failed: ${last}`, call.stage);
}

/** A 4xx answer, as the error the job fails with. */
export function rejected(call: Pick<ModelServerCall, 'service' | 'url' | 'stage'>, res: ModelServerResponse, detail?: string): EngineError {
  return new EngineError('model_server_rejected', `${call.service} at ${call.url} refused the request (HTTP ${res.status}): ${detail ?? snippet(res.body)}`, call.stage);
}
