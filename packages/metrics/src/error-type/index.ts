/**
 * The bounded `error_type` / `type` label of an error: its `code` (ENOENT, ERR_...) or its
 * `name` (TypeError, AbortError) or class (HTTPException), in snake_case. The metric's label guard caps how many
 * distinct values survive; this keeps each value short and in one spelling.
 */

const MAX_LENGTH = 48;
const UNKNOWN = 'unknown';

/** `TypeError` -> `type_error`, `HTTPException` -> `http_exception`, `ERR_STREAM_PREMATURE_CLOSE` -> `err_stream_premature_close`. */
export function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return UNKNOWN;
  const { code, name, constructor } = error as { code?: unknown; name?: unknown; constructor?: { name?: unknown } };
  if (typeof code === 'string' && code !== '') return sanitizeErrorType(code);
  // Subclasses that keep name = 'Error' (hono's HTTPException) are told apart by their class.
  const className = constructor?.name;
  if (name === 'Error' && typeof className === 'string' && className !== '' && className !== 'Object') {
    return sanitizeErrorType(className);
  }
  if (typeof name === 'string' && name !== '') return sanitizeErrorType(name);
  return UNKNOWN;
}

/** Any caller-chosen error type, in the same spelling as errorType's. */
export function sanitizeErrorType(raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
    .slice(0, MAX_LENGTH);
  return snake === '' ? UNKNOWN : snake;
}
