/** A small client of Prometheus's HTTP API, and polling until a condition holds. */

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(base: string, path: string, params: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? response.status}`);
  return body.data;
}

/**
 * Instant query, now or at `time` (Unix seconds); throws with Prometheus's message when the
 * query does not parse or fails.
 */
export async function instantQuery(base: string, query: string, time?: number): Promise<Sample[]> {
  const params: Record<string, string> = time === undefined ? { query } : { query, time: String(time) };
  const data = await api<{ resultType: string; result: Sample[] | [number, string] }>(base, '/api/v1/query', params);
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  return data.result as Sample[];
}

/** Metric names that have series matching a selector. */
export const metricNamesWith = (base: string, match: string) =>
  api<string[]>(base, '/api/v1/label/__name__/values', { 'match[]': match });

export const seriesOf = (base: string, match: string) => api<Record<string, string>[]>(base, '/api/v1/series', { 'match[]': match });

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export const alertsOf = async (base: string) => (await api<{ alerts: PromAlert[] }>(base, '/api/v1/alerts')).alerts;

/** Polls `check` until it returns a value other than undefined, or fails with `describe()`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: () => string | Promise<string>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${await what()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Polls `read` until it returns an empty list or time runs out; returns the last list. */
export async function settled<T>(read: () => Promise<T[]>, timeoutMs: number): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await read();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
