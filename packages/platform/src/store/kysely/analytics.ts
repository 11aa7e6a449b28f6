import { sql } from 'kysely';
import type { AsyncStore, AsyncTenantScope } from '../async-types';
import { byStatus, FAILED_ATTEMPTS, SUMMED_ROLLUP_COLUMNS, toCallHour, toCounts, type RollupRow, type StatusCount } from '../call-rollup-sql';
import type { CallSpan } from '../types';
import type { StoreContext } from './context';
import type { TenantDb } from './tenant-db';

const DAY_MS = 86_400_000;

export function tenantCallAnalytics(tenant: TenantDb): Pick<AsyncTenantScope['calls'], 'hourly' | 'spans'> {
  return {
    async hourly(fromHour, toHour) {
      const rows = await tenant.selectFrom('call_rollups').selectAll().where('hour', '>=', fromHour).where('hour', '<', toHour).orderBy('hour').execute();
      return rows.map((r) => toCallHour(r));
    },
    async spans(from, to) {
      const earliest = new Date(new Date(from).getTime() - DAY_MS).toISOString();
      const rows = await tenant
        .selectFrom('calls')
        .select(['started_at', 'ended_at'])
        .where('started_at', '>=', earliest)
        .where('started_at', '<', to)
        .where('ended_at', '>', from)
        .orderBy('started_at')
        .execute();
      return rows.map((r): CallSpan => ({ startedAt: r.started_at, endedAt: r.ended_at }));
    },
  };
}

/** Sums across tenants (every tenant, or one reseller's): the one platform-wide read of call figures. */
export function analyticsPlatform(ctx: StoreContext): Omit<AsyncStore['analytics'], 'usageHourly' | 'usageTenantTotals' | 'storedBytesByTenant'> {
  const joinReseller = (resellerId: string | undefined) =>
    resellerId === undefined ? sql`` : sql`JOIN tenants ON tenants.id = call_rollups.tenant_id AND tenants.reseller_id = ${resellerId}`;
  return {
    async hourly(fromHour, toHour, filter) {
      const owner = filter.resellerId === undefined ? sql`` : sql`owner = ${filter.resellerId} AND`;
      const result = await sql<RollupRow>`SELECT hour, ${sql.raw(SUMMED_ROLLUP_COLUMNS)} FROM owner_call_rollups
        WHERE ${owner} hour >= ${fromHour} AND hour < ${toHour} GROUP BY hour ORDER BY hour`.execute(ctx.db());
      return result.rows.map(toCallHour);
    },
    async tenantTotals(fromHour, toHour, filter) {
      const result = await sql<RollupRow>`SELECT call_rollups.tenant_id, ${sql.raw(SUMMED_ROLLUP_COLUMNS)} FROM call_rollups ${joinReseller(filter.resellerId)}
        WHERE hour >= ${fromHour} AND hour < ${toHour} GROUP BY call_rollups.tenant_id`.execute(ctx.db());
      return result.rows.map((r) => ({ tenantId: String(r.tenant_id), ...toCounts(r) }));
    },
    async portOrdersByStatus() {
      return byStatus((await sql<StatusCount>`SELECT status, COUNT(*) AS n FROM port_orders GROUP BY status`.execute(ctx.db())).rows);
    },
    async webhookDeliveriesByStatus() {
      return byStatus((await sql<StatusCount>`SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status`.execute(ctx.db())).rows);
    },
    async webhookAttempts() {
      const result = await sql<{ total: number | string; failed: number | string | null }>`SELECT COUNT(*) AS total, ${sql.raw(FAILED_ATTEMPTS)} AS failed FROM webhook_attempts`.execute(ctx.db());
      const row = result.rows[0];
      return { total: Number(row?.total ?? 0), failed: Number(row?.failed ?? 0) };
    },
  };
}
