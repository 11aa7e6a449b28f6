/**
 * The storage contract. Platform-wide rows (tenants, resellers, keys) have their own collections;
 * tenant-owned rows are reachable only through `store.tenant(scope)`, where `scope` is a
 * `TenantScope` (store/tenant-scope.ts) that only the access check and the named system scopes
 * hand out, so every query for them is bound to one tenant by construction.
 */
import type { TenantScope } from './tenant-scope';
export type { TenantScope } from './tenant-scope';

export type Status = 'active' | 'suspended';
export type PrincipalKind = 'provider' | 'reseller' | 'tenant';

export interface ResellerRow {
  id: string;
  name: string;
  status: Status;
  createdAt: string;
  updatedAt: string;
}

export interface TenantRow {
  id: string;
  resellerId: string | null;
  name: string;
  slug: string;
  status: Status;
  limits: { extensions: number; channels: number; messagesPerMinute: number; storageBytes: number; dialRules: number; ringGroups: number; trunks: number; openPortOrders: number };
  createdAt: string;
  updatedAt: string;
  /** Set while the tenant is deleted (its `status` then says `suspended`); absent or null otherwise. */
  deletedAt?: string | null | undefined;
  /** When the purge job deletes a deleted tenant's data. */
  purgeAt?: string | null | undefined;
}

