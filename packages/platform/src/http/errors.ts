import type { ErrorBody, ErrorCode } from '@highrise/sdk/schemas';
import { isDomainError, RateLimited } from '../domain/errors';
import { retryAfterOf, statusOf } from './error-codes';

export type Detail = { field: string; issue: string };

/**
 * A failure that belongs to the HTTP protocol itself (auth, parsing, routing, idempotency). Its
 * status is the code's (error-codes.ts), never chosen at the throw site.
 */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = statusOf(code);
  }
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Headers the status calls for (`Retry-After` on a 429 and on `idempotency_key_in_use`). */
  headers?: Record<string, string>;
}

/** The one translation from anything thrown to the error envelope. Unknown errors never leak their text. */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const envelope = (code: ErrorCode, message: string, details: Detail[] = []): ErrorResponse => {
    const retryAfter = retryAfterOf(code);
    return {
      status: statusOf(code),
      body: { error: { code, message, requestId, details } },
      ...(retryAfter === undefined ? {} : { headers: { 'Retry-After': String(retryAfter) } }),
    };
  };
  if (error instanceof HttpError) return envelope(error.code, error.message, error.details);
  if (error instanceof RateLimited) return { ...envelope(error.code, error.message), headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  if (isDomainError(error)) return envelope(error.code, error.message, error.details);
  return envelope('internal_error', 'something went wrong on our side; quote the requestId when reporting it');
}
