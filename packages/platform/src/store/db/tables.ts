/**
 * The schema as migrations 0001..0011 leave it, one definition per table. Row types come from here
 * through Kysely's `Selectable` / `Insertable` / `Updateable`, so a column is named once and a row is
 * never cast from `unknown`. A new column is written here, in its migration and in the SDK schema.
 *
 * Columns with a DEFAULT are `Generated`: optional on insert. Text columns that hold one of a closed
 * set of values (guarded by a CHECK or written only by the domain) carry that union.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CallDirection, CallDisposition, PrincipalKind, RoleLevel, Status } from '../types';
import type { NumberRouteType, RingStrategy } from '../dial-plan-types';
import type { PortDocumentRow, PortEventRow, PortCommentRow, PortExceptionCode, PortStatus } from '../porting-types';
import type { WebhookDeliveryStatus, WebhookLevel } from '../webhook-types';

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface ResellersTable {
  id: string;
  name: string;
  status: Status;
  created_at: string;
  updated_at: string;
}

export interface TenantsTable {
  id: string;
  reseller_id: string | null;
  name: string;
  slug: string;
  status: Status;
  limit_extensions: number;
  limit_channels: number;
  /** 0004 */
  limit_messages_per_minute: Generated<number>;
  /** 0008 */
  limit_storage_bytes: Generated<number>;
  /** 0010 */
  limit_open_port_orders: Generated<number>;
  /** 0011 */
  limit_dial_rules: Generated<number>;
  limit_ring_groups: Generated<number>;
  limit_trunks: Generated<number>;
  dial_plan_revision: Generated<number>;
  created_at: string;
  updated_at: string;
  /** 0016: set while the tenant is deleted (store/lifecycle-types.ts). */
  deleted_at: Generated<string | null>;
  purge_at: Generated<string | null>;
  /** JSON of a `DeletedTenantState`. */
  deleted_state: Generated<string | null>;
}

export interface ExtensionsTable {
  id: string;
  tenant_id: string;
  number: string;
  display_name: string;
  ha1: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  secret_hash: string;
  principal: PrincipalKind;
  reseller_id: string | null;
  tenant_id: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
  /** 0002 */
  role_id: string | null;
  extension_id: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  previous_secret_hash: string | null;
  previous_expires_at: string | null;
}

export interface IdempotencyRecordsTable {
  api_key_id: string;
  idempotency_key: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: string;
}

