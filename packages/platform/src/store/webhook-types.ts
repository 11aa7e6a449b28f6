/**
 * Storage contract of webhooks, beside types.ts like the dial plan's: types.ts mounts
 * `WebhookScope` on `TenantData` (a tenant's own endpoints) and `WebhookPlatform` on `Store`
 * (provider and reseller endpoints, the event fan-out and the delivery queue).
 */
import type { Page, PageQuery } from './types';
import type { TenantScope } from './tenant-scope';

export type WebhookLevel = 'provider' | 'reseller' | 'tenant';

export interface WebhookEndpointRow {
  id: string;
  level: WebhookLevel;
  resellerId: string | null;
  tenantId: string | null;
  url: string;
  description: string;
  /** Event types, or `['*']`. */
  enabledEvents: string[];
  status: 'enabled' | 'disabled';
  /** The `whsec_…` secret, sealed (see domain/webhooks); never presented. */
  secretSealed: string;
  /** The secret before the last rotation, still signed with until `previousExpiresAt`. */
  previousSecretSealed: string | null;
  previousExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export type WebhookEndpointPatch = Partial<
  Pick<WebhookEndpointRow, 'url' | 'description' | 'enabledEvents' | 'status' | 'secretSealed' | 'previousSecretSealed' | 'previousExpiresAt' | 'updatedAt'>
>;

export interface WebhookEventRow {
  id: string;
  type: string;
  tenantId: string | null;
  createdAt: string;
  /** JSON of the resource as the API presents it. */
  data: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookAttemptRow {
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryWithAttempts extends WebhookDeliveryRow {
  attempts: WebhookAttemptRow[];
}

/** Endpoints of one owner (the provider, a reseller, or a tenant through its scope) and their deliveries. */
export interface WebhookEndpointCollection {
  list(page: PageQuery): Promise<Page<WebhookEndpointRow>>;
  get(id: string): Promise<WebhookEndpointRow | undefined>;
  insert(row: Omit<WebhookEndpointRow, 'level' | 'resellerId' | 'tenantId'>): Promise<WebhookEndpointRow>;
  update(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointRow | undefined>;
  delete(id: string): Promise<boolean>;
  /** Deliveries of one of this owner's endpoints (none for another owner's endpoint id). */
  deliveries(endpointId: string, page: PageQuery): Promise<Page<WebhookDeliveryWithAttempts>>;
  getDelivery(endpointId: string, deliveryId: string): Promise<WebhookDeliveryWithAttempts | undefined>;
}

export interface WebhookScope {
  webhookEndpoints: WebhookEndpointCollection;
}

/** One due delivery with everything needed to send it. */
export interface WebhookJob {
  delivery: WebhookDeliveryRow;
  event: WebhookEventRow;
  endpoint: WebhookEndpointRow;
}

export interface WebhookPlatform {
  /** Provider endpoints, or one reseller's. Tenant endpoints live in the tenant scope. */
  endpoints(owner: 'provider' | { resellerId: string }): WebhookEndpointCollection;
  /**
   * Enabled endpoints an event of this tenant reaches: every provider endpoint, its reseller's (read
   * from the tenant's row here, not passed in), its own. A platform event (null) reaches provider
   * endpoints only.
   */
  subscribers(scope: TenantScope | null): Promise<WebhookEndpointRow[]>;
  /** An event of the scope's tenant (null: a platform event); the row's `tenantId` is the scope's. */
  insertEvent(scope: TenantScope | null, row: Omit<WebhookEventRow, 'tenantId'>): Promise<void>;
  insertDelivery(row: Omit<WebhookDeliveryRow, 'eventType'>): Promise<void>;
  /** A batch's events and their deliveries, each list in one insert (inside the caller's transaction). */
  insertEvents(scope: TenantScope | null, rows: readonly Omit<WebhookEventRow, 'tenantId'>[]): Promise<void>;
  insertDeliveries(rows: readonly Omit<WebhookDeliveryRow, 'eventType'>[]): Promise<void>;
  /**
   * Pending deliveries of enabled endpoints due at `now` (ISO), oldest due first. With `lease`
   * they are claimed for `lease.owner` until `lease.until` in the same statement, and deliveries
   * another owner holds a live lease on are skipped (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
   * nodes polling at once take disjoint rows).
   */
  dueAcrossTenants(now: string, limit: number, excludeIds: readonly string[], lease?: { owner: string; until: string }): Promise<WebhookJob[]>;
  /**
   * Appends an attempt and moves the delivery on (status, count, next time) in one step, and ends
   * any lease on it. With `owner`, only while `owner` still holds the lease: false when it ran out
   * and another node took the delivery (that node's outcome stands).
   */
  recordAttempt(
    deliveryId: string,
    attempt: WebhookAttemptRow,
    next: { status: WebhookDeliveryStatus; nextAttemptAt: string | null; updatedAt: string },
    owner?: string,
  ): Promise<boolean>;
  /**
   * Extends `owner`'s lease on a pending delivery to `until`; false when `owner` no longer holds it
   * (it ran out and another node claimed it, or it was recorded). Checked right before sending.
   */
  renewLease(deliveryId: string, owner: string, until: string): Promise<boolean>;
  /** Ends `owner`'s leases on deliveries it did not finish (a node shutting down), so others send them at once. */
  releaseLeases(owner: string): Promise<void>;
}
