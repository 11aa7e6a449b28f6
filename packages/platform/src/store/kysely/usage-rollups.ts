import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables';
import type { Store, UsageCounts, UsageHour } from '../types';
import { powerOfTwoChunks } from './call-records';
import type { StoreContext } from './context';
import { scopedTenantId, type TenantDb } from './tenant-db';

type Counts = { messages: number; refused_messages: number; refused_extensions: number; refused_storage: number };
type Peaks = { peak_registrations: number; peak_storage_bytes: number };

interface UsageRow {
  hour?: string;
  tenant_id?: string;
  messages: number | string | bigint;
  refused_messages: number | string | bigint;
  refused_extensions: number | string | bigint;
  refused_storage: number | string | bigint;
  peak_registrations?: number | string | bigint | null;
  peak_storage_bytes?: number | string | bigint | null;
}

/** pg answers BIGINT and SUM as text; the figures stay far below 2^53. */
const toUsage = (r: UsageRow): UsageCounts => ({
  messages: Number(r.messages),
  refusedMessages: Number(r.refused_messages),
  refusedExtensions: Number(r.refused_extensions),
  refusedStorage: Number(r.refused_storage),
  peakRegistrations: Number(r.peak_registrations ?? 0),
  peakStorageBytes: Number(r.peak_storage_bytes ?? 0),
});

const toUsageHour = (r: UsageRow): UsageHour => ({ hour: String(r.hour), ...toUsage(r) });

const SUMMED = `SUM(messages) AS messages, SUM(refused_messages) AS refused_messages,
  SUM(refused_extensions) AS refused_extensions, SUM(refused_storage) AS refused_storage`;

const counts = (c: UsageCounts): Counts => ({
  messages: c.messages,
  refused_messages: c.refusedMessages,
  refused_extensions: c.refusedExtensions,
  refused_storage: c.refusedStorage,
});

export function tenantUsageRollups(tenant: TenantDb): { usage: { hourly(fromHour: string, toHour: string): Promise<UsageHour[]> } } {
  return {
    usage: {
      async hourly(fromHour, toHour) {
        const rows = await tenant.selectFrom('usage_rollups').selectAll().where('hour', '>=', fromHour).where('hour', '<', toHour).orderBy('hour').execute();
        return rows.map((r) => toUsageHour(r));
      },
    },
  };
}

/**
 * Additive upserts: a node adds what it counted since its last flush, so several nodes sharing one
 * PostgreSQL never overwrite each other; peaks keep the larger value (MAX on SQLite, GREATEST on
 * PostgreSQL: SQLite's scalar MAX is PostgreSQL's GREATEST). Rows are sorted by key so concurrent
 * flushes lock them in one order.
 */
export function usageRollupsPlatform(ctx: StoreContext): Store['usageRollups'] {
  const greatest = ctx.conn.dialect === 'postgres' ? 'GREATEST' : 'MAX';
  return {
    async add(rows) {
      if (rows.length === 0) return;
      const byTenant = new Map<string, { tenantId: string; hour: string; c: UsageCounts }>();
      for (const { scope, hour, counts: c } of rows) {
        const tenantId = scopedTenantId(scope);
        const key = `${hour}\n${tenantId}`;
        const held = byTenant.get(key);
        if (!held) byTenant.set(key, { tenantId, hour, c: { ...c } });
        else held.c = merge(held.c, c);
      }
      const sorted = [...byTenant].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
      await ctx.transaction(async () => {
        const db = ctx.db();
        for (const chunk of powerOfTwoChunks(sorted)) {
          await db
            .insertInto('usage_rollups')
            .values(chunk.map(({ tenantId, hour, c }) => ({ tenant_id: tenantId, hour, ...counts(c), peak_registrations: c.peakRegistrations, peak_storage_bytes: c.peakStorageBytes })))
            .onConflict((oc) =>
              oc.columns(['hour', 'tenant_id']).doUpdateSet((eb) => ({
                messages: eb('usage_rollups.messages', '+', eb.ref('excluded.messages')),
                refused_messages: eb('usage_rollups.refused_messages', '+', eb.ref('excluded.refused_messages')),
                refused_extensions: eb('usage_rollups.refused_extensions', '+', eb.ref('excluded.refused_extensions')),
                refused_storage: eb('usage_rollups.refused_storage', '+', eb.ref('excluded.refused_storage')),
                peak_registrations: sql<number>`${sql.raw(greatest)}(usage_rollups.peak_registrations, excluded.peak_registrations)`,
                peak_storage_bytes: sql<number>`${sql.raw(greatest)}(usage_rollups.peak_storage_bytes, excluded.peak_storage_bytes)`,
              })),
            )
            .execute();
        }
        await upsertOwners(db, sorted);
      });
    },
  };
}

