import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { errorType, sanitizeErrorType } from './index.js';

describe('errorType', () => {
  it('prefers the code, then the name, then the class, in snake_case', () => {
    expect(errorType(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('enoent');
    expect(errorType(new TypeError('x'))).toBe('type_error');
    expect(errorType(new HTTPException(404))).toBe('http_exception');
    expect(errorType(new DOMException('stop', 'AbortError'))).toBe('abort_error');
  });

  it('gives "unknown" for values that are not errors', () => {
    expect(errorType('kaput')).toBe('unknown');
    expect(errorType(undefined)).toBe('unknown');
    expect(errorType({})).toBe('unknown');
  });

  it('keeps caller-chosen types short and in one spelling', () => {
    expect(sanitizeErrorType('Out of memory!')).toBe('out_of_memory');
    expect(sanitizeErrorType('x'.repeat(500))).toHaveLength(48);
    expect(sanitizeErrorType('***')).toBe('unknown');
  });
});
