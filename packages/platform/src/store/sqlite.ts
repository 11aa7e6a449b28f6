import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { latestVersion } from './migrations/index';
import { migrateTo, schemaVersion } from './migrate';
import { platformIdentityCollections, tenantIdentityCollections } from './sqlite-identity';
import { sqlitePlatformBranding, sqliteTenantBranding } from './sqlite-branding';
import { sqliteDialPlanScope, sqliteNumberInventory } from './sqlite-dial-plan';
import { sqlitePortingPlatform, sqlitePortingScope } from './sqlite-porting';
import { sqliteWebhookPlatform, sqliteWebhookScope } from './sqlite-webhooks';
import { sqliteLeases } from './sqlite-leases';
import { addToRollup, callSpans, sqliteAnalytics, tenantHourly } from './sqlite-analytics';
import type {
  AuditEventRow,
  AuditFilter,
  CallRow,
  ExtensionRow,
  IdempotencyRecord,
  Page,
  PageQuery,
  ResellerRow,
  Store,
  TenantRow,
  TenantScope,
} from './types';
import { str, strOrNull, paginate, setClause, type Row } from './sqlite-rows';
import { asyncSqliteStore, type Synchronous, type SynchronousStore } from './sqlite-async';

export interface SqliteStoreOptions {
  /** Directory for `highrise.db`; created when missing. */
  dataDir?: string;
  /** Explicit database file, or `:memory:`; wins over `dataDir`. */
  filename?: string;
  /** Schema version to migrate to on open; default the newest. */
  migrateTo?: number;
}

export const DATABASE_FILE = 'highrise.db';
/** How stale `changeVersion()` may be about commits by other connections to the same file. */
export const OTHER_WRITERS_CHECK_MS = 100;

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
    limits: {
      extensions: r.limit_extensions as number,
      channels: r.limit_channels as number,
      messagesPerMinute: r.limit_messages_per_minute as number,
      storageBytes: r.limit_storage_bytes as number,
      dialRules: r.limit_dial_rules as number,
      ringGroups: r.limit_ring_groups as number,
      trunks: r.limit_trunks as number,
      openPortOrders: r.limit_open_port_orders as number,
    },
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

function toCall(r: Row): CallRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    callId: str(r.call_id),
    from: str(r.from_number),
    to: str(r.to_number),
    direction: r.direction as CallRow['direction'],
    startedAt: str(r.started_at),
    answeredAt: strOrNull(r.answered_at),
    endedAt: str(r.ended_at),
    durationSeconds: r.duration_seconds as number,
    disposition: r.disposition as CallRow['disposition'],
    sipStatus: (r.sip_status ?? null) as number | null,
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
    actorPrincipal: strOrNull(r.actor_principal),
    actorRole: strOrNull(r.actor_role),
    targetType: strOrNull(r.target_type),
    changes: strOrNull(r.changes),
    sourceAddress: strOrNull(r.source_address),
    chainSeq: (r.chain_seq ?? null) as number | null,
    prevHash: strOrNull(r.prev_hash),
    hash: strOrNull(r.hash),
  };
}

/** WHERE clauses of the audit filters, shared by the tenant and the platform-wide list. */
function auditWhere(filter: AuditFilter, where: string[], values: unknown[]): void {
  if (filter.actorKeyId !== undefined) where.push('actor_key_id = ?'), values.push(filter.actorKeyId);
  if (filter.action !== undefined) where.push('action = ?'), values.push(filter.action);
  if (filter.targetId !== undefined) where.push('target_id = ?'), values.push(filter.targetId);
  if (filter.from !== undefined) where.push('occurred_at >= ?'), values.push(filter.from);
  if (filter.to !== undefined) where.push('occurred_at < ?'), values.push(filter.to);
}

export function openSqliteStore(options: SqliteStoreOptions = {}): Store {
  const { db, store } = openSynchronous(options);
  return asyncSqliteStore(db, store);
}