export interface ExtensionRow {
  id: string;
  tenantId: string;
  number: string;
  displayName: string;
  /** MD5(`number:sipDomain:password`); the password itself is never stored. */
  ha1: string;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKeyRow {
  id: string;
  /** sha256 (hex) of the secret; the secret itself is never stored. */
  secretHash: string;
  principal: PrincipalKind;
  resellerId: string | null;
  tenantId: string | null;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** A built-in (`rol_tenantOwner`) or custom role id; null on keys made before roles existed (= owner). */
  roleId: string | null;
  /** Set on user keys: the extension whose owner the key acts as. */
  extensionId: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The secret before the last rotation, valid until `previousExpiresAt`. */
  previousSecretHash: string | null;
  previousExpiresAt: string | null;
}

/** What `insert` needs: the identity fields default to null. */
export type ApiKeyInsert = Omit<ApiKeyRow, IdentityKeyFields> & Partial<Pick<ApiKeyRow, IdentityKeyFields>>;
type IdentityKeyFields = 'roleId' | 'extensionId' | 'expiresAt' | 'revokedAt' | 'previousSecretHash' | 'previousExpiresAt';
export type ApiKeyPatch = Partial<Pick<ApiKeyRow, 'secretHash' | 'revokedAt' | 'previousSecretHash' | 'previousExpiresAt'>>;

export type RoleLevel = 'provider' | 'reseller' | 'tenant';

export interface RoleRow {
  id: string;
  level: RoleLevel;
  tenantId: string | null;
  resellerId: string | null;
  name: string;
  description: string;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}
export type RolePatch = Partial<Pick<RoleRow, 'name' | 'description' | 'permissions' | 'updatedAt'>>;

/** Roles of one owner: the provider, one reseller (both via `store.roles`) or one tenant (via its scope). */
export interface RoleCollection {
  list(page: PageQuery): Promise<Page<RoleRow>>;
  get(id: string): Promise<RoleRow | undefined>;
  getByName(name: string): Promise<RoleRow | undefined>;
  insert(row: RoleRow): Promise<RoleRow>;
  update(id: string, patch: RolePatch): Promise<RoleRow | undefined>;
  delete(id: string): Promise<boolean>;
}

/** The domain stores only a hash of the Idempotency-Key and a sealed response body; see domain/idempotency. */
export interface IdempotencyRecord {
  apiKeyId: string;
  idempotencyKey: string;
  requestHash: string;
  state: 'in_flight' | 'done';
  responseStatus: number | null;
  responseBody: string | null;
  createdAt: string;
}

export interface AuditEventRow {
  id: string;
  occurredAt: string;
  actorKeyId: string | null;
  tenantId: string | null;
  action: string;
  targetId: string;
  requestId: string | null;
  /** The chain fields (0003): optional so rows written before them, and older callers, still fit. */
  actorPrincipal?: string | null | undefined;
  actorRole?: string | null | undefined;
  targetType?: string | null | undefined;
  /** JSON of `{ field: { before, after } }`, secrets already redacted. */
  changes?: string | null | undefined;
  sourceAddress?: string | null | undefined;
  /** Position in its chain (the tenant's, or the platform's when `tenantId` is null), from 1. */
  chainSeq?: number | null | undefined;
  prevHash?: string | null | undefined;
  hash?: string | null | undefined;
}

/** Audit list filters; `from` inclusive and `to` exclusive bounds on `occurredAt` (ISO 8601). */
export interface AuditFilter {
  actorKeyId?: string | undefined;
  action?: string | undefined;
  targetId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export type CallDirection = 'internal' | 'inbound' | 'outbound';
export type CallDisposition = 'answered' | 'no_answer' | 'busy' | 'failed' | 'cancelled' | 'limit' | 'rejected';

/** A call record with the scope of the tenant it belongs to. */
export interface ScopedCallRecord {
  scope: TenantScope;
  row: Omit<CallRow, 'tenantId'>;
}

export interface CallRow {
  id: string;
  tenantId: string;
  /** The SIP Call-ID of the call's first INVITE. */
  callId: string;
  /** Tenant-scoped caller and callee as dialled (`101`), never another tenant's. */
  from: string;
  to: string;
  direction: CallDirection;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  /** Seconds from answer to end; 0 for a call never answered. */
  durationSeconds: number;
  disposition: CallDisposition;
  /** The final SIP status the caller got, when there was one. */
  sipStatus: number | null;
}

export interface CallFilter {
  from?: string | undefined;
  to?: string | undefined;
  /** Either party. */
  extension?: string | undefined;
  disposition?: CallDisposition | undefined;
  direction?: CallDirection | undefined;
  /** Inclusive lower and exclusive upper bound on `startedAt` (ISO 8601). */
  startedFrom?: string | undefined;
  startedBefore?: string | undefined;
}

/** Calls that started in one UTC hour (or summed over several), from the hourly rollups (migration 0013). */
export interface CallCounts {
  calls: number;
  answered: number;
  /** No answer, busy, cancelled. */
  missed: number;
  /** Failed, rejected, refused by the channel limit. */
  failed: number;
  /** Refused because the tenant was at its channel limit (also counted in `failed`). */
  refusedChannels: number;
  durationSeconds: number;
}

export interface CallHour extends CallCounts {
  /** ISO instant the UTC hour starts. */
  hour: string;
}

/**
 * Usage in one UTC hour (migration 0019): SIP MESSAGEs routed, refusals by limit (channel refusals
 * are call records: CallCounts.refusedChannels), and the most registrations and stored bytes seen.
 */
export interface UsageCounts {
  messages: number;
  refusedMessages: number;
  refusedExtensions: number;
  refusedStorage: number;
  peakRegistrations: number;
  peakStorageBytes: number;
}

export interface UsageHour extends UsageCounts {
  /** ISO instant the UTC hour starts. */
  hour: string;
}

/** One tenant's usage increments for one hour, with the scope of that tenant. */
export interface ScopedUsageHour {
  scope: TenantScope;
  hour: string;
  counts: UsageCounts;
}

/** When one call held a channel: the bounds of a peak-concurrency sweep. */
export interface CallSpan {
  startedAt: string;
  endedAt: string;
}

/**
 * `after` is an exclusive cursor over the sortable ids, in the list's `order`: with `desc` (newest
 * first) the page holds the ids below it. Lists that take no order read ascending whatever is set.
 */
export interface PageQuery {
  limit: number;
  after?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `after` for the next page; null on the last page. */
  next: string | null;
}

import type { TenantLifecycleStore } from './lifecycle-types';
import type { DialPlanScope, NumberInventory } from './dial-plan-types';
export type * from './dial-plan-types';
import type { PortingPlatform, PortingScope } from './porting-types';
export type * from './porting-types';
import type { WebhookPlatform, WebhookScope } from './webhook-types';
import type { Leases } from './lease-types';
export type * from './webhook-types';

/** One tenant's collections, as `store.tenant(scope)` hands them out. */
export interface TenantData extends DialPlanScope, PortingScope, WebhookScope {
  readonly tenantId: string;
  extensions: {
    list(page: PageQuery): Promise<Page<ExtensionRow>>;
    get(id: string): Promise<ExtensionRow | undefined>;
    getByNumber(number: string): Promise<ExtensionRow | undefined>;
    count(): Promise<number>;
    insert(row: Omit<ExtensionRow, 'tenantId'>): Promise<ExtensionRow>;
    /** Many rows in as few statements as the database allows (a batch create); all or none inside the caller's transaction. */
    insertMany(rows: readonly Omit<ExtensionRow, 'tenantId'>[]): Promise<void>;
    /** Which of `numbers` an extension or a ring group of this tenant already holds (they share one dialable namespace). */
    takenNumbers(numbers: readonly string[]): Promise<string[]>;
    update(id: string, patch: Partial<Pick<ExtensionRow, 'displayName' | 'ha1' | 'updatedAt'>>): Promise<ExtensionRow | undefined>;
    delete(id: string): Promise<boolean>;
  };
  auditEvents: {
    list(page: PageQuery, filter?: AuditFilter): Promise<Page<AuditEventRow>>;
    /** Up to `limit` of the tenant's chained events after `afterSeq`, in chain order (verification reads a chunk at a time). */
    chainAfter(afterSeq: number, limit: number): Promise<AuditEventRow[]>;
  };
  /** The tenant's roles (names unique inside the tenant only). */
  roles: RoleCollection;
  /** Keys of this tenant's principals (admins and user keys). */
  apiKeys: {
    list(page: PageQuery): Promise<Page<ApiKeyRow>>;
    get(id: string): Promise<ApiKeyRow | undefined>;
    insert(row: Omit<ApiKeyInsert, 'tenantId' | 'principal' | 'resellerId'>): Promise<ApiKeyRow>;
    /** Rotation and revocation of this tenant's keys; another tenant's key id matches nothing. */
    update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRow | undefined>;
  };
  /** The secret that signs this tenant's softphone tokens; replacing it invalidates every earlier token. */
  signingKey: {
    get(): Promise<string | undefined>;
    set(secret: string, at: string): Promise<void>;
    /** Stores `secret` only when the tenant has none; returns the seed stored afterwards (theirs if another won). */
    getOrInsert(secret: string, at: string): Promise<string>;
  };
  /** The tenant's own branding (issue 11). */
  branding: BrandingSlot;
  calls: {
    insert(row: Omit<CallRow, 'tenantId'>): Promise<CallRow>;
    get(id: string): Promise<CallRow | undefined>;
    list(page: PageQuery, filter?: CallFilter): Promise<Page<CallRow>>;
    /** The tenant's hourly rollups for hours in [fromHour, toHour), oldest first; hours without calls are absent. */
    hourly(fromHour: string, toHour: string): Promise<CallHour[]>;
    /** Calls that held a channel at some instant in [from, to) and started at most a day before `from`. */
    spans(from: string, to: string): Promise<CallSpan[]>;
  };
  usage: {
    /** The tenant's usage rollups for hours in [fromHour, toHour), oldest first; hours without a row are absent. */
    hourly(fromHour: string, toHour: string): Promise<UsageHour[]>;
  };
}

/** One level's branding: the fields it sets (JSON, absent = inherited) and its logo. */
export interface BrandingRow {
  fields: Record<string, unknown>;
  logo: { contentType: string; base64: string; sizeBytes: number; sha256: string } | null;
  updatedAt: string;
}

/** One level's branding slot: at most one row. */
export interface BrandingSlot {
  get(): Promise<BrandingRow | undefined>;
  set(row: BrandingRow): Promise<void>;
}

/** Rows the SIP edge's in-memory directory holds changed: one extension, one tenant's anything, or (rarely) anyone's. */
export type DirectoryChange =
  | { kind: 'extension'; tenantId: string; extensionId: string }
  /**
   * New extensions of one tenant written together (a batch), with their rows: this store's own
   * listeners add them without reading them back. Other nodes hear it as the tenant's change (a
   * NOTIFY carries no HA1 and has no room for a thousand rows).
   */
  | { kind: 'extensions'; tenantId: string; rows: readonly ExtensionRow[] }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'all' };

/**
 * Every method answers with a Promise; only `tenant()` and `roles()` (and `webhooks.endpoints()`)
 * hand out a scope object synchronously, as they run no query.
 */
export interface Store {
  /**
   * Runs `fn` in one transaction: committed when its promise resolves, rolled back when it rejects.
   * Nested calls (from inside `fn`, however deep the awaits) join the outer one. Other callers'
   * statements and transactions wait until it ends.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** The tenant's own rows; the scope comes from the access check or a named system scope, never from a string. */
  tenant(scope: TenantScope): TenantData;
  /** Every DID on the platform, assigned or not: the provider's inventory. Tenants read theirs through `tenant(id).numbers`. */
  numbers: NumberInventory;
  /** Soft deletion, restore and purge of tenants. */
  lifecycle: TenantLifecycleStore;
  /** Port orders across tenants, for the carrier loop and the platform-wide number conflict check. */
  porting: PortingPlatform;
  /** Provider and reseller webhook endpoints, the event fan-out and the delivery queue. */
  webhooks: WebhookPlatform;
  /** Periodic jobs' leases and the rate windows every node sees (lease-types.ts). */
  leases: Leases;
  /** Call records the Kamailio edge writes for the platform to store (PostgreSQL only; always empty on SQLite). */
  kamailioOutbox: {
    /**
     * Removes up to `limit` of the oldest bodies in one transaction: each is made an item by
     * `handle.each` (one that throws is dropped, and is in `failed`), then the items are stored
     * together by `handle.all`, in a savepoint. When that throws, each item is stored alone in its
     * own savepoint, and one that still throws is dropped. If the transaction itself fails, every
     * row stays. Rows another node is draining are skipped.
     */
    drain<T>(limit: number, handle: { each(body: string): Promise<T>; all(items: readonly T[]): Promise<void> }): Promise<{ taken: number; failed: { body: string; error: unknown }[] }>;
  };
  /**
   * Call records of many tenants at once (the SIP edge's batches), each with the scope of its own
   * tenant: the records and their hours' rollups in one transaction (joining the caller's, if any),
   * all or nothing. `tenant(scope).calls.insert` is this with one record.
   */
  callRecords: {
    append(records: readonly ScopedCallRecord[]): Promise<void>;
  };
  /**
   * Usage increments of many tenants at once (a UsageCounter's flush), in one transaction: counts
   * added to what is stored, peaks kept as the larger, per tenant and per owner of tenants.
   */
  usageRollups: {
    add(rows: readonly ScopedUsageHour[]): Promise<void>;
  };

