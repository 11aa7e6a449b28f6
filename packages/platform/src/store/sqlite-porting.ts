import type Database from 'better-sqlite3';
import type { PortCommentRow, PortDocumentRow, PortEventRow, PortingPlatform, PortingScope, PortOrderPatch, PortOrderRow } from './porting-types';
import type { Page } from './types';
import { str, strOrNull, paginate, type Row } from './sqlite-rows';
import type { Synchronous } from './sqlite-async';

function toOrder(r: Row): PortOrderRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    status: r.status as PortOrderRow['status'],
    carrierName: str(r.carrier_name),
    accountNumber: str(r.account_number),
    pin: str(r.pin),
    authorisedPerson: JSON.parse(str(r.authorised_person)) as PortOrderRow['authorisedPerson'],
    serviceAddress: JSON.parse(str(r.service_address)) as PortOrderRow['serviceAddress'],
    requestedFocDate: str(r.requested_foc_date),
    focDate: strOrNull(r.foc_date),
    destination: { type: r.destination_type as 'extension' | 'ring_group', target: str(r.destination_target) },
    exceptionReason: strOrNull(r.exception_reason) as PortOrderRow['exceptionReason'],
    exceptionMessage: strOrNull(r.exception_message),
    carrierRef: strOrNull(r.carrier_ref),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    submittedAt: strOrNull(r.submitted_at),
    completedAt: strOrNull(r.completed_at),
    cancelledAt: strOrNull(r.cancelled_at),
  };
}

const toDocument = (r: Row): PortDocumentRow => ({
  id: str(r.id),
  tenantId: str(r.tenant_id),
  orderId: str(r.order_id),
  kind: r.kind as PortDocumentRow['kind'],
  filename: str(r.filename),
  contentType: r.content_type as PortDocumentRow['contentType'],
  sizeBytes: r.size_bytes as number,
  storagePath: str(r.storage_path),
  createdAt: str(r.created_at),
});

const toComment = (r: Row): PortCommentRow => ({
  id: str(r.id),
  tenantId: str(r.tenant_id),
  orderId: str(r.order_id),
  visibility: r.visibility as PortCommentRow['visibility'],
  body: str(r.body),
  authorPrincipal: r.author_principal as PortCommentRow['authorPrincipal'],
  authorKeyId: str(r.author_key_id),
  createdAt: str(r.created_at),
});

const toEvent = (r: Row): PortEventRow => ({
  id: str(r.id),
  tenantId: str(r.tenant_id),
  orderId: str(r.order_id),
  action: str(r.action),
  fromStatus: strOrNull(r.from_status) as PortEventRow['fromStatus'],
  toStatus: r.to_status as PortEventRow['toStatus'],
  actorType: r.actor_type as PortEventRow['actorType'],
  actorKeyId: strOrNull(r.actor_key_id),
  actorPrincipal: strOrNull(r.actor_principal) as PortEventRow['actorPrincipal'],
  reason: strOrNull(r.reason) as PortEventRow['reason'],
  message: strOrNull(r.message),
  occurredAt: str(r.occurred_at),
});

/** Column of each patchable field; names come from this map, never from input. */
const ORDER_COLUMNS: Record<string, (row: PortOrderPatch) => [string, unknown][]> = {
  status: (p) => [['status', p.status]],
  carrierName: (p) => [['carrier_name', p.carrierName]],
  accountNumber: (p) => [['account_number', p.accountNumber]],
  pin: (p) => [['pin', p.pin]],
  authorisedPerson: (p) => [['authorised_person', JSON.stringify(p.authorisedPerson)]],
  serviceAddress: (p) => [['service_address', JSON.stringify(p.serviceAddress)]],
  requestedFocDate: (p) => [['requested_foc_date', p.requestedFocDate]],
  focDate: (p) => [['foc_date', p.focDate]],
  destination: (p) => [
    ['destination_type', p.destination?.type],
    ['destination_target', p.destination?.target],
  ],
  exceptionReason: (p) => [['exception_reason', p.exceptionReason]],
  exceptionMessage: (p) => [['exception_message', p.exceptionMessage]],
  carrierRef: (p) => [['carrier_ref', p.carrierRef]],
  updatedAt: (p) => [['updated_at', p.updatedAt]],
  submittedAt: (p) => [['submitted_at', p.submittedAt]],
  completedAt: (p) => [['completed_at', p.completedAt]],
  cancelledAt: (p) => [['cancelled_at', p.cancelledAt]],
};

