import type Database from 'better-sqlite3';
import type { Page, PageQuery } from './types';
import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookDeliveryWithAttempts,
  WebhookEndpointCollection,
  WebhookEndpointRow,
  WebhookEventRow,
  WebhookPlatform,
  WebhookScope,
} from './webhook-types';
import { str, strOrNull, type Row } from './sqlite-rows';
import type { Synchronous } from './sqlite-async';

function toEndpoint(r: Row): WebhookEndpointRow {
  return {
    id: str(r.id),
    level: r.level as WebhookEndpointRow['level'],
    resellerId: strOrNull(r.reseller_id),
    tenantId: strOrNull(r.tenant_id),
    url: str(r.url),
    description: str(r.description),
    enabledEvents: JSON.parse(str(r.enabled_events)) as string[],
    status: r.status as WebhookEndpointRow['status'],
    secretSealed: str(r.secret_sealed),
    previousSecretSealed: strOrNull(r.previous_secret_sealed),
    previousExpiresAt: strOrNull(r.previous_expires_at),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function toDelivery(r: Row): WebhookDeliveryRow {
  return {
    id: str(r.id),
    endpointId: str(r.endpoint_id),
    eventId: str(r.event_id),
    eventType: str(r.event_type),
    status: r.status as WebhookDeliveryRow['status'],
    attemptCount: r.attempt_count as number,
    nextAttemptAt: strOrNull(r.next_attempt_at),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

const toEvent = (r: Row): WebhookEventRow => ({ id: str(r.id), type: str(r.type), tenantId: strOrNull(r.tenant_id), createdAt: str(r.created_at), data: str(r.data) });

const COLUMNS: Record<string, string> = {
  url: 'url',
  description: 'description',
  enabledEvents: 'enabled_events',
  status: 'status',
  secretSealed: 'secret_sealed',
  previousSecretSealed: 'previous_secret_sealed',
  previousExpiresAt: 'previous_expires_at',
  updatedAt: 'updated_at',
};

/**
 * One owner's endpoints. `owner` is a fixed WHERE clause with its values: every statement below is
 * bound to it, so an endpoint id of another owner is simply not found.
 */
function collection(db: Database.Database, owner: { level: WebhookEndpointRow['level']; resellerId: string | null; tenantId: string | null }): Synchronous<WebhookEndpointCollection> {
  const where =
    owner.level === 'tenant' ? "level = 'tenant' AND tenant_id = ?" : owner.level === 'reseller' ? "level = 'reseller' AND reseller_id = ?" : "level = 'provider'";
  const ownerValues = owner.level === 'tenant' ? [owner.tenantId] : owner.level === 'reseller' ? [owner.resellerId] : [];
  const get = (id: string) => {
    const row = db.prepare(`SELECT * FROM webhook_endpoints WHERE ${where} AND id = ?`).get(...ownerValues, id) as Row | undefined;
    return row && toEndpoint(row);
  };
  const attemptsOf = (deliveryId: string): WebhookAttemptRow[] =>
    (db.prepare('SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY seq').all(deliveryId) as Row[]).map((a) => ({
      attemptedAt: str(a.attempted_at),
      statusCode: (a.status_code ?? null) as number | null,
      error: strOrNull(a.error),
      durationMs: a.duration_ms as number,
    }));
  const deliverySelect = `SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE d.endpoint_id IN (SELECT id FROM webhook_endpoints WHERE ${where} AND id = ?)`;
  return {
    list(page: PageQuery): Page<WebhookEndpointRow> {
      const rows = db.prepare(`SELECT * FROM webhook_endpoints WHERE ${where} AND id > ? ORDER BY id LIMIT ?`).all(...ownerValues, page.after ?? '', page.limit + 1) as Row[];
      const items = rows.slice(0, page.limit).map(toEndpoint);
      return { items, next: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
    },
    get,
    insert(row) {
      const full: WebhookEndpointRow = { ...row, level: owner.level, resellerId: owner.resellerId, tenantId: owner.tenantId };
      db.prepare(
        `INSERT INTO webhook_endpoints (id, level, reseller_id, tenant_id, url, description, enabled_events, status, secret_sealed,
           previous_secret_sealed, previous_expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        full.id, full.level, full.resellerId, full.tenantId, full.url, full.description, JSON.stringify(full.enabledEvents), full.status,
        full.secretSealed, full.previousSecretSealed, full.previousExpiresAt, full.createdAt, full.updatedAt,
      );
      return full;
    },
    update(id, patch) {
      const parts: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch)) {
        const column = COLUMNS[key];
        if (value === undefined || !column) continue;
        parts.push(`${column} = ?`);
        values.push(key === 'enabledEvents' ? JSON.stringify(value) : value);
      }
      if (parts.length > 0) db.prepare(`UPDATE webhook_endpoints SET ${parts.join(', ')} WHERE ${where} AND id = ?`).run(...values, ...ownerValues, id);
      return get(id);
    },
    delete(id) {
      return db.prepare(`DELETE FROM webhook_endpoints WHERE ${where} AND id = ?`).run(...ownerValues, id).changes > 0;
    },
    deliveries(endpointId, page): Page<WebhookDeliveryWithAttempts> {
      const rows = db.prepare(`${deliverySelect} AND d.id > ? ORDER BY d.id LIMIT ?`).all(...ownerValues, endpointId, page.after ?? '', page.limit + 1) as Row[];
      const items = rows.slice(0, page.limit).map((r) => {
        const delivery = toDelivery(r);
        return { ...delivery, attempts: attemptsOf(delivery.id) };
      });
      return { items, next: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
    },
    getDelivery(endpointId, deliveryId) {
      const row = db.prepare(`${deliverySelect} AND d.id = ?`).get(...ownerValues, endpointId, deliveryId) as Row | undefined;
      if (!row) return undefined;
      const delivery = toDelivery(row);
      return { ...delivery, attempts: attemptsOf(delivery.id) };
    },
  };
}

export const sqliteWebhookScope = (db: Database.Database, tenantId: string): Synchronous<WebhookScope> => ({
  webhookEndpoints: collection(db, { level: 'tenant', resellerId: null, tenantId }),
});

export function sqliteWebhookPlatform(db: Database.Database): Synchronous<WebhookPlatform> {
  return {
    endpoints: (owner) =>
      owner === 'provider' ? collection(db, { level: 'provider', resellerId: null, tenantId: null }) : collection(db, { level: 'reseller', resellerId: owner.resellerId, tenantId: null }),
    subscribers(tenantId, resellerId) {
      const rows = db
        .prepare(
          `SELECT * FROM webhook_endpoints WHERE status = 'enabled' AND (level = 'provider'
             OR (level = 'reseller' AND reseller_id IS NOT NULL AND reseller_id = ?)
             OR (level = 'tenant' AND tenant_id IS NOT NULL AND tenant_id = ?)) ORDER BY id`,
        )
        .all(resellerId, tenantId) as Row[];
      return rows.map(toEndpoint);
    },
    insertEvent(row) {
      db.prepare('INSERT INTO webhook_events (id, type, tenant_id, created_at, data) VALUES (?, ?, ?, ?, ?)').run(row.id, row.type, row.tenantId, row.createdAt, row.data);
    },
    insertDelivery(row) {
      db.prepare(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempt_count, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(row.id, row.endpointId, row.eventId, row.status, row.attemptCount, row.nextAttemptAt, row.createdAt, row.updatedAt);
    },
    due(now, limit, excludeIds, lease) {
      const exclude = excludeIds.length > 0 ? `AND d.id NOT IN (${excludeIds.map(() => '?').join(', ')})` : '';
      const free = lease ? 'AND (d.leased_until IS NULL OR d.leased_until <= ?)' : '';
      const pick = `SELECT d.id AS d_id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND w.status = 'enabled' ${exclude} ${free}
           ORDER BY d.next_attempt_at, d.id LIMIT ?`;
      const args = [now, ...excludeIds, ...(lease ? [now] : []), limit];
      const rows = (lease ? db.transaction(() => {
        const picked = db.prepare(pick).all(...args) as Row[];
        const claim = db.prepare('UPDATE webhook_deliveries SET lease_owner = ?, leased_until = ? WHERE id = ?');
        for (const r of picked) claim.run(lease.owner, lease.until, r.d_id);
        return picked;
      })() : db.prepare(pick).all(...args)) as Row[];
      return rows.map((r) => {
        const d = db.prepare('SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = ?').get(r.d_id) as Row;
        const delivery = toDelivery(d);
        const event = toEvent(db.prepare('SELECT * FROM webhook_events WHERE id = ?').get(delivery.eventId) as Row);
        const endpoint = toEndpoint(db.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').get(delivery.endpointId) as Row);
        return { delivery, event, endpoint };
      });
    },
    recordAttempt(deliveryId, attempt, next, owner) {
      return db.transaction(() => {
        const current = db.prepare('SELECT attempt_count, lease_owner FROM webhook_deliveries WHERE id = ?').get(deliveryId) as
          | { attempt_count: number; lease_owner: string | null }
          | undefined;
        // The endpoint (and its deliveries) may have been deleted while the attempt ran, or
        // another owner took the delivery over once this one's lease ran out.
        if (!current || (owner !== undefined && current.lease_owner !== owner)) return false;
        const seq = current.attempt_count + 1;
        db.prepare('INSERT INTO webhook_attempts (delivery_id, seq, attempted_at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)').run(
          deliveryId, seq, attempt.attemptedAt, attempt.statusCode, attempt.error, attempt.durationMs,
        );
        db.prepare('UPDATE webhook_deliveries SET status = ?, attempt_count = ?, next_attempt_at = ?, updated_at = ?, lease_owner = NULL, leased_until = NULL WHERE id = ?').run(
          next.status, seq, next.nextAttemptAt, next.updatedAt, deliveryId,
        );
        return true;
      })();
    },
    renewLease(deliveryId, owner, until) {
      return db.prepare("UPDATE webhook_deliveries SET leased_until = ? WHERE id = ? AND lease_owner = ? AND status = 'pending'").run(until, deliveryId, owner).changes > 0;
    },
    releaseLeases(owner) {
      db.prepare('UPDATE webhook_deliveries SET lease_owner = NULL, leased_until = NULL WHERE lease_owner = ?').run(owner);
    },
  };
}
