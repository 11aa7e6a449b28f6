// Type guards that match on `name` rather than `instanceof`, so they also work when the error
// crossed a realm (an iframe, a worker, a second copy of this package in node_modules).
import type { APIConnectionError } from './api-connection-error';
import type { APIConnectionTimeoutError } from './api-connection-timeout-error';
import type {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './api-error';
import type { HighriseError } from './highrise-error';
import type { ResponseValidationError } from './response-validation-error';

const apiErrorNames = new Set([
  'APIError',
  'BadRequestError',
  'AuthenticationError',
  'PermissionDeniedError',
  'NotFoundError',
  'ConflictError',
  'PayloadTooLargeError',
  'UnsupportedMediaTypeError',
  'UnprocessableEntityError',
  'RateLimitError',
  'InternalServerError',
]);
const connectionErrorNames = new Set(['APIConnectionError', 'APIConnectionTimeoutError']);
const otherErrorNames = new Set(['HighriseError', 'APIUserAbortError', 'ResponseValidationError']);

const nameOf = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined);
const named = <T>(name: string) => (error: unknown): error is T => nameOf(error) === name;

export const isHighriseError = (error: unknown): error is HighriseError => {
  const name = nameOf(error);
  return typeof name === 'string' && (apiErrorNames.has(name) || connectionErrorNames.has(name) || otherErrorNames.has(name));
};
export const isAPIError = (error: unknown): error is APIError => apiErrorNames.has(nameOf(error) as string);
export const isAPIConnectionError = (error: unknown): error is APIConnectionError =>
  connectionErrorNames.has(nameOf(error) as string);
export const isAPIConnectionTimeoutError = named<APIConnectionTimeoutError>('APIConnectionTimeoutError');
export const isBadRequestError = named<BadRequestError>('BadRequestError');
export const isAuthenticationError = named<AuthenticationError>('AuthenticationError');
export const isPermissionDeniedError = named<PermissionDeniedError>('PermissionDeniedError');
export const isNotFoundError = named<NotFoundError>('NotFoundError');
export const isConflictError = named<ConflictError>('ConflictError');
export const isPayloadTooLargeError = named<PayloadTooLargeError>('PayloadTooLargeError');
export const isUnsupportedMediaTypeError = named<UnsupportedMediaTypeError>('UnsupportedMediaTypeError');
export const isUnprocessableEntityError = named<UnprocessableEntityError>('UnprocessableEntityError');
export const isRateLimitError = named<RateLimitError>('RateLimitError');
export const isInternalServerError = named<InternalServerError>('InternalServerError');
export const isResponseValidationError = named<ResponseValidationError>('ResponseValidationError');
