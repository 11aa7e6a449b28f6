import type { DeletedTenantState, TenantLifecycleStore } from '../lifecycle-types';
import type { Promisified } from '../async-types';
import type { StoreContext } from './context';
import { scopedTenantId } from './tenant-db';

/**
 * The tenant life cycle on the Kysely store (store/lifecycle-types.ts). It writes the tenant's own row
 * (no `tenant_id` column), so it uses the full Kysely, by name, with the tenant id of a checked
 * scope; only `duePurgeAcrossTenants` looks across tenants. Every statement re-checks the deletion in
 * its own WHERE, so a restore racing a purge loses nothing.
 */
export function tenantLifecycle(ctx: StoreContext): Promisified<TenantLifecycleStore> {
  const system = ctx.db;
  return {
    async markDeleted(scope, at, state) {
      const tenantId = scopedTenantId(scope);
      const result = await system()
        .updateTable('tenants')
        .set({ status: 'suspended', deleted_at: at.deletedAt, purge_at: at.purgeAt, deleted_state: JSON.stringify(state), updated_at: at.deletedAt })
        .where('id', '=', tenantId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      const done = Number(result.numUpdatedRows) > 0;
      if (done) await ctx.directoryChanged({ kind: 'tenant', tenantId });
      return done;
    },
    async deletedState(scope) {
      const tenantId = scopedTenantId(scope);
      const row = await system().selectFrom('tenants').select('deleted_state').where('id', '=', tenantId).where('deleted_at', 'is not', null).executeTakeFirst();
      return row?.deleted_state ? (JSON.parse(row.deleted_state) as DeletedTenantState) : undefined;
    },
    async clearDeleted(scope, status, updatedAt) {
      const tenantId = scopedTenantId(scope);
      const result = await system()
        .updateTable('tenants')
        .set({ status, deleted_at: null, purge_at: null, deleted_state: null, updated_at: updatedAt })
        .where('id', '=', tenantId)
        .where('deleted_at', 'is not', null)
        .executeTakeFirst();
      const done = Number(result.numUpdatedRows) > 0;
      if (done) await ctx.directoryChanged({ kind: 'tenant', tenantId });
      return done;
    },
    async duePurgeAcrossTenants(at, limit) {
      const rows = await system().selectFrom('tenants').select('id').where('purge_at', '<=', at).orderBy('purge_at').orderBy('id').limit(limit).execute();
      return rows.map((r) => r.id);
    },
    async purge(scope, at) {
      const tenantId = scopedTenantId(scope);
      const result = await system()
        .deleteFrom('tenants')
        .where('id', '=', tenantId)
        .where('deleted_at', 'is not', null)
        .where('purge_at', '<=', at)
        .executeTakeFirst();
      const done = Number(result.numDeletedRows) > 0;
      if (done) await ctx.directoryChanged({ kind: 'tenant', tenantId });
      return done;
    },
  };
}