export interface AuditEventsTable {
  id: string;
  occurred_at: string;
  actor_key_id: string | null;
  tenant_id: string | null;
  action: string;
  target_id: string;
  request_id: string | null;
  /** 0003: the chain. */
  actor_principal: string | null;
  actor_role: string | null;
  target_type: string | null;
  changes: string | null;
  source_address: string | null;
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface RolesTable {
  id: string;
  /** 'provider', a reseller id or a tenant id. */
  owner_id: string;
  level: RoleLevel;
  tenant_id: string | null;
  reseller_id: string | null;
  name: string;
  description: string;
  /** JSON array of permission names. */
  permissions: string;
  created_at: string;
  updated_at: string;
}

export interface TenantSigningKeysTable {
  tenant_id: string;
  secret: string;
  created_at: string;
}

/** One level's branding columns (migration 0014); `fields` is a JSON object. */
interface BrandingColumns {
  fields: string;
  logo_type: string | null;
  logo_base64: string | null;
  logo_bytes: Generated<number>;
  logo_sha256: string | null;
  updated_at: string;
}

export interface BrandingsTable extends BrandingColumns {
  /** 'provider' or a reseller id. */
  owner: string;
}

export interface TenantBrandingsTable extends BrandingColumns {
  tenant_id: string;
}

export interface CallsTable {
  id: string;
  tenant_id: string;
  call_id: string;
  from_number: string;
  to_number: string;
  direction: CallDirection;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration_seconds: number;
  disposition: CallDisposition;
  sip_status: number | null;
}

/** 0013: hourly call rollups per tenant. */
export interface CallRollupsTable {
  tenant_id: string;
  hour: string;
  calls: number;
  answered: number;
  missed: number;
  failed: number;
  refused_channels: number;
  duration_seconds: number;
}

/** 0013: the same hours summed per owner of tenants (a reseller id, '' for the provider's own). */
export interface OwnerCallRollupsTable {
  owner: string;
  hour: string;
  calls: number;
  answered: number;
  missed: number;
  failed: number;
  refused_channels: number;
  duration_seconds: number;
}

/** 0019: hourly usage per tenant (messages, refusals by limit, peaks). */
export interface UsageRollupsTable {
  tenant_id: string;
  hour: string;
  messages: number;
  refused_messages: number;
  refused_extensions: number;
  refused_storage: number;
  peak_registrations: number;
  peak_storage_bytes: number;
}

/** 0019: the counts of usage_rollups per owner of tenants (no peaks). */
export interface OwnerUsageRollupsTable {
  owner: string;
  hour: string;
  messages: number;
  refused_messages: number;
  refused_extensions: number;
  refused_storage: number;
}

export interface NumbersTable {
  id: string;
  number: string;
  tenant_id: string | null;
  route_type: NumberRouteType | null;
  route_target: string | null;
  assigned_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DialRulesTable {
  id: string;
  tenant_id: string;
  name: string;
  pattern: string;
  position: number;
  /** JSON of a `DialRuleAction`. */
  action: string;
  created_at: string;
  updated_at: string;
}

export interface RingGroupsTable {
  id: string;
  tenant_id: string;
  number: string;
  name: string;
  strategy: RingStrategy;
  member_timeout_seconds: number;
  /** JSON array of extension numbers. */
  members: string;
  created_at: string;
  updated_at: string;
}

export interface TrunksTable {
  id: string;
  tenant_id: string;
  name: string;
  username: string;
  ha1: string;
  caller_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  level: WebhookLevel;
  reseller_id: string | null;
  tenant_id: string | null;
  url: string;
  description: string;
  /** JSON array of event types, or `["*"]`. */
  enabled_events: string;
  status: 'enabled' | 'disabled';
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookEventsTable {
  id: string;
  type: string;
  tenant_id: string | null;
  created_at: string;
  data: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  status: WebhookDeliveryStatus;
  attempt_count: Generated<number>;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  /** The node sending it now, and until when its claim holds (migration 0015). */
  lease_owner: Generated<string | null>;
  leased_until: Generated<string | null>;
}

/** A periodic job's lease: the node running its tick (migration 0015). */
export interface JobLeasesTable {
  name: string;
  owner: string;
  leased_until: string;
}

/** One counted event of a sliding window every node sees (migration 0015). */
export interface RateEventsTable {
  id: string;
  bucket: string;
  /** PostgreSQL BIGINT comes back as a string. */
  at_ms: ColumnType<number | string, number, number>;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  seq: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface PortOrdersTable {
  id: string;
  tenant_id: string;
  status: PortStatus;
  carrier_name: string;
  account_number: string;
  pin: string;
  /** JSON of a `PortPerson`. */
  authorised_person: string;
  /** JSON of a `PortAddress`. */
  service_address: string;
  requested_foc_date: string;
  foc_date: string | null;
  destination_type: 'extension' | 'ring_group';
  destination_target: string;
  exception_reason: PortExceptionCode | null;
  exception_message: string | null;
  carrier_ref: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  completed_at: string | null;
  cancelled_at: string | null;
}

export interface PortOrderNumbersTable {
  order_id: string;
  tenant_id: string;
  position: number;
  number: string;
  /** 1 while the order holds the number (0010: from submit until it completes, stops or is cancelled). */
  open: Generated<number>;
}

export interface PortDocumentsTable {
  id: string;
  tenant_id: string;
  order_id: string;
  kind: PortDocumentRow['kind'];
  filename: string;
  content_type: PortDocumentRow['contentType'];
  size_bytes: number;
  storage_path: string;
  created_at: string;
}

export interface PortCommentsTable {
  id: string;
  tenant_id: string;
  order_id: string;
  visibility: PortCommentRow['visibility'];
  body: string;
  author_principal: PortCommentRow['authorPrincipal'];
  author_key_id: string;
  created_at: string;
}

export interface PortOrderEventsTable {
  id: string;
  tenant_id: string;
  order_id: string;
  action: string;
  from_status: PortStatus | null;
  to_status: PortStatus;
  actor_type: PortEventRow['actorType'];
  actor_key_id: string | null;
  actor_principal: PortEventRow['actorPrincipal'];
  reason: PortExceptionCode | null;
  message: string | null;
  occurred_at: string;
}

/** 0018, PostgreSQL only: call records the Kamailio edge writes for the platform (migrations/0018_kamailio_call_outbox.ts). */
export interface KamailioCallOutboxTable {
  id: Generated<string>;
  body: string;
  created_at: Generated<string>;
}

/** Every table of the schema. */
export interface Database {
  schema_migrations: SchemaMigrationsTable;
  settings: SettingsTable;
  resellers: ResellersTable;
  tenants: TenantsTable;
  extensions: ExtensionsTable;
  api_keys: ApiKeysTable;
  idempotency_records: IdempotencyRecordsTable;
  audit_events: AuditEventsTable;
  roles: RolesTable;
  tenant_signing_keys: TenantSigningKeysTable;
  brandings: BrandingsTable;
  tenant_brandings: TenantBrandingsTable;
  calls: CallsTable;
  call_rollups: CallRollupsTable;
  owner_call_rollups: OwnerCallRollupsTable;
  usage_rollups: UsageRollupsTable;
  owner_usage_rollups: OwnerUsageRollupsTable;
  numbers: NumbersTable;
  dial_rules: DialRulesTable;
  ring_groups: RingGroupsTable;
  trunks: TrunksTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  job_leases: JobLeasesTable;
  rate_events: RateEventsTable;
  port_orders: PortOrdersTable;
  port_order_numbers: PortOrderNumbersTable;
  port_documents: PortDocumentsTable;
  port_comments: PortCommentsTable;
  port_order_events: PortOrderEventsTable;
  kamailio_call_outbox: KamailioCallOutboxTable;
}

export type TableName = keyof Database;

/**
 * Tables with a `tenant_id` column: a tenant's rows in them are read and written only through the
 * tenant query helper (store/kysely/tenant-db.ts), which adds the predicate itself.
 */
export type TenantTable = { [K in TableName]: 'tenant_id' extends keyof Database[K] ? K : never }[TableName];

export type Row<T extends TableName> = Selectable<Database[T]>;
export type NewRow<T extends TableName> = Insertable<Database[T]>;
export type RowPatch<T extends TableName> = Updateable<Database[T]>;