function orderSet(patch: PortOrderPatch): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const columns = ORDER_COLUMNS[key];
    if (value === undefined || !columns) continue;
    for (const [column, v] of columns(patch)) {
      parts.push(`${column} = ?`);
      values.push(v ?? null);
    }
  }
  return { sql: parts.join(', '), values };
}

export function sqlitePortingPlatform(db: Database.Database): Synchronous<PortingPlatform> {
  return {
    ordersIn(statuses, limit) {
      return db
        .prepare('SELECT id, tenant_id FROM port_orders WHERE status IN (SELECT value FROM json_each(?)) ORDER BY updated_at, id LIMIT ?')
        .all(JSON.stringify(statuses), limit)
        .map((r) => ({ id: str((r as Row).id), tenantId: str((r as Row).tenant_id) }));
    },
    staleDrafts(before, limit) {
      return db
        .prepare("SELECT id, tenant_id FROM port_orders WHERE status = 'draft' AND updated_at < ? ORDER BY updated_at, id LIMIT ?")
        .all(before, limit)
        .map((r) => ({ id: str((r as Row).id), tenantId: str((r as Row).tenant_id) }));
    },
    numberClaims(numbers, exceptOrderId) {
      const list = JSON.stringify(numbers);
      const rows = db
        .prepare(
          `SELECT number, tenant_id, NULL AS order_id FROM numbers WHERE number IN (SELECT value FROM json_each(?))
           UNION ALL
           SELECT number, tenant_id, order_id FROM port_order_numbers WHERE open = 1 AND order_id IS NOT ? AND number IN (SELECT value FROM json_each(?))`,
        )
        .all(list, exceptOrderId ?? null, list) as Row[];
      return rows.map((r) => ({ number: str(r.number), tenantId: strOrNull(r.tenant_id), orderId: strOrNull(r.order_id) }));
    },
    numbersOnPlatform(numbers) {
      return db.prepare('SELECT number FROM numbers WHERE number IN (SELECT value FROM json_each(?))').pluck().all(JSON.stringify(numbers)) as string[];
    },
  };
}

