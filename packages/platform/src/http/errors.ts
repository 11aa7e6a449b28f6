import type { ErrorBody, ErrorCode } from '@highrise/sdk/schemas';
import { isDomainError, RateLimited } from '../domain/errors';

export type Detail = { field: string; issue: string };

/** A failure that belongs to the HTTP protocol itself (auth, parsing, routing, idempotency). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const DOMAIN_STATUS: Record<string, number> = {
  not_found: 404,
  tenant_exists: 409,
  extension_exists: 409,
  number_exists: 409,
  number_taken: 409,
  number_not_found: 404,
  permission_denied: 403,
  limit_exceeded: 422,
  tenant_suspended: 403,
  tenant_deleted: 403,
  port_orders_open: 409,
  validation_error: 400,
  reseller_suspended: 403,
  role_exists: 409,
  role_in_use: 409,
  role_immutable: 422,
  invalid_state: 422,
  numbers_unavailable: 409,
  requirements_missing: 422,
  unsupported_media_type: 415,
  payload_too_large: 413,
  webhook_url_forbidden: 400,
  rate_limited: 429,
};

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Headers the status calls for (`Retry-After` on a 429). */
  headers?: Record<string, string>;
}

/** The one translation from anything thrown to the error envelope. Unknown errors never leak their text. */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const envelope = (status: number, code: string, message: string, details: Detail[] = []): ErrorResponse => ({
    status,
    body: { error: { code, message, requestId, details } },
  });
  if (error instanceof HttpError) return envelope(error.status, error.code, error.message, error.details);
  if (error instanceof RateLimited) return { ...envelope(429, error.code, error.message), headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  if (isDomainError(error)) return envelope(DOMAIN_STATUS[error.code] ?? 422, error.code, error.message, error.details);
  return envelope(500, 'internal_error', 'something went wrong on our side; quote the requestId when reporting it');
}
