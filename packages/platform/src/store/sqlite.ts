import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { latestVersion } from './migrations/index';
import { migrateTo, schemaVersion } from './migrate';
import type {
  ApiKeyRow,
  AuditEventRow,
  ExtensionRow,
  IdempotencyRecord,
  Page,
  PageQuery,
  ResellerRow,
  Store,
  TenantRow,
  TenantScope,
} from './types';

export interface SqliteStoreOptions {
  /** Directory for `highrise.db`; created when missing. */
  dataDir?: string;
  /** Explicit database file, or `:memory:`; wins over `dataDir`. */
  filename?: string;
  /** Schema version to migrate to on open; default the newest. */
  migrateTo?: number;
}

export const DATABASE_FILE = 'highrise.db';

type Row = Record<string, unknown>;

const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v ?? null) as string | null;

function toReseller(r: Row): ResellerRow {
  return { id: str(r.id), name: str(r.name), status: r.status as ResellerRow['status'], createdAt: str(r.created_at), updatedAt: str(r.updated_at) };
}

function toTenant(r: Row): TenantRow {
  return {
    id: str(r.id),
    resellerId: strOrNull(r.reseller_id),
    name: str(r.name),
    slug: str(r.slug),
    status: r.status as TenantRow['status'],
    limits: { extensions: r.limit_extensions as number, channels: r.limit_channels as number },
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function toExtension(r: Row): ExtensionRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    number: str(r.number),
    displayName: str(r.display_name),
    ha1: str(r.ha1),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function toApiKey(r: Row): ApiKeyRow {
  return {
    id: str(r.id),
    secretHash: str(r.secret_hash),
    principal: r.principal as ApiKeyRow['principal'],
    resellerId: strOrNull(r.reseller_id),
    tenantId: strOrNull(r.tenant_id),
    name: str(r.name),
    createdAt: str(r.created_at),
    lastUsedAt: strOrNull(r.last_used_at),
  };
}

function toIdempotency(r: Row): IdempotencyRecord {
  return {
    apiKeyId: str(r.api_key_id),
    idempotencyKey: str(r.idempotency_key),
    requestHash: str(r.request_hash),
    state: r.state as IdempotencyRecord['state'],
    responseStatus: (r.response_status ?? null) as number | null,
    responseBody: strOrNull(r.response_body),
    createdAt: str(r.created_at),
  };
}

function toAudit(r: Row): AuditEventRow {
  return {
    id: str(r.id),
    occurredAt: str(r.occurred_at),
    actorKeyId: strOrNull(r.actor_key_id),
    tenantId: strOrNull(r.tenant_id),
    action: str(r.action),
    targetId: str(r.target_id),
    requestId: strOrNull(r.request_id),
  };
}

/** Fetches one row more than asked to learn whether another page follows. */
function paginate<T extends { id: string }>(rows: Row[], limit: number, map: (r: Row) => T): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const next = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
  return { items, next };
}

/** Builds `SET a = ?, b = ?` from the defined keys of a patch, with column names from a fixed map. */
function setClause(patch: Record<string, unknown>, columns: Record<string, string>): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key];
    if (value === undefined || !column) continue;
    parts.push(`${column} = ?`);
    values.push(value);
  }
  return { sql: parts.join(', '), values };
}