function merge(a: UsageCounts, b: UsageCounts): UsageCounts {
  return {
    messages: a.messages + b.messages,
    refusedMessages: a.refusedMessages + b.refusedMessages,
    refusedExtensions: a.refusedExtensions + b.refusedExtensions,
    refusedStorage: a.refusedStorage + b.refusedStorage,
    peakRegistrations: Math.max(a.peakRegistrations, b.peakRegistrations),
    peakStorageBytes: Math.max(a.peakStorageBytes, b.peakStorageBytes),
  };
}

/** The counts per owner of tenants (a reseller id, '' for the provider's own); rows of counts only. */
async function upsertOwners(db: Kysely<Database>, rows: readonly { tenantId: string; hour: string; c: UsageCounts }[]): Promise<void> {
  const counted = rows.filter(({ c }) => c.messages + c.refusedMessages + c.refusedExtensions + c.refusedStorage > 0);
  if (counted.length === 0) return;
  const owners = new Map<string, string>();
  for (const chunk of powerOfTwoChunks([...new Set(counted.map((r) => r.tenantId))])) {
    for (const t of await db.selectFrom('tenants').select(['id', 'reseller_id']).where('id', 'in', chunk).execute()) owners.set(t.id, t.reseller_id ?? '');
  }
  const sums = new Map<string, Counts & { owner: string; hour: string }>();
  for (const { tenantId, hour, c } of counted) {
    const owner = owners.get(tenantId);
    if (owner === undefined) continue;
    const key = `${owner}\n${hour}`;
    const held = sums.get(key);
    const add = counts(c);
    if (!held) sums.set(key, { owner, hour, ...add });
    else for (const k of ['messages', 'refused_messages', 'refused_extensions', 'refused_storage'] as const) held[k] += add[k];
  }
  const sorted = [...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  for (const chunk of powerOfTwoChunks(sorted)) {
    await db
      .insertInto('owner_usage_rollups')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['owner', 'hour']).doUpdateSet((eb) => ({
          messages: eb('owner_usage_rollups.messages', '+', eb.ref('excluded.messages')),
          refused_messages: eb('owner_usage_rollups.refused_messages', '+', eb.ref('excluded.refused_messages')),
          refused_extensions: eb('owner_usage_rollups.refused_extensions', '+', eb.ref('excluded.refused_extensions')),
          refused_storage: eb('owner_usage_rollups.refused_storage', '+', eb.ref('excluded.refused_storage')),
        })),
      )
      .execute();
  }
}

/** The platform-wide reads of usage rollups, merged into AsyncStore['analytics'] by analyticsPlatform. */
export function usageAnalytics(ctx: StoreContext): Pick<Store['analytics'], 'usageHourly' | 'usageTenantTotals' | 'storedBytesByTenant'> {
  const joinReseller = (resellerId: string | undefined) =>
    resellerId === undefined ? sql`` : sql`JOIN tenants ON tenants.id = usage_rollups.tenant_id AND tenants.reseller_id = ${resellerId}`;
  return {
    async usageHourly(fromHour, toHour, filter) {
      const owner = filter.resellerId === undefined ? sql`` : sql`owner = ${filter.resellerId} AND`;
      const result = await sql<UsageRow>`SELECT hour, ${sql.raw(SUMMED)} FROM owner_usage_rollups
        WHERE ${owner} hour >= ${fromHour} AND hour < ${toHour} GROUP BY hour ORDER BY hour`.execute(ctx.db());
      return result.rows.map(toUsageHour);
    },
    async usageTenantTotals(fromHour, toHour, filter) {
      const result = await sql<UsageRow>`SELECT usage_rollups.tenant_id, ${sql.raw(SUMMED)},
          MAX(peak_registrations) AS peak_registrations, MAX(peak_storage_bytes) AS peak_storage_bytes
        FROM usage_rollups ${joinReseller(filter.resellerId)}
        WHERE hour >= ${fromHour} AND hour < ${toHour} GROUP BY usage_rollups.tenant_id`.execute(ctx.db());
      return result.rows.map((r) => ({ tenantId: String(r.tenant_id), ...toUsage(r) }));
    },
    async storedBytesByTenant() {
      const result = await sql<{ tenant_id: string; bytes: number | string }>`SELECT tenant_id, SUM(bytes) AS bytes FROM (
          SELECT tenant_id, size_bytes AS bytes FROM port_documents
          UNION ALL SELECT tenant_id, logo_bytes AS bytes FROM tenant_brandings WHERE logo_bytes > 0
        ) stored GROUP BY tenant_id`.execute(ctx.db());
      return result.rows.map((r) => ({ tenantId: r.tenant_id, bytes: Number(r.bytes) })).filter((r) => r.bytes > 0);
    },
  };
}
