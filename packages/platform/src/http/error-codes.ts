import type { ErrorCode } from '@highrise/sdk/schemas';

export interface ErrorCodeInfo {
  status: number;
  /** One line for the OpenAPI document: when a client sees this code. */
  description: string;
  /** Sent as `Retry-After` with the code: when trying again is expected to work after a short wait. */
  retryAfterSeconds?: number;
}

/**
 * Every stable error code the SDK knows, with the one HTTP status it is answered with. `satisfies`
 * makes a code added to the SDK's union without a row here (or a row for a code the SDK does not
 * know) a compile error, so the status a client sees and the code it switches on cannot drift apart.
 */
export const ERROR_CODES = {
  api_version_unknown: { status: 400, description: 'The Highrise-Version header names no version of this API' },
  validation_error: { status: 400, description: 'A field, query parameter or header fails validation, or the body is not JSON; `details` names each field' },
  webhook_url_forbidden: { status: 400, description: 'The webhook URL points at an address the platform will not call' },
  unauthenticated: { status: 401, description: 'Missing, unknown, revoked or expired API key' },
  permission_denied: { status: 403, description: "The key (or its role) may not do this" },
  tenant_suspended: { status: 403, description: 'The tenant is suspended' },
  reseller_suspended: { status: 403, description: 'The reseller is suspended' },
  tenant_deleted: { status: 403, description: 'The tenant is deleted (restorable until its purge); only reads, restore and export are answered' },
  not_found: { status: 404, description: 'No such resource, or one this key may not see (the two look alike)' },
  route_not_found: { status: 404, description: 'No route for this method and path' },
  number_not_found: { status: 404, description: 'No such number in the inventory' },
  method_not_allowed: { status: 405, description: 'The path exists but not with this method; `Allow` lists the methods' },
  tenant_exists: { status: 409, description: 'A tenant with this slug exists' },
  extension_exists: { status: 409, description: 'The tenant has an extension with this number' },
  idempotency_key_in_use: { status: 409, description: 'A request with this Idempotency-Key is still in progress; retry after `Retry-After` seconds to get its stored response', retryAfterSeconds: 1 },
  role_exists: { status: 409, description: 'A role with this name exists' },
  role_in_use: { status: 409, description: 'Keys still hold this role' },
  number_exists: { status: 409, description: 'The number is already in the inventory' },
  number_taken: { status: 409, description: 'The number belongs to another tenant or route' },
  port_orders_open: { status: 409, description: 'The tenant still has open port orders' },
  numbers_unavailable: { status: 409, description: 'Some of the numbers cannot be ported now' },
  payload_too_large: { status: 413, description: 'The request body is over the limit' },
  unsupported_media_type: { status: 415, description: 'The upload is not of an accepted type' },
  idempotency_key_reused: { status: 422, description: 'This Idempotency-Key was used with a different request' },
  limit_exceeded: { status: 422, description: "The tenant's limit would be exceeded" },
  role_immutable: { status: 422, description: 'Built-in roles cannot be changed' },
  invalid_state: { status: 422, description: 'Not possible in the current state' },
  requirements_missing: { status: 422, description: 'Something required for this step is missing' },
  rate_limited: { status: 429, description: 'Too many requests (or failed authentications) from this caller; see `Retry-After`' },
  internal_error: { status: 500, description: 'Our fault; quote the requestId when reporting it' },
} as const satisfies Record<ErrorCode, ErrorCodeInfo>;

export const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

/** `Retry-After` seconds that go with a code, if any (`idempotency_key_in_use`: the first request is still running). */
export const retryAfterOf = (code: ErrorCode): number | undefined => (ERROR_CODES[code] as ErrorCodeInfo).retryAfterSeconds;
