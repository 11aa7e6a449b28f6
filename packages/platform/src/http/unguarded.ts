import { tenantSipDomain, type DomainContext } from '../domain/context';
import { NotFound } from '../domain/errors';
import type { TenantAccess } from '../domain/tenants';
import { systemScope } from '../domain/system-scope';

/**
 * The tenant a benchmark's unguarded app hands its handlers: the same row and scope the route needs
 * anyway, without asking whether the caller may see it. Only the app built with
 * `unguardedPrincipal` calls this.
 */
export async function unguardedTenantAccess(ctx: DomainContext, tenantId: string): Promise<TenantAccess> {
  const row = await ctx.store.tenants.get(tenantId);
  if (!row) throw new NotFound('tenant');
  const capability = systemScope('benchmark', row.id);
  return { tenant: { ...row, sipDomain: tenantSipDomain(ctx, row.slug) }, scope: ctx.store.tenant(capability), capability };
}
