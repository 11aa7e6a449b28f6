import type { PortStatus } from '../../store/porting-types';
import type { Page, PageQuery, TenantRow } from '../../store/types';
import type { DomainContext } from '../context';
import { NotFound } from '../errors';
import { isTenantLevel, type Principal } from '../principal';
import { accessTenant, accessVisibleTenant, type TenantAccess } from '../tenants';
import { listPortOrders, viewsOf, type PortOrderView } from './orders';

/*
 * Port orders across tenants (GET /v1/port-orders), for the operator console's "orders by state".
 * Which tenants a caller reaches is decided by the access check, never by the request:
 * - a `tenantId` in the request only narrows: it goes through accessTenant, so a tenant the caller
 *   may not see is 404, as a missing one, exactly like /v1/tenants/{id}/port-orders;
 * - a tenant key reads its own tenant through the same check;
 * - a provider or reseller key reads one platform-wide page whose bound (all tenants, or the
 *   reseller's) comes from its principal, and every row's tenant then passes accessVisibleTenant
 *   before its numbers and documents are read through that tenant's scope. A row the check refuses
 *   would mean the store's bound is wrong: the request fails rather than show it.
 */

export interface PortOrderListing {
  status?: PortStatus | undefined;
  tenantId?: string | undefined;
}

export async function listVisiblePortOrders(ctx: DomainContext, principal: Principal, page: PageQuery, filter: PortOrderListing): Promise<Page<PortOrderView>> {
  const narrowedTo = filter.tenantId ?? (isTenantLevel(principal) ? principal.tenantId : undefined);
  if (narrowedTo !== undefined) return listPortOrders(await accessTenant(ctx, principal, narrowedTo), page, { status: filter.status });

  const visible = principal.kind === 'provider' ? 'all' : principal.kind === 'reseller' ? { resellerId: principal.resellerId } : undefined;
  if (visible === undefined) return { items: [], next: null };
  const result = await ctx.store.porting.listAcrossTenants(page, { visible, status: filter.status });

  const accesses = new Map<string, TenantAccess>();
  for (const tenantId of new Set(result.items.map((o) => o.tenantId))) {
    const tenant = await ctx.store.tenants.get(tenantId);
    // Purged between the two reads: its orders went with it.
    if (tenant) accesses.set(tenantId, checked(ctx, principal, tenant));
  }
  // Numbers and documents through each tenant's own scope: two queries per tenant on the page.
  const views = new Map<string, PortOrderView>();
  for (const access of accesses.values()) {
    for (const [id, view] of await viewsOf(access, result.items.filter((o) => o.tenantId === access.tenant.id))) views.set(id, view);
  }
  return { items: result.items.flatMap((o) => views.get(o.id) ?? []), next: result.next };
}

function checked(ctx: DomainContext, principal: Principal, tenant: TenantRow): TenantAccess {
  try {
    return accessVisibleTenant(ctx, principal, tenant);
  } catch (error) {
    if (error instanceof NotFound) throw new Error(`port order listing: the store returned an order of tenant ${tenant.id}, which this caller may not see`);
    throw error;
  }
}
