/** Table rows (db/tables.ts) to the store's row shapes (types.ts), one function per table. */
import type { Row } from '../db/tables';
import type { ApiKeyRow, AuditEventRow, CallRow, ExtensionRow, IdempotencyRecord, Page, PageQuery, ResellerRow, RoleRow, TenantRow } from '../types';
import type { DialRuleAction, DialRuleRow, NumberRow, RingGroupRow, TenantNumberRow, TrunkRow } from '../dial-plan-types';
import type { PortAddress, PortCommentRow, PortDocumentRow, PortEventRow, PortOrderRow, PortPerson } from '../porting-types';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow, WebhookEventRow } from '../webhook-types';

/** Turns `limit + 1` fetched rows into a page: the extra row only says that another page follows. */
export function paginate<R, T>(rows: readonly R[], limit: number, map: (r: R) => T, cursorOf: (item: T) => string = (item) => (item as { id: string }).id): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/**
 * The keyset step of a list read in either order: the comparison that finds the rows past the
 * cursor and the direction to sort them in. Without a cursor there is no bound at all (an empty
 * string bounds an ascending read only).
 */
export function keyset(page: PageQuery): { past: '>' | '<'; direction: 'asc' | 'desc' } {
  return page.order === 'desc' ? { past: '<', direction: 'desc' } : { past: '>', direction: 'asc' };
}

/** JSON columns are written only by the store from typed values, so they read back as that type. */
const json = <T>(text: string): T => JSON.parse(text) as T;

export const toReseller = (r: Row<'resellers'>): ResellerRow => ({ id: r.id, name: r.name, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at });

export const toTenant = (r: Row<'tenants'>): TenantRow => ({
  id: r.id,
  resellerId: r.reseller_id,
  name: r.name,
  slug: r.slug,
  status: r.status,
  limits: {
    extensions: r.limit_extensions,
    channels: r.limit_channels,
    messagesPerMinute: r.limit_messages_per_minute,
    storageBytes: r.limit_storage_bytes,
    dialRules: r.limit_dial_rules,
    ringGroups: r.limit_ring_groups,
    trunks: r.limit_trunks,
    openPortOrders: r.limit_open_port_orders,
  },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deletedAt: r.deleted_at,
  purgeAt: r.purge_at,
});

export const toExtension = (r: Row<'extensions'>): ExtensionRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  number: r.number,
  displayName: r.display_name,
  ha1: r.ha1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toCall = (r: Row<'calls'>): CallRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  callId: r.call_id,
  from: r.from_number,
  to: r.to_number,
  direction: r.direction,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  durationSeconds: r.duration_seconds,
  disposition: r.disposition,
  sipStatus: r.sip_status,
});

export const toIdempotency = (r: Row<'idempotency_records'>): IdempotencyRecord => ({
  apiKeyId: r.api_key_id,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  state: r.state,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  createdAt: r.created_at,
});

