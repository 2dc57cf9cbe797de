/**
 * Request validation with zod: the first problem of a body becomes an ApiError naming the
 * field, a machine-readable code and what is allowed.
 */
import type { z } from 'zod';
import { UNKNOWN_FIELD, invalid, type ApiError } from '../errors/index.js';

function codeOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code !== 'unrecognized_keys') return 'missing_field';
  if (issue.code === 'too_small' || issue.code === 'too_big') return 'out_of_range';
  if (issue.code === 'unrecognized_keys') return UNKNOWN_FIELD;
  return issue.code;
}

/** Parses `input` with `schema`, or throws the ApiError of its first issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw toApiError(parsed.error.issues[0]!, input);
}

function toApiError(issue: z.core.$ZodIssue, input: unknown): ApiError {
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
  // A client's key can be any length: the answer names at most its first 64 characters.
  const field = key === undefined ? 'body' : String(key).slice(0, 64);
  const value = typeof input === 'object' && input !== null && key !== undefined ? (input as Record<string, unknown>)[String(key)] : input;
  const code = codeOf(issue, value);
  const message = code === 'missing_field' ? `${field} is required (${issue.message})` : `${field}: ${issue.message}`;
  return invalid(field, code, message);
}
