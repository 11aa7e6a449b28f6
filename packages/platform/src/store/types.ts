/**
 * The storage contract. Platform-wide rows (tenants, resellers, keys) have their own collections;
 * tenant-owned rows are reachable only through `store.tenant(tenantId)`, so every query for them
 * is bound to one tenant by construction.
 */

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
  limits: { extensions: number; channels: number };
  createdAt: string;
  updatedAt: string;
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
}

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
}

/** `after` is an exclusive cursor over the sortable ids. */
export interface PageQuery {
  limit: number;
  after?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface TenantScope {
  readonly tenantId: string;
  extensions: {
    list(page: PageQuery): Page<ExtensionRow>;
    get(id: string): ExtensionRow | undefined;
    getByNumber(number: string): ExtensionRow | undefined;
    count(): number;
    insert(row: Omit<ExtensionRow, 'tenantId'>): ExtensionRow;
    update(id: string, patch: Partial<Pick<ExtensionRow, 'displayName' | 'ha1' | 'updatedAt'>>): ExtensionRow | undefined;
    delete(id: string): boolean;
  };
  auditEvents: {
    list(page: PageQuery): Page<AuditEventRow>;
  };
}

export interface Store {
  /** Runs `fn` in one transaction; nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  tenant(tenantId: string): TenantScope;

  settings: {
    get(key: string): string | undefined;
    /** Inserts only when absent and returns the value that is stored afterwards. */
    getOrInsert(key: string, value: string): string;
  };
  resellers: {
    insert(row: ResellerRow): ResellerRow;
    get(id: string): ResellerRow | undefined;
    list(page: PageQuery): Page<ResellerRow>;
  };
  tenants: {
    insert(row: TenantRow): TenantRow;
    get(id: string): TenantRow | undefined;
    getBySlug(slug: string): TenantRow | undefined;
    /** All tenants, or those of one reseller, or the one tenant a tenant key may see. */
    list(page: PageQuery, filter?: { resellerId?: string; id?: string }): Page<TenantRow>;
    update(id: string, patch: Partial<Pick<TenantRow, 'name' | 'status' | 'limits' | 'updatedAt'>>): TenantRow | undefined;
  };
  apiKeys: {
    insert(row: ApiKeyRow): ApiKeyRow;
    getBySecretHash(hash: string): ApiKeyRow | undefined;
    countByPrincipal(principal: PrincipalKind): number;
    touch(id: string, at: string): void;
  };
  idempotency: {
    get(apiKeyId: string, key: string): IdempotencyRecord | undefined;
    /** Claims the key; false when a record already exists. */
    claim(record: Omit<IdempotencyRecord, 'state' | 'responseStatus' | 'responseBody'>): boolean;
    complete(apiKeyId: string, key: string, status: number, body: string): void;
    release(apiKeyId: string, key: string): void;
  };
  audit: {
    record(event: AuditEventRow): void;
  };

  /** Applies or rolls back migrations until the schema is at `version`. */
  migrateTo(version: number): void;
  schemaVersion(): number;
  close(): void;
}