function openSynchronous(options: SqliteStoreOptions): { db: Database.Database; store: SynchronousStore } {
  let filename = options.filename;
  if (!filename) {
    const dir = options.dataDir ?? '.highrise';
    mkdirSync(dir, { recursive: true });
    filename = join(dir, DATABASE_FILE);
  }
  const db = new Database(filename);
  // better-sqlite3 compiles a statement on every prepare(); the lookups the SIP edge makes on every
  // request (tenant by slug or id, extension by number) are compiled once and reused.
  const statements = new Map<string, Database.Statement>();
  const cached = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateTo(db, options.migrateTo ?? latestVersion);

  let otherWritersVersion = 0;
  let otherWritersCheckedAt = -Infinity;

  const tenantScope = (tenantId: string): Synchronous<TenantScope> => ({
    tenantId,
    ...tenantIdentityCollections(db, tenantId),
    ...sqliteTenantBranding(db, tenantId),
    ...sqliteDialPlanScope(db, tenantId),
    ...sqlitePortingScope(db, tenantId),
    ...sqliteWebhookScope(db, tenantId),
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
        const row = cached('SELECT * FROM extensions WHERE tenant_id = ? AND number = ?').get(tenantId, number) as Row | undefined;
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
      list(page: PageQuery, filter: AuditFilter = {}) {
        const where = ['tenant_id = ?', 'id > ?'];
        const values: unknown[] = [tenantId, page.after ?? ''];
        auditWhere(filter, where, values);
        const rows = db.prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...values, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toAudit);
      },
      chainAfter(afterSeq: number, limit: number) {
        return (cached('SELECT * FROM audit_events WHERE tenant_id = ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?').all(tenantId, afterSeq, limit) as Row[]).map(toAudit);
      },
    },
    calls: {
      insert(row) {
        // The record and its hour's rollup are one write: a summary never disagrees with the records.
        db.transaction(() => {
          cached(
          `INSERT INTO calls (id, tenant_id, call_id, from_number, to_number, direction, started_at, answered_at, ended_at,
             duration_seconds, disposition, sip_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(row.id, tenantId, row.callId, row.from, row.to, row.direction, row.startedAt, row.answeredAt, row.endedAt, row.durationSeconds, row.disposition, row.sipStatus);
          addToRollup(db, tenantId, row);
        })();
        return { ...row, tenantId };
      },
      get(id) {
        const row = db.prepare('SELECT * FROM calls WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toCall(row);
      },
      list(page, filter = {}) {
        const where = ['tenant_id = ?', 'id > ?'];
        const values: unknown[] = [tenantId, page.after ?? ''];
        const add = (clause: string, ...v: unknown[]) => {
          where.push(clause);
          values.push(...v);
        };
        if (filter.from !== undefined) add('from_number = ?', filter.from);
        if (filter.to !== undefined) add('to_number = ?', filter.to);
        if (filter.extension !== undefined) add('(from_number = ? OR to_number = ?)', filter.extension, filter.extension);
        if (filter.disposition !== undefined) add('disposition = ?', filter.disposition);
        if (filter.direction !== undefined) add('direction = ?', filter.direction);
        if (filter.startedFrom !== undefined) add('started_at >= ?', filter.startedFrom);
        if (filter.startedBefore !== undefined) add('started_at < ?', filter.startedBefore);
        const rows = db.prepare(`SELECT * FROM calls WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...values, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toCall);
      },
      hourly(fromHour, toHour) {
        return tenantHourly(db, tenantId, fromHour, toHour);
      },
      spans(from, to) {
        return callSpans(db, tenantId, from, to);
      },
    },
  });

  const store: SynchronousStore = {
    tenant: tenantScope,
    numbers: sqliteNumberInventory(db),
    porting: sqlitePortingPlatform(db),
    webhooks: sqliteWebhookPlatform(db),
    leases: sqliteLeases(db),
    analytics: sqliteAnalytics(db),

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
      update(id, patch) {
        const set = setClause(patch, { name: 'name', status: 'status', updatedAt: 'updated_at' });
        if (set.sql) db.prepare(`UPDATE resellers SET ${set.sql} WHERE id = ?`).run(...set.values, id);
        return this.get(id);
      },
    },

    tenants: {
      insert(row) {
        db.prepare(
          `INSERT INTO tenants (id, reseller_id, name, slug, status, limit_extensions, limit_channels, limit_messages_per_minute, limit_storage_bytes,
             limit_dial_rules, limit_ring_groups, limit_trunks, limit_open_port_orders, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          row.id, row.resellerId, row.name, row.slug, row.status, row.limits.extensions, row.limits.channels, row.limits.messagesPerMinute, row.limits.storageBytes,
          row.limits.dialRules, row.limits.ringGroups, row.limits.trunks, row.limits.openPortOrders, row.createdAt, row.updatedAt,
        );
        return row;
      },
      get(id) {
        const row = cached('SELECT * FROM tenants WHERE id = ?').get(id) as Row | undefined;
        return row && toTenant(row);
      },
      getBySlug(slug) {
        const row = cached('SELECT * FROM tenants WHERE slug = ?').get(slug) as Row | undefined;
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
          {
            ...rest,
            limitExtensions: limits?.extensions,
            limitChannels: limits?.channels,
            limitMessagesPerMinute: limits?.messagesPerMinute,
            limitStorageBytes: limits?.storageBytes,
            limitDialRules: limits?.dialRules,
            limitRingGroups: limits?.ringGroups,
            limitTrunks: limits?.trunks,
            limitOpenPortOrders: limits?.openPortOrders,
          },
          {
            name: 'name',
            status: 'status',
            updatedAt: 'updated_at',
            limitExtensions: 'limit_extensions',
            limitChannels: 'limit_channels',
            limitMessagesPerMinute: 'limit_messages_per_minute',
            limitStorageBytes: 'limit_storage_bytes',
            limitDialRules: 'limit_dial_rules',
            limitRingGroups: 'limit_ring_groups',
            limitTrunks: 'limit_trunks',
            limitOpenPortOrders: 'limit_open_port_orders',
          },
        );
        if (set.sql) db.prepare(`UPDATE tenants SET ${set.sql} WHERE id = ?`).run(...set.values, id);
        return this.get(id);
      },
    },

    ...platformIdentityCollections(db),
    ...sqlitePlatformBranding(db),

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
      purgeCreatedBefore(createdAt) {
        return db.prepare('DELETE FROM idempotency_records WHERE created_at < ?').run(createdAt).changes;
      },
    },

    audit: {
      record(e) {
        cached(
          `INSERT INTO audit_events (id, occurred_at, actor_key_id, tenant_id, action, target_id, request_id,
             actor_principal, actor_role, target_type, changes, source_address, chain_seq, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          e.id, e.occurredAt, e.actorKeyId, e.tenantId, e.action, e.targetId, e.requestId,
          e.actorPrincipal ?? null, e.actorRole ?? null, e.targetType ?? null, e.changes ?? null, e.sourceAddress ?? null,
          e.chainSeq ?? null, e.prevHash ?? null, e.hash ?? null,
        );
      },
      head(tenantId) {
        const row = cached('SELECT chain_seq, hash FROM audit_events WHERE tenant_id IS ? AND chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1').get(tenantId) as
          | { chain_seq: number; hash: string }
          | undefined;
        return row && { chainSeq: row.chain_seq, hash: row.hash };
      },
      chainAfter(tenantId, afterSeq, limit) {
        return (cached('SELECT * FROM audit_events WHERE tenant_id IS ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?').all(tenantId, afterSeq, limit) as Row[]).map(toAudit);
      },
      chainTenantIds() {
        return (db.prepare('SELECT DISTINCT tenant_id FROM audit_events WHERE chain_seq IS NOT NULL').pluck().all() as (string | null)[]);
      },
      anyHashStartingWith(prefix) {
        return db.prepare('SELECT 1 FROM audit_events WHERE substr(hash, 1, ?) = ? LIMIT 1').get(prefix.length, prefix) !== undefined;
      },
      rehash(id, prevHash, hash) {
        cached('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?').run(prevHash, hash, id);
      },
      list(page, filter) {
        const where = ['id > ?'];
        const values: unknown[] = [page.after ?? ''];
        if (filter.resellerId !== undefined) where.push('tenant_id IN (SELECT id FROM tenants WHERE reseller_id = ?)'), values.push(filter.resellerId);
        auditWhere(filter, where, values);
        const rows = db.prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...values, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toAudit);
      },
    },

    changeVersion() {
      // This connection's writes count at once (total_changes() touches no table: ~0.1 µs). Other
      // connections' commits (PRAGMA data_version, ~2.5 µs: it opens a read transaction) are looked
      // at no more than every OTHER_WRITERS_CHECK_MS: this store serves one process, and an outside
      // edit of the file (an operator, a test) only needs to be seen promptly, not within the request.
      const now = Date.now();
      if (now - otherWritersCheckedAt >= OTHER_WRITERS_CHECK_MS) {
        otherWritersVersion = cached('PRAGMA data_version').pluck().get() as number;
        otherWritersCheckedAt = now;
      }
      return `${cached('SELECT total_changes()').pluck().get() as number}:${otherWritersVersion}`;
    },
    migrateTo: (version) => migrateTo(db, version),
    schemaVersion: () => schemaVersion(db),
    close: () => db.close(),
  };
  return { db, store };
}
