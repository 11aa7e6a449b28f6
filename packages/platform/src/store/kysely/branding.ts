import type { AsyncStore, AsyncTenantScope } from '../async-types';
import { brandingColumns, toBranding } from '../branding-rows';
import type { StoreContext } from './context';
import type { TenantDb } from './tenant-db';

const COLUMNS = ['fields', 'logo_type', 'logo_base64', 'logo_bytes', 'logo_sha256', 'updated_at'] as const;

export function tenantBranding(tenant: TenantDb): Pick<AsyncTenantScope, 'branding'> {
  return {
    branding: {
      async get() {
        const row = await tenant.selectFrom('tenant_brandings').select(COLUMNS).executeTakeFirst();
        return row && toBranding(row);
      },
      async set(row) {
        const columns = brandingColumns(row);
        await tenant
          .insertInto('tenant_brandings', columns)
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet(columns))
          .execute();
      },
    },
  };
}

export function platformBranding(ctx: StoreContext): Pick<AsyncStore, 'brandings'> {
  return {
    brandings: {
      async get(owner) {
        const row = await ctx.db().selectFrom('brandings').select(COLUMNS).where('owner', '=', owner).executeTakeFirst();
        return row && toBranding(row);
      },
      async set(owner, row) {
        const columns = brandingColumns(row);
        await ctx
          .db()
          .insertInto('brandings')
          .values({ owner, ...columns })
          .onConflict((oc) => oc.column('owner').doUpdateSet(columns))
          .execute();
      },
    },
  };
}