export function openSqliteStore(options: SqliteStoreOptions = {}): Store {
  let filename = options.filename;
  if (!filename) {
    const dir = options.dataDir ?? '.highrise';
    mkdirSync(dir, { recursive: true });
    filename = join(dir, DATABASE_FILE);
  }
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateTo(db, options.migrateTo ?? latestVersion);

  const transaction = <T>(fn: () => T): T => (db.inTransaction ? fn() : db.transaction(fn)());

  const tenantScope = (tenantId: string): TenantScope => ({
    tenantId,
    extensions: {
      list(page: PageQuery) {
        const rows = db
          .prepare('SELECT * FROM extensions WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?')
          .all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toExtension);
      },
      get(id) {
        const row = db.prepare('SELECT * FROM extensions WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toExtension(row);
      },
      getByNumber(number) {
        const row = db.prepare('SELECT * FROM extensions WHERE tenant_id = ? AND number = ?').get(tenantId, number) as Row | undefined;
        return row && toExtension(row);
      },
      count() {
        return (db.prepare('SELECT COUNT(*) AS n FROM extensions WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
      },
      insert(row) {
        db.prepare(
          'INSERT INTO extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(row.id, tenantId, row.number, row.displayName, row.ha1, row.createdAt, row.updatedAt);
        return { ...row, tenantId };
      },
      update(id, patch) {
        const set = setClause(patch, { displayName: 'display_name', ha1: 'ha1', updatedAt: 'updated_at' });
        if (set.sql) db.prepare(`UPDATE extensions SET ${set.sql} WHERE tenant_id = ? AND id = ?`).run(...set.values, tenantId, id);
        return this.get(id);
      },
      delete(id) {
        return db.prepare('DELETE FROM extensions WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      },
    },
    auditEvents: {
      list(page: PageQuery) {
        const rows = db
          .prepare('SELECT * FROM audit_events WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?')
          .all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toAudit);
      },
    },
  });

  return {
    transaction,
    tenant: tenantScope,

    settings: {
      get(key) {
        const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
        return row?.value;
      },
      getOrInsert(key, value) {
        db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
        return (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
      },
    },

    resellers: {
      insert(row) {
        db.prepare('INSERT INTO resellers (id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
          row.id,
          row.name,
          row.status,
          row.createdAt,
          row.updatedAt,
        );
        return row;
      },
      get(id) {
        const row = db.prepare('SELECT * FROM resellers WHERE id = ?').get(id) as Row | undefined;
        return row && toReseller(row);
      },
      list(page) {
        const rows = db.prepare('SELECT * FROM resellers WHERE id > ? ORDER BY id LIMIT ?').all(page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toReseller);
      },
    },

    tenants: {
      insert(row) {
        db.prepare(
          `INSERT INTO tenants (id, reseller_id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(row.id, row.resellerId, row.name, row.slug, row.status, row.limits.extensions, row.limits.channels, row.createdAt, row.updatedAt);
        return row;
      },
      get(id) {
        const row = db.prepare('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
        return row && toTenant(row);
      },
      getBySlug(slug) {
        const row = db.prepare('SELECT * FROM tenants WHERE slug = ?').get(slug) as Row | undefined;
        return row && toTenant(row);
      },
      list(page, filter = {}) {
        const where = ['id > ?'];
        const values: unknown[] = [page.after ?? ''];
        if (filter.resellerId !== undefined) {
          where.push('reseller_id = ?');
          values.push(filter.resellerId);
        }
        if (filter.id !== undefined) {
          where.push('id = ?');
          values.push(filter.id);
        }
        const rows = db.prepare(`SELECT * FROM tenants WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...values, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toTenant);
      },
      update(id, patch) {
        const { limits, ...rest } = patch;
        const set = setClause(
          { ...rest, limitExtensions: limits?.extensions, limitChannels: limits?.channels },
          { name: 'name', status: 'status', updatedAt: 'updated_at', limitExtensions: 'limit_extensions', limitChannels: 'limit_channels' },
        );
        if (set.sql) db.prepare(`UPDATE tenants SET ${set.sql} WHERE id = ?`).run(...set.values, id);
        return this.get(id);
      },
    },

    apiKeys: {
      insert(row) {
        db.prepare(
          `INSERT INTO api_keys (id, secret_hash, principal, reseller_id, tenant_id, name, created_at, last_used_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(row.id, row.secretHash, row.principal, row.resellerId, row.tenantId, row.name, row.createdAt, row.lastUsedAt);
        return row;
      },
      getBySecretHash(hash) {
        const row = db.prepare('SELECT * FROM api_keys WHERE secret_hash = ?').get(hash) as Row | undefined;
        return row && toApiKey(row);
      },
      countByPrincipal(principal) {
        return (db.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE principal = ?').get(principal) as { n: number }).n;
      },
      touch(id, at) {
        db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
      },
    },

    idempotency: {
      get(apiKeyId, key) {
        const row = db.prepare('SELECT * FROM idempotency_records WHERE api_key_id = ? AND idempotency_key = ?').get(apiKeyId, key) as Row | undefined;
        return row && toIdempotency(row);
      },
      claim(record) {
        const result = db
          .prepare(
            `INSERT INTO idempotency_records (api_key_id, idempotency_key, request_hash, state, created_at)
             VALUES (?, ?, ?, 'in_flight', ?) ON CONFLICT DO NOTHING`,
          )
          .run(record.apiKeyId, record.idempotencyKey, record.requestHash, record.createdAt);
        return result.changes > 0;
      },
      complete(apiKeyId, key, status, body) {
        db.prepare(
          `UPDATE idempotency_records SET state = 'done', response_status = ?, response_body = ?
           WHERE api_key_id = ? AND idempotency_key = ?`,
        ).run(status, body, apiKeyId, key);
      },
      release(apiKeyId, key) {
        db.prepare('DELETE FROM idempotency_records WHERE api_key_id = ? AND idempotency_key = ?').run(apiKeyId, key);
      },
    },

    audit: {
      record(event) {
        db.prepare(
          `INSERT INTO audit_events (id, occurred_at, actor_key_id, tenant_id, action, target_id, request_id)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(event.id, event.occurredAt, event.actorKeyId, event.tenantId, event.action, event.targetId, event.requestId);
      },
    },

    migrateTo: (version) => migrateTo(db, version),
    schemaVersion: () => schemaVersion(db),
    close: () => db.close(),
  };
}