  settings: {
    get(key: string): Promise<string | undefined>;
    /** Inserts only when absent and returns the value that is stored afterwards. */
    getOrInsert(key: string, value: string): Promise<string>;
  };
  resellers: {
    insert(row: ResellerRow): Promise<ResellerRow>;
    get(id: string): Promise<ResellerRow | undefined>;
    list(page: PageQuery): Promise<Page<ResellerRow>>;
    update(id: string, patch: Partial<Pick<ResellerRow, 'name' | 'status' | 'updatedAt'>>): Promise<ResellerRow | undefined>;
  };
  /** Branding above tenants: `owner` is 'provider' or a reseller id. A tenant's is in its scope. */
  brandings: {
    get(owner: string): Promise<BrandingRow | undefined>;
    set(owner: string, row: BrandingRow): Promise<void>;
  };
  /** Roles above tenants: `owner` is 'provider' or a reseller id. Tenant roles live in the tenant scope. */
  roles(owner: 'provider' | { resellerId: string }): RoleCollection;
  tenants: {
    insert(row: TenantRow): Promise<TenantRow>;
    get(id: string): Promise<TenantRow | undefined>;
    getBySlug(slug: string): Promise<TenantRow | undefined>;
    /**
     * All tenants, or those of one reseller, or the one tenant a tenant key may see. Deleted tenants
     * only with `deleted: true` (then only they); `status` narrows the others.
     */
    list(page: PageQuery, filter?: { resellerId?: string; id?: string; deleted?: boolean; status?: Status }): Promise<Page<TenantRow>>;
    update(id: string, patch: Partial<Pick<TenantRow, 'name' | 'status' | 'limits' | 'updatedAt'>>): Promise<TenantRow | undefined>;
  };
  /**
   * Keys above tenants (provider and reseller keys); a tenant's keys are read and changed through
   * its scope. The two cross-tenant calls are authentication's: the secret's key, whoever owns it,
   * and its last-used time.
   */
  apiKeys: {
    /** A provider or reseller key (`tenant_id` null); a tenant's keys are made through its scope. */
    insert(row: Omit<ApiKeyInsert, 'tenantId'>): Promise<ApiKeyRow>;
    /** System lookup for authentication: matches the current secret or, during a rotation's grace period, the previous one, across all keys. */
    getBySecretHashAnyTenant(hash: string): Promise<ApiKeyRow | undefined>;
    /** Platform keys of one principal kind (the bootstrap asks whether a provider key exists). */
    countByPrincipal(principal: Exclude<PrincipalKind, 'tenant'>): Promise<number>;
    /** The last-used time of the key the secret just resolved to: a tenant key through its tenant's scope, a platform key with null. */
    touch(scope: TenantScope | null, id: string, at: string): Promise<void>;
    /** An unrevoked platform key as its viewer sees it: the provider, provider and reseller keys; a reseller, its own. Never a tenant's key. */
    get(id: string, viewer: 'provider' | { resellerId: string }): Promise<ApiKeyRow | undefined>;
    /** Unrevoked provider keys, or one reseller's keys. Tenant keys are listed through the tenant scope. */
    list(page: PageQuery, owner: 'provider' | { resellerId: string }): Promise<Page<ApiKeyRow>>;
    /** Rotation and revocation of a platform key; a tenant's key id matches nothing (those change through the scope). */
    update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRow | undefined>;
    /** Unrevoked keys holding a role, so a role in use is not deleted under them: the role owner's tenant's keys, or platform keys with null. */
    countByRole(scope: TenantScope | null, roleId: string): Promise<number>;
  };
  idempotency: {
    get(apiKeyId: string, key: string): Promise<IdempotencyRecord | undefined>;
    /**
     * Holds the key until the current transaction ends, without waiting: false when another
     * transaction holds it (PostgreSQL). SQLite runs one transaction at a time, so always true there.
     */
    tryLock(apiKeyId: string, key: string): Promise<boolean>;
    /** Claims the key; false when a record already exists. */
    claim(record: Omit<IdempotencyRecord, 'state' | 'responseStatus' | 'responseBody'>): Promise<boolean>;
    complete(apiKeyId: string, key: string, status: number, body: string): Promise<void>;
    release(apiKeyId: string, key: string): Promise<void>;
    /** Deletes every record created before `createdAt` (ISO); returns how many. */
    purgeCreatedBefore(createdAt: string): Promise<number>;
  };
  /**
   * The audit chains: a tenant's, reached with its scope, or the platform's, with null (events of no
   * tenant: provider and reseller changes, failed logins of unknown keys). The event's `tenantId` is
   * the scope's; the row's own field is not read.
   */
  audit: {
    record(scope: TenantScope | null, event: Omit<AuditEventRow, 'tenantId'>): Promise<void>;
    /** Several events in as few statements as the database allows (a batch's events, already chained). */
    recordMany(scope: TenantScope | null, events: readonly Omit<AuditEventRow, 'tenantId'>[]): Promise<void>;
    /** The last chained event of a tenant's chain, or of the platform chain for null. */
    head(scope: TenantScope | null): Promise<{ chainSeq: number; hash: string } | undefined>;
    /** Chain maintenance (re-keying): a chain's events after `afterSeq`, and a new hash for one of its events. */
    chainAfter(scope: TenantScope | null, afterSeq: number, limit: number): Promise<AuditEventRow[]>;
    rehash(scope: TenantScope | null, id: string, prevHash: string, hash: string): Promise<void>;
    /** Every chain's tenant id (null: the platform's), for the one-off re-keying job. */
    chainsAcrossTenants(): Promise<(string | null)[]>;
    anyHashStartingWithAcrossTenants(prefix: string): Promise<boolean>;
    /** Across tenants: everything (provider), or only the tenants of one reseller (no platform events). */
    listAcrossTenants(page: PageQuery, filter: AuditFilter & { resellerId?: string | undefined }): Promise<Page<AuditEventRow>>;
  };

