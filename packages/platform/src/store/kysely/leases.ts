import { sql } from 'kysely';
import type { Leases } from '../lease-types';
import type { StoreContext } from './context';
import { scopedTenantId } from './tenant-db';

/**
 * Job leases and rate events on either database. A lease is taken with one upsert whose conflict
 * branch only fires when the held lease ran out (or is the taker's own), so of two nodes racing
 * for a job exactly one sees its row come back: on PostgreSQL the loser's upsert waits on the
 * winner's row lock and then finds the lease held; on SQLite writes are serial anyway. Rate
 * windows are checked and counted in one transaction (see RateEvents.take).
 */
export function leasePlatform(ctx: StoreContext): Leases {
  const system = ctx.db;
  return {
    jobs: {
      async acquire(name, owner, now, until) {
        const row = await system()
          .insertInto('job_leases')
          .values({ name, owner, leased_until: until })
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet({ owner, leased_until: until })
              .where((eb) => eb.or([eb('job_leases.leased_until', '<=', now), eb('job_leases.owner', '=', owner)])),
          )
          .returning('owner')
          .executeTakeFirst();
        return row?.owner === owner;
      },
      async release(name, owner) {
        await system().deleteFrom('job_leases').where('name', '=', name).where('owner', '=', owner).execute();
      },
    },
    async lockTenant(scope) {
      const tenantId = scopedTenantId(scope);
      if (ctx.conn.dialect !== 'postgres' || !ctx.inTransaction()) return;
      await system().selectFrom('tenants').select('id').where('id', '=', tenantId).forNoKeyUpdate().execute();
    },
    rates: {
      take: (bucket, id, nowMs, windowMs, max) =>
        ctx.transaction(async () => {
          if (ctx.conn.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${`highrise.rate:${bucket}`}))`.execute(system());
          const times = await system()
            .selectFrom('rate_events')
            .select('at_ms')
            .where('bucket', '=', bucket)
            .where('at_ms', '>', nowMs - windowMs)
            .orderBy('at_ms', 'desc')
            .limit(max)
            .execute();
          if (times.length >= max) return Math.max(1, Number(times.at(-1)!.at_ms) + windowMs - nowMs);
          await system().insertInto('rate_events').values({ id, bucket, at_ms: nowMs }).execute();
          return 0;
        }),
      async remove(id) {
        await system().deleteFrom('rate_events').where('id', '=', id).execute();
      },
      async purgeUpTo(atMs) {
        const result = await system().deleteFrom('rate_events').where('at_ms', '<=', atMs).executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    },
  };
}
