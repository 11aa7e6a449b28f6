import { z } from 'zod';

/** A prefixed, sortable identifier such as `ten_01J…`. */
export const prefixedId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{10,40}$`), `must be an id starting with ${prefix}_`);

export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 time', example: '2026-11-28T10:00:00.000Z' });

export const ErrorDetail = z
  .object({
    field: z.string().meta({ description: 'Dotted path of the offending field, empty for the whole body' }),
    issue: z.string(),
  })
  .meta({ id: 'ErrorDetail' });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/** Stable, documented error codes. A client switches on `code`, never on `message`. */
export const ErrorCode = z.enum([
  'validation_error',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'payload_too_large',
  'tenant_exists',
  'extension_exists',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'tenant_suspended',
  'tenant_deleted',
  'port_orders_open',
  'api_version_unknown',
  'limit_exceeded',
  'rate_limited',
  'reseller_suspended',
  'role_exists',
  'role_in_use',
  'role_immutable',
  'number_exists',
  'number_taken',
  'number_not_found',
  'invalid_state',
  'numbers_unavailable',
  'requirements_missing',
  'unsupported_media_type',
  'webhook_url_forbidden',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'One of the stable error codes', example: 'extension_exists' }),
      message: z.string(),
      requestId: z.string(),
      details: z.array(ErrorDetail).optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const ListParams = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
});
export type ListParams = z.input<typeof ListParams>;

/**
 * The direction of a list whose ids are time-sortable: `asc` oldest first (the default, as every
 * list has always been), `desc` newest first. `nextCursor` continues in the order it was read in,
 * so the same `order` goes with the cursor on the next request (the SDK's paging does this).
 */
export const ListOrder = z
  .enum(['asc', 'desc'])
  .meta({ id: 'ListOrder', description: '`asc`: oldest first (default); `desc`: newest first. Pass the same order with a cursor.', example: 'desc' });
export type ListOrder = z.infer<typeof ListOrder>;

/** `limit`, `cursor` and `order`: a list that can be read newest first. */
export const OrderedListParams = ListParams.extend({ order: ListOrder.default('asc') });
export type OrderedListParams = Omit<z.input<typeof OrderedListParams>, 'limit'> & { limit?: number };

/** `{ data, nextCursor }`: pass `nextCursor` back as `cursor` until it is null. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
export type Page<T> = { data: T[]; nextCursor: string | null };

export const Deleted = z
  .object({ id: z.string(), object: z.string(), deleted: z.literal(true) })
  .meta({ id: 'Deleted' });
export type Deleted = z.infer<typeof Deleted>;

/** `GET /healthz` */
export const Health = z.object({ ok: z.literal(true) }).meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

/** `GET /openapi.json`: an OpenAPI 3.1 document, checked only for its version field. */
export const OpenApiDocument = z.looseObject({ openapi: z.string() }).meta({ id: 'OpenApiDocument' });