  /**
   * Call rollups summed across tenants: every tenant, or one reseller's. The one platform-wide read
   * of tenant-owned figures, and it hands out sums only, never a tenant's rows (issue 12).
   */
  analytics: {
    /** Per UTC hour in [fromHour, toHour), summed across the tenants. */
    hourly(fromHour: string, toHour: string, filter: { resellerId?: string | undefined }): Promise<CallHour[]>;
    /** Per tenant over [fromHour, toHour); tenants without calls are absent. */
    tenantTotals(fromHour: string, toHour: string, filter: { resellerId?: string | undefined }): Promise<(CallCounts & { tenantId: string })[]>;
    /** Usage rollups per UTC hour summed across the tenants (counts only: peaks are 0 here). */
    usageHourly(fromHour: string, toHour: string, filter: { resellerId?: string | undefined }): Promise<UsageHour[]>;
    /** Usage per tenant over [fromHour, toHour) (peaks the largest hour's); tenants without rows are absent. */
    usageTenantTotals(fromHour: string, toHour: string, filter: { resellerId?: string | undefined }): Promise<(UsageCounts & { tenantId: string })[]>;
    /** Bytes each tenant stores now (port documents and logos), for the hourly storage peaks; tenants storing nothing are absent. */
    storedBytesByTenant(): Promise<{ tenantId: string; bytes: number }[]>;
    /** Operator metrics: platform-wide counts by a closed set of states, no tenant in them. */
    portOrdersByStatus(): Promise<Record<string, number>>;
    webhookDeliveriesByStatus(): Promise<Record<string, number>>;
    /** Every webhook attempt, and those that got no 2xx. */
    webhookAttempts(): Promise<{ total: number; failed: number }>;
  };

  /**
   * Changes whenever a write has been committed: at once for this store's own writes, and within a
   * short bound (SQLite: 100 ms) for other processes writing the same database. A cache of derived
   * data (resolved API keys) stays valid exactly as long as this value does.
   */
  changeVersion(): Promise<string>;
  /**
   * Calls `listener` after each commit that changed rows the SIP edge's directory holds (a tenant
   * row, a reseller's status, a tenant's extensions, trunks, numbers, dial rules, ring groups or
   * signing key) and waits for it before the write, or the transaction around it, resolves: once a
   * change is acknowledged, every listener has seen it. Rolled-back changes are never told. A
   * PostgreSQL store feeds the same listeners from LISTEN/NOTIFY for other nodes' commits.
   * Returns the unsubscribe.
   */
  onDirectoryChange(listener: (changes: readonly DirectoryChange[]) => Promise<void>): () => void;
  /** Applies or rolls back migrations until the schema is at `version`. */
  migrateTo(version: number): Promise<void>;
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
