import type { ErrorCode, ErrorDetail } from '../schemas/common';
import { HighriseError } from './highrise-error';
import { retryAfterMs } from '../core/retry';

/** A known code autocompletes; an unknown one from a newer platform still type-checks. */
export type APIErrorCode = ErrorCode | (string & {});

export interface APIErrorInit {
  status: number;
  code: APIErrorCode;
  message: string;
  requestId: string | null;
  details: ErrorDetail[];
  headers: Headers;
}

/** The platform answered with a non-2xx status. Switch on `code`, never on `message`. */
export class APIError extends HighriseError {
  override name = 'APIError';
  readonly status: number;
  readonly code: APIErrorCode;
  readonly requestId: string | null;
  /** Per-field problems of a `validation_error` (`field` is a dotted path). */
  readonly details: ErrorDetail[];
  readonly headers: Headers;
  /**
   * Seconds the platform asked to wait (`Retry-After`), or null. Set when the SDK gave up because
   * the wait exceeded its cap (60 s) or its retries ran out: retry after this long, if at all.
   */
  readonly retryAfter: number | null;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
    this.headers = init.headers;
    const wait = retryAfterMs(init.headers);
    this.retryAfter = wait === undefined ? null : Math.max(0, Math.ceil(wait / 1000));
  }

  /**
   * The one place an HTTP failure becomes a class. `body` is the parsed response body (or
   * `undefined`); the platform's envelope is `{ error: { code, message, requestId, details } }`,
   * anything else (a proxy's HTML page, say) still yields a usable error.
   */
  static generate(status: number, body: unknown, headers: Headers): APIError {
    const envelope = readEnvelope(body);
    const init: APIErrorInit = {
      status,
      code: envelope?.code ?? 'http_error',
      message: envelope?.message ?? `HTTP ${status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`,
      requestId: envelope?.requestId ?? headers.get('request-id') ?? headers.get('x-request-id'),
      details: envelope?.details ?? [],
      headers,
    };
    const ErrorClass = classForStatus(status);
    return new ErrorClass(init);
  }
}

// The status classes sit beside APIError on purpose: `generate` must construct them, and an ES
// module import cycle between a base class and its subclasses fails at load time (`extends` of
// an uninitialised binding), so one file keeps the hierarchy and its factory together.

/** 400: malformed JSON or a field that failed validation (see `details`). */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
/** 401: missing, unknown or revoked API key. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** 403: the key is valid but its role may not do this. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/** 404: missing, or belonging to another tenant (the two look the same on purpose). */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
/** 409: a unique name is taken (`extension_exists`, `tenant_exists`) or an idempotency clash. */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/** 413: the body (an upload, say) is larger than the platform accepts (`payload_too_large`). */
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
/** 415: the platform does not accept this Content-Type here (`unsupported_media_type`). */
export class UnsupportedMediaTypeError extends APIError {
  override name = 'UnsupportedMediaTypeError';
}
/** 422: well-formed but not allowed in the current state (e.g. `tenant_suspended`). */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
/** 429: slow down; the SDK already retried honouring `Retry-After`. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
/** 5xx: the platform failed; the SDK already retried. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

function classForStatus(status: number): new (init: APIErrorInit) => APIError {
  switch (status) {
    case 400: return BadRequestError;
    case 401: return AuthenticationError;
    case 403: return PermissionDeniedError;
    case 404: return NotFoundError;
    case 409: return ConflictError;
    case 413: return PayloadTooLargeError;
    case 415: return UnsupportedMediaTypeError;
    case 422: return UnprocessableEntityError;
    case 429: return RateLimitError;
    default: return status >= 500 ? InternalServerError : APIError;
  }
}

/** Reads the envelope leniently: an error path must never throw a second error. */
function readEnvelope(body: unknown): { code?: string; message?: string; requestId?: string; details?: ErrorDetail[] } | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { code, message, requestId, details } = body.error;
  return {
    ...(typeof code === 'string' && { code }),
    ...(typeof message === 'string' && { message }),
    ...(typeof requestId === 'string' && { requestId }),
    ...(Array.isArray(details) && { details: details.filter(isErrorDetail) }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.field === 'string' && typeof value.issue === 'string';
}
