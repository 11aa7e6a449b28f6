import type { Kysely } from 'kysely';
import type { Database } from '../db/tables';
import { rollupHour, rollupIncrement } from '../call-rollup-sql';
import type { CallCounts, ScopedCallRecord, Store } from '../types';
import type { StoreContext } from './context';
import { scopedTenantId } from './tenant-db';

/** The largest multi-row statement: 256 rows x 12 columns stays far below both databases' parameter limits. */
const MAX_ROWS_PER_STATEMENT = 256;

/**
 * A batch of n rows as statements of power-of-two sizes (50 = 32 + 16 + 2): every batch is a few
 * statements, and the statement cache holds at most nine texts per table however batches vary.
 */
export function powerOfTwoChunks<T>(rows: readonly T[], max = MAX_ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  while (at < rows.length) {
    let size = max;
    while (size > rows.length - at) size >>= 1;
    chunks.push(rows.slice(at, at + size));
    at += size;
  }
  return chunks;
}

type Counts = { calls: number; answered: number; missed: number; failed: number; refused_channels: number; duration_seconds: number };

const columns = (c: CallCounts): Counts => ({
  calls: c.calls,
  answered: c.answered,
  missed: c.missed,
  failed: c.failed,
  refused_channels: c.refusedChannels,
  duration_seconds: c.durationSeconds,
});

function add(into: Map<string, Counts>, key: string, c: Counts): void {
  const held = into.get(key);
  if (!held) return void into.set(key, { ...c });
  held.calls += c.calls;
  held.answered += c.answered;
  held.missed += c.missed;
  held.failed += c.failed;
  held.refused_channels += c.refused_channels;
  held.duration_seconds += c.duration_seconds;
}

/** Keys are `a \n hour`; sorted, so concurrent writers (PostgreSQL nodes) lock rollup rows in one order. */
const sortedEntries = (m: Map<string, Counts>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, c]) => ({ first: key.slice(0, key.indexOf('\n')), hour: key.slice(key.indexOf('\n') + 1), c }));

/**
 * Call records of any tenants in one transaction (joining the caller's, if any): the records in
 * multi-row inserts, and what they add to the hourly rollups summed per (tenant, hour) and per
 * (owner, hour) first, so a batch costs one upsert per hour it touches, not three statements per
 * record. Each record's tenant comes from its scope (checked at run time like every scope).
 */
export function callRecordsPlatform(ctx: StoreContext): Store['callRecords'] {
  return {
    async append(records: readonly ScopedCallRecord[]) {
      if (records.length === 0) return;
      const rows = records.map(({ scope, row }) => ({ tenantId: scopedTenantId(scope), row }));
      await ctx.transaction(async () => {
        const db = ctx.db();
        for (const chunk of powerOfTwoChunks(rows)) {
          await db
            .insertInto('calls')
            .values(
              chunk.map(({ tenantId, row }) => ({
                id: row.id,
                tenant_id: tenantId,
                call_id: row.callId,
                from_number: row.from,
                to_number: row.to,
                direction: row.direction,
                started_at: row.startedAt,
                answered_at: row.answeredAt,
                ended_at: row.endedAt,
                duration_seconds: row.durationSeconds,
                disposition: row.disposition,
                sip_status: row.sipStatus,
              })),
            )
            .execute();
        }
        const byTenant = new Map<string, Counts>();
        for (const { tenantId, row } of rows) add(byTenant, `${tenantId}\n${rollupHour(row.startedAt)}`, columns(rollupIncrement(row)));
        await upsertTenantRollups(db, byTenant);
        await upsertOwnerRollups(db, byTenant);
      });
    },
  };
}

async function upsertTenantRollups(db: Kysely<Database>, sums: Map<string, Counts>): Promise<void> {
  for (const chunk of powerOfTwoChunks(sortedEntries(sums))) {
    await db
      .insertInto('call_rollups')
      .values(chunk.map(({ first, hour, c }) => ({ tenant_id: first, hour, ...c })))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'hour']).doUpdateSet((eb) => ({
          calls: eb('call_rollups.calls', '+', eb.ref('excluded.calls')),
          answered: eb('call_rollups.answered', '+', eb.ref('excluded.answered')),
          missed: eb('call_rollups.missed', '+', eb.ref('excluded.missed')),
          failed: eb('call_rollups.failed', '+', eb.ref('excluded.failed')),
          refused_channels: eb('call_rollups.refused_channels', '+', eb.ref('excluded.refused_channels')),
          duration_seconds: eb('call_rollups.duration_seconds', '+', eb.ref('excluded.duration_seconds')),
        })),
      )
      .execute();
  }
}

/** The same sums per owner of tenants (a reseller id, '' for the provider's own), read once per batch. */
async function upsertOwnerRollups(db: Kysely<Database>, byTenant: Map<string, Counts>): Promise<void> {
  const tenantIds = [...new Set([...byTenant.keys()].map((key) => key.slice(0, key.indexOf('\n'))))];
  const owners = new Map<string, string>();
  for (const chunk of powerOfTwoChunks(tenantIds)) {
    for (const t of await db.selectFrom('tenants').select(['id', 'reseller_id']).where('id', 'in', chunk).execute()) owners.set(t.id, t.reseller_id ?? '');
  }
  const sums = new Map<string, Counts>();
  for (const [key, c] of byTenant) {
    const owner = owners.get(key.slice(0, key.indexOf('\n')));
    // A tenant gone meanwhile: its records failed on their foreign key already.
    if (owner !== undefined) add(sums, `${owner}\n${key.slice(key.indexOf('\n') + 1)}`, c);
  }
  for (const chunk of powerOfTwoChunks(sortedEntries(sums))) {
    await db
      .insertInto('owner_call_rollups')
      .values(chunk.map(({ first, hour, c }) => ({ owner: first, hour, ...c })))
      .onConflict((oc) =>
        oc.columns(['owner', 'hour']).doUpdateSet((eb) => ({
          calls: eb('owner_call_rollups.calls', '+', eb.ref('excluded.calls')),
          answered: eb('owner_call_rollups.answered', '+', eb.ref('excluded.answered')),
          missed: eb('owner_call_rollups.missed', '+', eb.ref('excluded.missed')),
          failed: eb('owner_call_rollups.failed', '+', eb.ref('excluded.failed')),
          refused_channels: eb('owner_call_rollups.refused_channels', '+', eb.ref('excluded.refused_channels')),
          duration_seconds: eb('owner_call_rollups.duration_seconds', '+', eb.ref('excluded.duration_seconds')),
        })),
      )
      .execute();
  }
}
