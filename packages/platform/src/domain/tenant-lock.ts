import type { TenantRow } from '../store/types';
import type { DomainContext } from './context';
import type { TenantAccess } from './tenants';

/**
 * For a create under a cap: call first thing inside the transaction that counts and inserts. Locks
 * the tenant's row (PostgreSQL; several nodes) so two creates of the tenant cannot both count 9
 * under a cap of 10 and both insert, then reads the limits fresh from the locked row, so a limit
 * lowered a moment ago applies too. Also serialises the tenant's dialable-number checks.
 */
export async function lockTenantLimits(ctx: DomainContext, access: TenantAccess): Promise<TenantRow['limits']> {
  await ctx.store.leases.lockTenant(access.capability);
  return (await ctx.store.tenants.get(access.tenant.id))?.limits ?? access.tenant.limits;
}
