import type Database from 'better-sqlite3';
import { rollupHour, rollupIncrement, SUMMED_ROLLUP_COLUMNS, toCallHour, toCounts, type RollupRow } from './call-rollup-sql';
import type { Synchronous } from './sqlite-async';
import type { CallRow, CallHour, CallSpan, Store } from './types';

/** Adds one call record to its tenant's hourly rollup; called in the same transaction as the insert. */
export function addToRollup(db: Database.Database, tenantId: string, row: Omit<CallRow, 'tenantId'>): void {
  const inc = rollupIncrement(row);
  db.prepare(
    `INSERT INTO call_rollups (tenant_id, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, hour) DO UPDATE SET calls = calls + excluded.calls, answered = answered + excluded.answered,
       missed = missed + excluded.missed, failed = failed + excluded.failed,
       refused_channels = refused_channels + excluded.refused_channels, duration_seconds = duration_seconds + excluded.duration_seconds`,
  ).run(tenantId, rollupHour(row.startedAt), inc.calls, inc.answered, inc.missed, inc.failed, inc.refusedChannels, inc.durationSeconds);
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
  const scope = (resellerId: string | undefined) =>
    resellerId === undefined ? { join: '', values: [] as string[] } : { join: 'JOIN tenants ON tenants.id = call_rollups.tenant_id AND tenants.reseller_id = ?', values: [resellerId] };
  return {
    hourly(fromHour, toHour, filter) {
      const { join, values } = scope(filter.resellerId);
      const rows = db
        .prepare(`SELECT hour, ${SUMMED_ROLLUP_COLUMNS} FROM call_rollups ${join} WHERE hour >= ? AND hour < ? GROUP BY hour ORDER BY hour`)
        .all(...values, fromHour, toHour) as RollupRow[];
      return rows.map(toCallHour);
    },
    tenantTotals(fromHour, toHour, filter) {
      const { join, values } = scope(filter.resellerId);
      const rows = db
        .prepare(`SELECT call_rollups.tenant_id, ${SUMMED_ROLLUP_COLUMNS} FROM call_rollups ${join} WHERE hour >= ? AND hour < ? GROUP BY call_rollups.tenant_id`)
        .all(...values, fromHour, toHour) as RollupRow[];
      return rows.map((r) => ({ tenantId: String(r.tenant_id), ...toCounts(r) }));
    },
  };
}