export const toAudit = (r: Row<'audit_events'>): AuditEventRow => ({
  id: r.id,
  occurredAt: r.occurred_at,
  actorKeyId: r.actor_key_id,
  tenantId: r.tenant_id,
  action: r.action,
  targetId: r.target_id,
  requestId: r.request_id,
  actorPrincipal: r.actor_principal,
  actorRole: r.actor_role,
  targetType: r.target_type,
  changes: r.changes,
  sourceAddress: r.source_address,
  chainSeq: r.chain_seq,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export const toApiKey = (r: Row<'api_keys'>): ApiKeyRow => ({
  id: r.id,
  secretHash: r.secret_hash,
  principal: r.principal,
  resellerId: r.reseller_id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  roleId: r.role_id,
  extensionId: r.extension_id,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  previousSecretHash: r.previous_secret_hash,
  previousExpiresAt: r.previous_expires_at,
});

export const toRole = (r: Row<'roles'>): RoleRow => ({
  id: r.id,
  level: r.level,
  tenantId: r.tenant_id,
  resellerId: r.reseller_id,
  name: r.name,
  description: r.description,
  permissions: json<string[]>(r.permissions),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toNumber = (r: Row<'numbers'>): NumberRow => ({
  id: r.id,
  number: r.number,
  tenantId: r.tenant_id,
  routing: r.route_type && r.tenant_id && r.route_target !== null ? { type: r.route_type, target: r.route_target } : null,
  assignedAt: r.assigned_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A number read through a tenant scope: its `tenant_id` is that tenant's, by the query's predicate. */
export const toTenantNumber =
  (tenantId: string) =>
  (r: Row<'numbers'>): TenantNumberRow => ({ ...toNumber(r), tenantId });

export const toDialRule = (r: Row<'dial_rules'>): DialRuleRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  pattern: r.pattern,
  position: r.position,
  action: json<DialRuleAction>(r.action),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toRingGroup = (r: Row<'ring_groups'>): RingGroupRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  number: r.number,
  name: r.name,
  strategy: r.strategy,
  memberTimeoutSeconds: r.member_timeout_seconds,
  members: json<string[]>(r.members),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toTrunk = (r: Row<'trunks'>): TrunkRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  username: r.username,
  ha1: r.ha1,
  callerId: r.caller_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toPortOrder = (r: Row<'port_orders'>): PortOrderRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  status: r.status,
  carrierName: r.carrier_name,
  accountNumber: r.account_number,
  pin: r.pin,
  authorisedPerson: json<PortPerson>(r.authorised_person),
  serviceAddress: json<PortAddress>(r.service_address),
  requestedFocDate: r.requested_foc_date,
  focDate: r.foc_date,
  destination: { type: r.destination_type, target: r.destination_target },
  exceptionReason: r.exception_reason,
  exceptionMessage: r.exception_message,
  carrierRef: r.carrier_ref,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  submittedAt: r.submitted_at,
  completedAt: r.completed_at,
  cancelledAt: r.cancelled_at,
});

export const toPortDocument = (r: Row<'port_documents'>): PortDocumentRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  orderId: r.order_id,
  kind: r.kind,
  filename: r.filename,
  contentType: r.content_type,
  sizeBytes: r.size_bytes,
  storagePath: r.storage_path,
  createdAt: r.created_at,
});

export const toPortComment = (r: Row<'port_comments'>): PortCommentRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  orderId: r.order_id,
  visibility: r.visibility,
  body: r.body,
  authorPrincipal: r.author_principal,
  authorKeyId: r.author_key_id,
  createdAt: r.created_at,
});

export const toPortEvent = (r: Row<'port_order_events'>): PortEventRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  orderId: r.order_id,
  action: r.action,
  fromStatus: r.from_status,
  toStatus: r.to_status,
  actorType: r.actor_type,
  actorKeyId: r.actor_key_id,
  actorPrincipal: r.actor_principal,
  reason: r.reason,
  message: r.message,
  occurredAt: r.occurred_at,
});

export const toWebhookEndpoint = (r: Row<'webhook_endpoints'>): WebhookEndpointRow => ({
  id: r.id,
  level: r.level,
  resellerId: r.reseller_id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  enabledEvents: json<string[]>(r.enabled_events),
  status: r.status,
  secretSealed: r.secret_sealed,
  previousSecretSealed: r.previous_secret_sealed,
  previousExpiresAt: r.previous_expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toWebhookEvent = (r: Row<'webhook_events'>): WebhookEventRow => ({ id: r.id, type: r.type, tenantId: r.tenant_id, createdAt: r.created_at, data: r.data });

export const toWebhookDelivery = (r: Row<'webhook_deliveries'>, eventType: string): WebhookDeliveryRow => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType,
  status: r.status,
  attemptCount: r.attempt_count,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toWebhookAttempt = (r: Row<'webhook_attempts'>): WebhookAttemptRow => ({
  attemptedAt: r.attempted_at,
  statusCode: r.status_code,
  error: r.error,
  durationMs: r.duration_ms,
});

/** Drops the keys whose value is undefined: a patch leaves those columns alone (null is a value). */
export function defined<T extends object>(patch: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
