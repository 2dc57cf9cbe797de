/**
 * Requests to the backend's /api/v1 routes, the same any client makes: with the API key when
 * there is one, asking for a key on 401 and trying again. Refusals become ApiError with the
 * body's code and message, so the page can say what was wrong.
 */
import { apiKey, askForKey } from './api-key.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? 'http_error', body.error?.message ?? `${res.status} ${res.statusText}`);
  } catch {
    return new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`);
  }
}

/** The response of a request; only a 401 is handled here (by asking for a key). */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const headers = new Headers(init.headers);
    const key = apiKey();
    if (key) headers.set('Authorization', `Bearer ${key}`);
    let res: Response;
    try {
      res = await fetch(path, { ...init, headers });
    } catch {
      throw new ApiError(0, 'unreachable', 'the backend cannot be reached; is it running?');
    }
    if (res.status !== 401) return res;
    const refusal = await errorOf(res);
    try {
      await askForKey(refusal.message);
    } catch {
      throw refusal;
    }
  }
}

export async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(path, init);
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** A file of a result, as bytes: fetched with the key, where a plain link could not carry it. */
export async function apiBytes(path: string): Promise<ArrayBuffer> {
  const res = await api(path);
  if (!res.ok) throw await errorOf(res);
  return res.arrayBuffer();
}
