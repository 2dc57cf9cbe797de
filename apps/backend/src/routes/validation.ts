/**
 * Request validation with zod, the same schemas the OpenAPI document is generated from: the
 * first problem of a request becomes an ApiError naming the field, a machine-readable code and
 * what is allowed. `validationHook` is that, for the validators of @hono/zod-openapi.
 */
import type { z } from 'zod';
import { UNKNOWN_FIELD, invalid, type ApiError } from '../errors/index.js';

function codeOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code !== 'unrecognized_keys') return 'missing_field';
  if (issue.code === 'too_small' || issue.code === 'too_big') return 'out_of_range';
  if (issue.code === 'unrecognized_keys') return UNKNOWN_FIELD;
  // A custom check names its own code (z.custom(check, { params: { code } })).
  const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return typeof own === 'string' ? own : issue.code;
}

/** The hook of every OpenAPI route's validators: a request that fails its schema is refused with our error. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError }): undefined {
  // The validator passes the input it checked as `data` (the type leaves it out for failures).
  if (!result.success) throw toApiError(result.error.issues[0]!, (result as { data?: unknown }).data);
  return undefined;
}

/** Parses `input` with `schema`, or throws the ApiError of its first issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw toApiError(parsed.error.issues[0]!, input);
}

export function toApiError(issue: z.core.$ZodIssue, input: unknown): ApiError {
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
  // A client's key can be any length: the answer names at most its first 64 characters.
  const field = key === undefined ? 'body' : String(key).slice(0, 64);
  const value = typeof input === 'object' && input !== null && key !== undefined ? (input as Record<string, unknown>)[String(key)] : input;
  const code = codeOf(issue, value);
  const message = code === 'missing_field' ? `${field} is required (${issue.message})` : `${field}: ${issue.message}`;
  return invalid(field, code, message);
}
