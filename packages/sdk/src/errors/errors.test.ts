import { describe, expect, it, vi } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ErrorBody,
  HighriseError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  UnprocessableEntityError,
  isAPIConnectionError,
  isAPIError,
  isConflictError,
  isHighriseError,
  isNotFoundError,
} from '../index';

/** An envelope exactly as the platform sends it, checked against the contract so this test cannot drift from it. */
function envelope(code: string, message: string, details?: { field: string; issue: string }[]) {
  return ErrorBody.parse({ error: { code, message, requestId: 'req_01JD8X3E5Q7R2T4V6W8Y', ...(details && { details }) } });
}

describe('APIError.generate', () => {
  it.each([
    [400, 'validation_error', BadRequestError],
    [401, 'unauthenticated', AuthenticationError],
    [403, 'permission_denied', PermissionDeniedError],
    [404, 'not_found', NotFoundError],
    [409, 'extension_exists', ConflictError],
    [422, 'tenant_suspended', UnprocessableEntityError],
    [429, 'rate_limited', RateLimitError],
    [500, 'internal_error', InternalServerError],
    [503, 'internal_error', InternalServerError],
  ])('maps %i %s to %O', (status, code, ErrorClass) => {
    const error = APIError.generate(status, envelope(code, 'nope'), new Headers());
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(HighriseError);
    expect(error.name).toBe(ErrorClass.name);
    expect(error).toMatchObject({ status, code, message: 'nope', requestId: 'req_01JD8X3E5Q7R2T4V6W8Y' });
  });

  it('keeps the per-field details of a validation error', () => {
    const body = envelope('validation_error', 'Invalid request body', [{ field: 'slug', issue: 'lowercase letters, digits and inner hyphens only' }]);
    const error = APIError.generate(400, body, new Headers());
    expect(error.details).toEqual([{ field: 'slug', issue: 'lowercase letters, digits and inner hyphens only' }]);
  });

  it('falls back to a plain APIError for a status it has no class for', () => {
    const error = APIError.generate(418, envelope('teapot', 'short and stout'), new Headers());
    expect(error.constructor).toBe(APIError);
    expect(error.code).toBe('teapot');
  });

  it('still produces a usable error from a body that is not the envelope', () => {
    const headers = new Headers({ 'x-request-id': 'proxy-77' });
    const error = APIError.generate(502, '<html>Bad Gateway</html>', headers);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: 'http_error', requestId: 'proxy-77', details: [] });
    expect(error.message).toContain('Bad Gateway');
    expect(error.headers.get('x-request-id')).toBe('proxy-77');
  });

  it('ignores malformed detail entries instead of throwing while handling an error', () => {
    const error = APIError.generate(400, { error: { code: 'validation_error', message: 'bad', details: [{ field: 1 }, 'x'] } }, new Headers());
    expect(error.details).toEqual([]);
    expect(error.requestId).toBeNull();
  });
});

describe('error hierarchy', () => {
  it('keeps connection and validation failures apart from API errors', () => {
    const timeout = new APIConnectionTimeoutError();
    expect(timeout).toBeInstanceOf(APIConnectionError);
    expect(timeout).not.toBeInstanceOf(APIError);
    const invalid = new ResponseValidationError({ message: 'bad shape', status: 200, requestId: null, issues: [], body: {} });
    expect(invalid).toBeInstanceOf(HighriseError);
    expect(invalid).not.toBeInstanceOf(APIError);
    expect(isAPIError(invalid)).toBe(false);
    expect(isAPIConnectionError(timeout)).toBe(true);
  });
});

describe('type guards', () => {
  it('recognise errors from a second copy of the SDK, where instanceof fails', async () => {
    vi.resetModules();
    const otherCopy = await import('../index');
    const foreign = otherCopy.APIError.generate(404, envelope('not_found', 'Tenant not found'), new Headers());
    expect(foreign).not.toBeInstanceOf(NotFoundError);
    expect(isNotFoundError(foreign)).toBe(true);
    expect(isAPIError(foreign)).toBe(true);
    expect(isHighriseError(foreign)).toBe(true);
    expect(isConflictError(foreign)).toBe(false);
  });

  it('reject look-alikes that are not ours', () => {
    expect(isHighriseError(new Error('x'))).toBe(false);
    expect(isAPIError({ name: 'TypeError' })).toBe(false);
    expect(isNotFoundError(null)).toBe(false);
    expect(isNotFoundError('NotFoundError')).toBe(false);
  });
});
