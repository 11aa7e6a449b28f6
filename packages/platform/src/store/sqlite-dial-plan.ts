import type Database from 'better-sqlite3';
import type {
  DialPlanScope,
  DialRuleAction,
  DialRuleRow,
  NumberInventory,
  NumberRow,
  NumberRouting,
  RingGroupRow,
  TenantNumberRow,
  TrunkRow,
} from './dial-plan-types';
import type { Page } from './types';
import { str, strOrNull, paginate, setClause, type Row } from './sqlite-rows';
import type { Synchronous } from './sqlite-async';

function toNumber(r: Row): NumberRow {
  const type = strOrNull(r.route_type);
  return {
    id: str(r.id),
    number: str(r.number),
    tenantId: strOrNull(r.tenant_id),
    routing: type && r.tenant_id ? ({ type, target: str(r.route_target) } as NumberRouting) : null,
    assignedAt: strOrNull(r.assigned_at),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

const toTenantNumber = (r: Row) => toNumber(r) as TenantNumberRow;

function toDialRule(r: Row): DialRuleRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    name: str(r.name),
    pattern: str(r.pattern),
    position: r.position as number,
    action: JSON.parse(str(r.action)) as DialRuleAction,
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function toRingGroup(r: Row): RingGroupRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    number: str(r.number),
    name: str(r.name),
    strategy: r.strategy as RingGroupRow['strategy'],
    memberTimeoutSeconds: r.member_timeout_seconds as number,
    members: JSON.parse(str(r.members)) as string[],
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function toTrunk(r: Row): TrunkRow {
  return {
    id: str(r.id),
    tenantId: str(r.tenant_id),
    name: str(r.name),
    username: str(r.username),
    ha1: str(r.ha1),
    callerId: strOrNull(r.caller_id),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

/** One row more than asked tells whether another page follows; `cursorOf` picks what the next page starts after. */

export function sqliteNumberInventory(db: Database.Database): Synchronous<NumberInventory> {
  return {
    insert(row) {
      db.prepare('INSERT INTO numbers (id, number, created_at, updated_at) VALUES (?, ?, ?, ?)').run(row.id, row.number, row.createdAt, row.updatedAt);
      return { ...row, tenantId: null, routing: null, assignedAt: null };
    },
    get(id) {
      const row = db.prepare('SELECT * FROM numbers WHERE id = ?').get(id) as Row | undefined;
      return row && toNumber(row);
    },
    getByNumber(number) {
      const row = db.prepare('SELECT * FROM numbers WHERE number = ?').get(number) as Row | undefined;
      return row && toNumber(row);
    },
    list(page, filter = {}) {
      const where = ['id > ?'];
      if (filter.assigned === true) where.push('tenant_id IS NOT NULL');
      if (filter.assigned === false) where.push('tenant_id IS NULL');
      const rows = db.prepare(`SELECT * FROM numbers WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(page.after ?? '', page.limit + 1) as Row[];
      return paginate(rows, page.limit, toNumber);
    },
    assign(id, { tenantId }, at) {
      return (
        db
          .prepare('UPDATE numbers SET tenant_id = ?, route_type = NULL, route_target = NULL, assigned_at = ?, updated_at = ? WHERE id = ? AND tenant_id IS NULL')
          .run(tenantId, at, at, id).changes > 0
      );
    },
    delete(id) {
      return db.prepare('DELETE FROM numbers WHERE id = ? AND tenant_id IS NULL').run(id).changes > 0;
    },
  };
}

/** The tenant-owned telephony collections; every statement is bound to `tenantId`. */
export function sqliteDialPlanScope(db: Database.Database, tenantId: string): Synchronous<DialPlanScope> {
  return {
    numbers: {
      list(page) {
        const rows = db.prepare('SELECT * FROM numbers WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?').all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toTenantNumber);
      },
      get(id) {
        const row = db.prepare('SELECT * FROM numbers WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toTenantNumber(row);
      },
      getByNumber(number) {
        const row = db.prepare('SELECT * FROM numbers WHERE tenant_id = ? AND number = ?').get(tenantId, number) as Row | undefined;
        return row && toTenantNumber(row);
      },
      count() {
        return (db.prepare('SELECT COUNT(*) AS n FROM numbers WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
      },
      routedTo(routing) {
        const rows = db
          .prepare('SELECT * FROM numbers WHERE tenant_id = ? AND route_type = ? AND route_target = ? ORDER BY id')
          .all(tenantId, routing.type, routing.target) as Row[];
        return rows.map(toTenantNumber);
      },
      route(id, routing, at) {
        db.prepare('UPDATE numbers SET route_type = ?, route_target = ?, updated_at = ? WHERE tenant_id = ? AND id = ?').run(
          routing?.type ?? null,
          routing?.target ?? null,
          at,
          tenantId,
          id,
        );
        return this.get(id);
      },
      release(id, at) {
        return (
          db
            .prepare('UPDATE numbers SET tenant_id = NULL, route_type = NULL, route_target = NULL, assigned_at = NULL, updated_at = ? WHERE tenant_id = ? AND id = ?')
            .run(at, tenantId, id).changes > 0
        );
      },
    },

    dialRules: {
      all() {
        return (db.prepare('SELECT * FROM dial_rules WHERE tenant_id = ? ORDER BY position, id').all(tenantId) as Row[]).map(toDialRule);
      },
      list(page) {
        const after = page.after === undefined ? -1 : Number.parseInt(page.after, 10);
        const rows = db
          .prepare('SELECT * FROM dial_rules WHERE tenant_id = ? AND position > ? ORDER BY position, id LIMIT ?')
          .all(tenantId, Number.isFinite(after) ? after : -1, page.limit + 1) as Row[];
        return paginate(rows, page.limit, toDialRule, (r) => String(r.position));
      },
      get(id) {
        const row = db.prepare('SELECT * FROM dial_rules WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toDialRule(row);
      },
      count() {
        return (db.prepare('SELECT COUNT(*) AS n FROM dial_rules WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
      },
      insert(row) {
        db.prepare(
          'INSERT INTO dial_rules (id, tenant_id, name, pattern, position, action, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(row.id, tenantId, row.name, row.pattern, row.position, JSON.stringify(row.action), row.createdAt, row.updatedAt);
        return { ...row, tenantId };
      },
      update(id, patch) {
        const { action, ...rest } = patch;
        const set = setClause(
          { ...rest, action: action && JSON.stringify(action) },
          { name: 'name', pattern: 'pattern', position: 'position', action: 'action', updatedAt: 'updated_at' },
        );
        if (set.sql) db.prepare(`UPDATE dial_rules SET ${set.sql} WHERE tenant_id = ? AND id = ?`).run(...set.values, tenantId, id);
        return this.get(id);
      },
      delete(id) {
        return db.prepare('DELETE FROM dial_rules WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      },
      shift(from, by, to) {
        db.prepare('UPDATE dial_rules SET position = position + ? WHERE tenant_id = ? AND position >= ? AND position < ?').run(
          by,
          tenantId,
          from,
          to ?? Number.MAX_SAFE_INTEGER,
        );
      },
      revision() {
        const row = db.prepare('SELECT dial_plan_revision AS r FROM tenants WHERE id = ?').get(tenantId) as { r: number } | undefined;
        return row?.r ?? 0;
      },
      touch() {
        db.prepare('UPDATE tenants SET dial_plan_revision = dial_plan_revision + 1 WHERE id = ?').run(tenantId);
      },
    },

    ringGroups: {
      list(page) {
        const rows = db.prepare('SELECT * FROM ring_groups WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?').all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toRingGroup);
      },
      get(id) {
        const row = db.prepare('SELECT * FROM ring_groups WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toRingGroup(row);
      },
      getByNumber(number) {
        const row = db.prepare('SELECT * FROM ring_groups WHERE tenant_id = ? AND number = ?').get(tenantId, number) as Row | undefined;
        return row && toRingGroup(row);
      },
      count() {
        return (db.prepare('SELECT COUNT(*) AS n FROM ring_groups WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
      },
      insert(row) {
        db.prepare(
          `INSERT INTO ring_groups (id, tenant_id, number, name, strategy, member_timeout_seconds, members, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(row.id, tenantId, row.number, row.name, row.strategy, row.memberTimeoutSeconds, JSON.stringify(row.members), row.createdAt, row.updatedAt);
        return { ...row, tenantId };
      },
      update(id, patch) {
        const { members, ...rest } = patch;
        const set = setClause(
          { ...rest, members: members && JSON.stringify(members) },
          { name: 'name', strategy: 'strategy', memberTimeoutSeconds: 'member_timeout_seconds', members: 'members', updatedAt: 'updated_at' },
        );
        if (set.sql) db.prepare(`UPDATE ring_groups SET ${set.sql} WHERE tenant_id = ? AND id = ?`).run(...set.values, tenantId, id);
        return this.get(id);
      },
      delete(id) {
        return db.prepare('DELETE FROM ring_groups WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      },
    },

    trunks: {
      list(page) {
        const rows = db.prepare('SELECT * FROM trunks WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?').all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toTrunk);
      },
      get(id) {
        const row = db.prepare('SELECT * FROM trunks WHERE tenant_id = ? AND id = ?').get(tenantId, id) as Row | undefined;
        return row && toTrunk(row);
      },
      getByUsername(username) {
        const row = db.prepare('SELECT * FROM trunks WHERE tenant_id = ? AND username = ?').get(tenantId, username) as Row | undefined;
        return row && toTrunk(row);
      },
      count() {
        return (db.prepare('SELECT COUNT(*) AS n FROM trunks WHERE tenant_id = ?').get(tenantId) as { n: number }).n;
      },
      insert(row) {
        db.prepare(
          'INSERT INTO trunks (id, tenant_id, name, username, ha1, caller_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(row.id, tenantId, row.name, row.username, row.ha1, row.callerId, row.createdAt, row.updatedAt);
        return { ...row, tenantId };
      },
      update(id, patch) {
        // null is a value here (it clears the caller id); only undefined leaves a column alone.
        const set = setClause(patch, { name: 'name', ha1: 'ha1', callerId: 'caller_id', updatedAt: 'updated_at' });
        if (set.sql) db.prepare(`UPDATE trunks SET ${set.sql} WHERE tenant_id = ? AND id = ?`).run(...set.values, tenantId, id);
        return this.get(id);
      },
      delete(id) {
        return db.prepare('DELETE FROM trunks WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      },
    },
  };
}
