import type Database from 'better-sqlite3';
import { byStatus, FAILED_ATTEMPTS, rollupHour, rollupIncrement, SUMMED_ROLLUP_COLUMNS, toCallHour, toCounts, type RollupRow, type StatusCount } from './call-rollup-sql';
import type { Synchronous } from './sqlite-async';
import type { CallRow, CallHour, CallSpan, Store } from './types';

const UPSERT_COUNTS = `calls = calls + excluded.calls, answered = answered + excluded.answered, missed = missed + excluded.missed,
  failed = failed + excluded.failed, refused_channels = refused_channels + excluded.refused_channels,
  duration_seconds = duration_seconds + excluded.duration_seconds`;

/** Adds one call record to its tenant's and its tenant owner's hourly rollups; called in the insert's transaction. */
export function addToRollup(db: Database.Database, tenantId: string, row: Omit<CallRow, 'tenantId'>): void {
  const inc = rollupIncrement(row);
  const hour = rollupHour(row.startedAt);
  const counts = [inc.calls, inc.answered, inc.missed, inc.failed, inc.refusedChannels, inc.durationSeconds];
  statement(
    db,
    `INSERT INTO call_rollups (tenant_id, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, hour) DO UPDATE SET ${UPSERT_COUNTS}`,
  ).run(tenantId, hour, ...counts);
  // "WHERE true": SQLite's upsert after INSERT … SELECT needs a WHERE to parse.
  statement(
    db,
    `INSERT INTO owner_call_rollups (owner, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
     SELECT COALESCE(reseller_id, ''), ?, ?, ?, ?, ?, ?, ? FROM tenants WHERE id = ? AND true
     ON CONFLICT (owner, hour) DO UPDATE SET ${UPSERT_COUNTS}`,
  ).run(hour, ...counts, tenantId);
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
/** Prepared once per connection: ingestion runs these for every call that ends. */
function statement(db: Database.Database, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (!byText) statements.set(db, (byText = new Map()));
  let s = byText.get(sql);
  if (!s) byText.set(sql, (s = db.prepare(sql)));
  return s;
}

export function tenantHourly(db: Database.Database, tenantId: string, fromHour: string, toHour: string): CallHour[] {
  const rows = db
    .prepare(
      `SELECT hour, calls, answered, missed, failed, refused_channels, duration_seconds FROM call_rollups
       WHERE tenant_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
    )
    .all(tenantId, fromHour, toHour) as RollupRow[];
  return rows.map(toCallHour);
}

const DAY_MS = 86_400_000;

export function callSpans(db: Database.Database, tenantId: string, from: string, to: string): CallSpan[] {
  const earliest = new Date(new Date(from).getTime() - DAY_MS).toISOString();
  return db
    .prepare(
      `SELECT started_at AS startedAt, ended_at AS endedAt FROM calls
       WHERE tenant_id = ? AND started_at >= ? AND started_at < ? AND ended_at > ? ORDER BY started_at`,
    )
    .all(tenantId, earliest, to, from) as CallSpan[];
}

export function sqliteAnalytics(db: Database.Database): Synchronous<Store['analytics']> {
  return {
    hourly(fromHour, toHour, filter) {
      const owner = filter.resellerId === undefined ? '' : 'owner = ? AND';
      const rows = db
        .prepare(`SELECT hour, ${SUMMED_ROLLUP_COLUMNS} FROM owner_call_rollups WHERE ${owner} hour >= ? AND hour < ? GROUP BY hour ORDER BY hour`)
        .all(...(filter.resellerId === undefined ? [] : [filter.resellerId]), fromHour, toHour) as RollupRow[];
      return rows.map(toCallHour);
    },
    tenantTotals(fromHour, toHour, filter) {
      const join = filter.resellerId === undefined ? '' : 'JOIN tenants ON tenants.id = call_rollups.tenant_id AND tenants.reseller_id = ?';
      const rows = db
        .prepare(`SELECT call_rollups.tenant_id, ${SUMMED_ROLLUP_COLUMNS} FROM call_rollups ${join} WHERE hour >= ? AND hour < ? GROUP BY call_rollups.tenant_id`)
        .all(...(filter.resellerId === undefined ? [] : [filter.resellerId]), fromHour, toHour) as RollupRow[];
      return rows.map((r) => ({ tenantId: String(r.tenant_id), ...toCounts(r) }));
    },
    portOrdersByStatus() {
      return byStatus(db.prepare('SELECT status, COUNT(*) AS n FROM port_orders GROUP BY status').all() as StatusCount[]);
    },
    webhookDeliveriesByStatus() {
      return byStatus(db.prepare('SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status').all() as StatusCount[]);
    },
    webhookAttempts() {
      const row = db.prepare(`SELECT COUNT(*) AS total, ${FAILED_ATTEMPTS} AS failed FROM webhook_attempts`).get() as { total: number; failed: number | null };
      return { total: row.total, failed: row.failed ?? 0 };
    },
  };
}
