export { HighriseError } from './highrise-error';
export {
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
} from './api-error';
export type { APIErrorCode } from './api-error';
export { APIConnectionError } from './api-connection-error';
export { APIConnectionTimeoutError } from './api-connection-timeout-error';
export { APIUserAbortError } from './api-user-abort-error';
export { ResponseValidationError } from './response-validation-error';
export type { ValidationIssue } from './response-validation-error';
export * from './guards';
export { WebhookVerificationError } from './webhook-verification-error';
export type { WebhookVerificationFailure } from './webhook-verification-error';