/** The tenant's porting collections; every statement is bound to `tenantId`. */
export function sqlitePortingScope(db: Database.Database, tenantId: string): Synchronous<PortingScope> {
  // Inserted unreserved: an order holds its numbers only from submit on (reserveNumbers).
  const insertNumbers = (orderId: string, numbers: readonly string[]) => {
    const statement = db.prepare('INSERT INTO port_order_numbers (order_id, tenant_id, position, number, open) VALUES (?, ?, ?, ?, 0)');
    numbers.forEach((number, position) => statement.run(orderId, tenantId, position, number));
  };
  return {
    portOrders: {
      insert(row, numbers) {
        db.prepare(
          `INSERT INTO port_orders (id, tenant_id, status, carrier_name, account_number, pin, authorised_person, service_address,
             requested_foc_date, foc_date, destination_type, destination_target, exception_reason, exception_message, carrier_ref,
             created_at, updated_at, submitted_at, completed_at, cancelled_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          row.id, tenantId, row.status, row.carrierName, row.accountNumber, row.pin, JSON.stringify(row.authorisedPerson), JSON.stringify(row.serviceAddress),
          row.requestedFocDate, row.focDate, row.destination.type, row.destination.target, row.exceptionReason, row.exceptionMessage, row.carrierRef,
          row.createdAt, row.updatedAt, row.submittedAt, row.completedAt, row.cancelledAt,
        );
        insertNumbers(row.id, numbers);
        return { ...row, tenantId };
      },
      get(id) {
        const row = db.prepare('SELECT * FROM port_orders WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toOrder(row);
      },
      list(page, filter = {}) {
        const rows = db
          .prepare('SELECT * FROM port_orders WHERE tenant_id = ? AND id > ? AND (? IS NULL OR status = ?) ORDER BY id LIMIT ?')
          .all(tenantId, page.after ?? '', filter.status ?? null, filter.status ?? null, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toOrder);
      },
      numbers(id) {
        return db.prepare('SELECT number FROM port_order_numbers WHERE tenant_id = ? AND order_id = ? ORDER BY position').pluck().all(tenantId, id) as string[];
      },
      numbersOf(ids) {
        const out = new Map<string, string[]>(ids.map((id) => [id, []]));
        const rows = db
          .prepare('SELECT order_id, number FROM port_order_numbers WHERE tenant_id = ? AND order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, position')
          .all(tenantId, JSON.stringify(ids)) as Row[];
        for (const r of rows) out.get(str(r.order_id))?.push(str(r.number));
        return out;
      },
      replaceNumbers(id, numbers) {
        db.prepare('DELETE FROM port_order_numbers WHERE tenant_id = ? AND order_id = ?').run(tenantId, id);
        insertNumbers(id, numbers);
      },
      reserveNumbers(id) {
        try {
          db.prepare('UPDATE port_order_numbers SET open = 1 WHERE tenant_id = ? AND order_id = ?').run(tenantId, id);
          return true;
        } catch (error) {
          // The statement is undone on its own (ON CONFLICT ABORT); the caller's transaction goes on.
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
          throw error;
        }
      },
      releaseNumbers(id) {
        db.prepare('UPDATE port_order_numbers SET open = 0 WHERE tenant_id = ? AND order_id = ?').run(tenantId, id);
      },
      countOpen(exceptId) {
        return db
          .prepare("SELECT COUNT(*) FROM port_orders WHERE tenant_id = ? AND status NOT IN ('completed', 'cancelled') AND id IS NOT ?")
          .pluck()
          .get(tenantId, exceptId ?? null) as number;
      },
      updateIfStatus(id, expected, patch) {
        const set = orderSet(patch);
        if (!set.sql) return false;
        return db.prepare(`UPDATE port_orders SET ${set.sql} WHERE tenant_id = ? AND id = ? AND status = ?`).run(...set.values, tenantId, id, expected).changes > 0;
      },
      activateNumbers(rows, routing, at) {
        const statement = db.prepare(
          `INSERT INTO numbers (id, number, tenant_id, route_type, route_target, assigned_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const r of rows) statement.run(r.id, r.number, tenantId, routing.type, routing.target, at, at, at);
      },
      documents: {
        insert(row) {
          db.prepare(
            'INSERT INTO port_documents (id, tenant_id, order_id, kind, filename, content_type, size_bytes, storage_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(row.id, tenantId, row.orderId, row.kind, row.filename, row.contentType, row.sizeBytes, row.storagePath, row.createdAt);
          return { ...row, tenantId };
        },
        list(orderId, page) {
          const rows = db
            .prepare('SELECT * FROM port_documents WHERE tenant_id = ? AND order_id = ? AND id > ? ORDER BY id LIMIT ?')
            .all(tenantId, orderId, page.after ?? '', page.limit + 1) as Row[];
          return paginate(rows, page.limit, toDocument);
        },
        get(orderId, id) {
          const row = db.prepare('SELECT * FROM port_documents WHERE tenant_id = ? AND order_id = ? AND id = ?').get(tenantId, orderId, id) as Row | undefined;
          return row && toDocument(row);
        },
        kinds(orderId) {
          return db.prepare('SELECT DISTINCT kind FROM port_documents WHERE tenant_id = ? AND order_id = ?').pluck().all(tenantId, orderId) as PortDocumentRow['kind'][];
        },
        totalBytes() {
          return (db.prepare('SELECT COALESCE(SUM(size_bytes), 0) AS n FROM port_documents WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
        },
      },
      comments: {
        insert(row) {
          db.prepare(
            'INSERT INTO port_comments (id, tenant_id, order_id, visibility, body, author_principal, author_key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          ).run(row.id, tenantId, row.orderId, row.visibility, row.body, row.authorPrincipal, row.authorKeyId, row.createdAt);
          return { ...row, tenantId };
        },
        list(orderId, page, includeInternal) {
          const rows = db
            .prepare(
              `SELECT * FROM port_comments WHERE tenant_id = ? AND order_id = ? AND id > ? AND (? OR visibility = 'public') ORDER BY id LIMIT ?`,
            )
            .all(tenantId, orderId, page.after ?? '', includeInternal ? 1 : 0, page.limit + 1) as Row[];
          return paginate(rows, page.limit, toComment);
        },
      },
      events: {
        insert(row) {
          db.prepare(
            `INSERT INTO port_order_events (id, tenant_id, order_id, action, from_status, to_status, actor_type, actor_key_id, actor_principal, reason, message, occurred_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(row.id, tenantId, row.orderId, row.action, row.fromStatus, row.toStatus, row.actorType, row.actorKeyId, row.actorPrincipal, row.reason, row.message, row.occurredAt);
          return { ...row, tenantId };
        },
        list(orderId, page) {
          const rows = db
            .prepare('SELECT * FROM port_order_events WHERE tenant_id = ? AND order_id = ? AND id > ? ORDER BY id LIMIT ?')
            .all(tenantId, orderId, page.after ?? '', page.limit + 1) as Row[];
          return paginate(rows, page.limit, toEvent);
        },
      },
    },
  };
}
