import type { TenantRow } from '../store/types';
import type { DomainContext } from './context';

/**
 * Whether a tenant is in service: suspending the tenant, or the reseller that sells it, takes it
 * out of service for every key, token and SIP registration at once (nothing is copied down, so
 * resuming the reseller restores exactly the tenants that were not suspended on their own).
 */
export async function tenantInService(ctx: DomainContext, tenant: TenantRow): Promise<boolean> {
  if (tenant.status !== 'active') return false;
  if (tenant.resellerId === null) return true;
  return (await ctx.store.resellers.get(tenant.resellerId))?.status === 'active';
}
