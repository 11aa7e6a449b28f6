/**
 * Storage contract of number porting, beside types.ts like the dial plan's: types.ts mounts
 * `PortingScope` on `TenantData` and `PortingPlatform` on `Store`.
 */
import type { Page, PageQuery } from './types';

export type PortStatus = 'draft' | 'submitted' | 'in_review' | 'foc_scheduled' | 'exception' | 'completed' | 'cancelled';
export type PortExceptionCode = 'account_number_mismatch' | 'pin_invalid' | 'address_mismatch' | 'number_not_portable' | 'ownership_not_verified';
export type PortDocumentKindName = 'loa' | 'bill';

export interface PortAddress {
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postalCode: string;
  country: string;
}

export interface PortPerson {
  name: string;
  email?: string | undefined;
  title?: string | undefined;
}

export interface PortOrderRow {
  id: string;
  tenantId: string;
  status: PortStatus;
  carrierName: string;
  /** Write-only secrets: kept for the carrier, never presented. */
  accountNumber: string;
  pin: string;
  authorisedPerson: PortPerson;
  serviceAddress: PortAddress;
  requestedFocDate: string;
  focDate: string | null;
  destination: { type: 'extension' | 'ring_group'; target: string };
  exceptionReason: PortExceptionCode | null;
  exceptionMessage: string | null;
  /** The carrier's reference once it has accepted the submission. */
  carrierRef: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
}

export type PortOrderPatch = Partial<Omit<PortOrderRow, 'id' | 'tenantId' | 'createdAt'>>;

export interface PortDocumentRow {
  id: string;
  tenantId: string;
  orderId: string;
  kind: PortDocumentKindName;
  filename: string;
  contentType: 'application/pdf' | 'image/png' | 'image/jpeg';
  sizeBytes: number;
  /** Relative to the data dir. */
  storagePath: string;
  createdAt: string;
}

export interface PortCommentRow {
  id: string;
  tenantId: string;
  orderId: string;
  visibility: 'public' | 'internal';
  body: string;
  authorPrincipal: 'provider' | 'reseller' | 'tenant' | 'user';
  authorKeyId: string;
  createdAt: string;
}

export interface PortEventRow {
  id: string;
  tenantId: string;
  orderId: string;
  action: string;
  fromStatus: PortStatus | null;
  toStatus: PortStatus;
  actorType: 'api_key' | 'carrier' | 'system';
  actorKeyId: string | null;
  actorPrincipal: 'provider' | 'reseller' | 'tenant' | 'user' | null;
  reason: PortExceptionCode | null;
  message: string | null;
  occurredAt: string;
}

export interface TenantPortOrders {
  insert(row: Omit<PortOrderRow, 'tenantId'>, numbers: readonly string[]): Promise<PortOrderRow>;
  get(id: string): Promise<PortOrderRow | undefined>;
  list(page: PageQuery, filter?: { status?: PortStatus | undefined }): Promise<Page<PortOrderRow>>;
  /** The order's numbers in the order they were given. */
  numbers(id: string): Promise<string[]>;
  /** Numbers of many orders at once (for list pages). */
  numbersOf(ids: readonly string[]): Promise<Map<string, string[]>>;
  /** Replaces the numbers of an order that holds none (draft, exception). */
  replaceNumbers(id: string, numbers: readonly string[]): Promise<void>;
  /**
   * Holds the order's numbers against every other order (submit). False, with nothing held, when
   * another order holds one of them: the unique index is the last word on a race.
   */
  reserveNumbers(id: string): Promise<boolean>;
  /** Lets go of the numbers (completion, exception, cancellation). */
  releaseNumbers(id: string): Promise<void>;
  /** Orders neither completed nor cancelled, except `exceptId`: what `limits.openPortOrders` caps. */
  countOpen(exceptId?: string): Promise<number>;
  /**
   * Compare-and-set: applies `patch` only while the order is still in `expected`; false when
   * another actor moved it first. Every status change goes through here.
   */
  updateIfStatus(id: string, expected: PortStatus, patch: PortOrderPatch): Promise<boolean>;
  /** Adds numbers to the platform owned by this tenant and routed; throws (UNIQUE) if any exists. */
  activateNumbers(rows: readonly { id: string; number: string }[], routing: { type: string; target: string }, at: string): Promise<void>;
  documents: {
    insert(row: Omit<PortDocumentRow, 'tenantId'>): Promise<PortDocumentRow>;
    list(orderId: string, page: PageQuery): Promise<Page<PortDocumentRow>>;
    get(orderId: string, id: string): Promise<PortDocumentRow | undefined>;
    kinds(orderId: string): Promise<PortDocumentKindName[]>;
    /** The kinds of many orders at once (for list pages): one query, not one per order. */
    kindsOf(orderIds: readonly string[]): Promise<Map<string, PortDocumentKindName[]>>;
    /** Bytes of every document of the tenant: its storage usage. */
    totalBytes(): Promise<number>;
  };
  comments: {
    insert(row: Omit<PortCommentRow, 'tenantId'>): Promise<PortCommentRow>;
    list(orderId: string, page: PageQuery, includeInternal: boolean): Promise<Page<PortCommentRow>>;
  };
  events: {
    insert(row: Omit<PortEventRow, 'tenantId'>): Promise<PortEventRow>;
    list(orderId: string, page: PageQuery): Promise<Page<PortEventRow>>;
  };
}

export interface PortingScope {
  portOrders: TenantPortOrders;
}

/** Who holds a number: a tenant (or the inventory, `tenantId` null) on the platform, or a submitted order. */
export interface NumberClaim {
  number: string;
  tenantId: string | null;
  /** Set when an order holds it; null when the number is on the platform. */
  orderId: string | null;
}

/** `store.porting`: the platform-wide view the automation loop and the conflict check need. */
export interface PortingPlatform {
  /** Orders in one of `statuses`, every tenant, least recently changed first. */
  ordersInAcrossTenants(statuses: readonly PortStatus[], limit: number): Promise<{ id: string; tenantId: string }[]>;
  /** Drafts not changed since `before` (ISO time), every tenant, oldest first: the ones that expire. */
  staleDraftsAcrossTenants(before: string, limit: number): Promise<{ id: string; tenantId: string }[]>;
  /** Every claim on `numbers`: on the platform, or held by an order other than `exceptOrderId`. */
  numberClaimsAcrossTenants(numbers: readonly string[], exceptOrderId?: string): Promise<NumberClaim[]>;
  /**
   * Orders across tenants for a platform-level reader, by id in the page's order: every live tenant's
   * (`all`, the provider) or one reseller's tenants'. The domain picks `visible` from the caller's
   * principal (domain/porting/listing.ts), never from a request parameter, and still passes every
   * row's tenant through the access check before showing it.
   */
  listAcrossTenants(page: PageQuery, filter: { visible: 'all' | { resellerId: string }; status?: PortStatus | undefined }): Promise<Page<PortOrderRow>>;
  /** Which of `numbers` exist on the platform (inventory or any tenant). */
  numbersAcrossTenants(numbers: readonly string[]): Promise<string[]>;
}
