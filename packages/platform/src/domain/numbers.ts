import { newId } from '../ids';
import type { NumberRouting, NumberRow, Page, PageQuery, TenantNumberRow } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { normaliseE164 } from './dial-plan/e164';
import { NumberExists, NumberNotInInventory, NumberTaken } from './dial-plan/errors';
import { InvalidReference, NotFound, PermissionDenied } from './errors';
import { isTenantLevel, type Actor } from './principal';
import type { TenantAccess } from './tenants';

/*
 * DIDs. A number exists once on the platform: the provider adds it to inventory (`/v1/numbers`),
 * a provider or reseller assigns it to a tenant, the tenant routes it, and releasing it returns it
 * to inventory. Tenant reads go through the tenant scope, so a tenant never sees a number it does
 * not hold.
 */

export async function addInventoryNumber(ctx: DomainContext, actor: Actor, input: { number: string }): Promise<NumberRow> {
  const number = normaliseE164(input.number, 'number');
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    if (await ctx.store.numbers.getByNumber(number)) throw new NumberExists(number, 'platform');
    const row = await ctx.store.numbers.insert({ id: newId('num'), number, createdAt: now, updatedAt: now });
    await recordAudit(ctx, actor, null, 'number.created', row.id, { before: null, after: row });
    return row;
  });
}

export async function listInventory(ctx: DomainContext, page: PageQuery, filter: { assigned?: boolean | undefined } = {}): Promise<Page<NumberRow>> {
  return ctx.store.numbers.list(page, filter.assigned === undefined ? {} : { assigned: filter.assigned });
}

export async function retrieveInventoryNumber(ctx: DomainContext, id: string): Promise<NumberRow> {
  const row = await ctx.store.numbers.get(id);
  if (!row) throw new NotFound('number');
  return row;
}

/** Removes a number from the platform; one a tenant holds must be released first. */
export async function deleteInventoryNumber(ctx: DomainContext, actor: Actor, id: string): Promise<void> {
  await ctx.store.transaction(async () => {
    const row = await ctx.store.numbers.get(id);
    if (!row) throw new NotFound('number');
    if (row.tenantId !== null || !await ctx.store.numbers.delete(id)) throw new NumberTaken(row.number);
    await recordAudit(ctx, actor, null, 'number.deleted', id, { before: row, after: null });
  });
}

/** Takes a number from inventory for the tenant. Quotas and stock are the seller's business, so a tenant key may not. */
export async function assignNumber(ctx: DomainContext, actor: Actor, access: TenantAccess, input: { number: string }): Promise<TenantNumberRow> {
  if (isTenantLevel(actor.principal)) throw new PermissionDenied('numbers are assigned by the provider or reseller');
  const number = normaliseE164(input.number, 'number');
  const { tenant, scope } = access;
  return ctx.store.transaction(async () => {
    const row = await ctx.store.numbers.getByNumber(number);
    if (!row) throw new NumberNotInInventory(number);
    if (row.tenantId === tenant.id) throw new NumberExists(number, 'tenant');
    if (row.tenantId !== null || !await ctx.store.numbers.assign(row.id, access.capability, ctx.now().toISOString())) throw new NumberTaken(number);
    const assigned = (await scope.numbers.get(row.id))!;
    await recordAudit(ctx, actor, access.capability, 'number.assigned', row.id, { before: { tenantId: null }, after: { tenantId: tenant.id, number: assigned.number } });
    return assigned;
  });
}

export async function listTenantNumbers(access: TenantAccess, page: PageQuery): Promise<Page<TenantNumberRow>> {
  return access.scope.numbers.list(page);
}

export async function retrieveTenantNumber(access: TenantAccess, id: string): Promise<TenantNumberRow> {
  const row = await access.scope.numbers.get(id);
  if (!row) throw new NotFound('number');
  return row;
}

/** Checks that a routing target exists in this tenant, so an inbound call never routes into nothing by mistake. */
async function checkRouting(access: TenantAccess, routing: NumberRouting): Promise<void> {
  const { scope } = access;
  const exists =
    routing.type === 'extension'
      ? await scope.extensions.getByNumber(routing.target)
      : routing.type === 'ring_group'
        ? await scope.ringGroups.getByNumber(routing.target)
        : await scope.dialRules.get(routing.target);
  if (!exists) throw new InvalidReference('routing.target', `no ${routing.type.replace('_', ' ')} ${routing.target} in this tenant`);
}

export async function routeNumber(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: { routing: NumberRouting | null }): Promise<TenantNumberRow> {
  const { tenant, scope } = access;
  return ctx.store.transaction(async () => {
    const existing = await scope.numbers.get(id);
    if (!existing) throw new NotFound('number');
    if (input.routing) await checkRouting(access, input.routing);
    const updated = await scope.numbers.route(id, input.routing, ctx.now().toISOString());
    if (!updated) throw new NotFound('number');
    await recordAudit(ctx, actor, access.capability, 'number.routed', id, { before: existing, after: updated });
    return updated;
  });
}

/** Gives the number back to the provider's inventory. */
export async function releaseNumber(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<void> {
  await ctx.store.transaction(async () => {
    const existing = await access.scope.numbers.get(id);
    if (!existing || !await access.scope.numbers.release(id, ctx.now().toISOString())) throw new NotFound('number');
    await recordAudit(ctx, actor, access.capability, 'number.released', id, { before: { tenantId: access.tenant.id, routing: existing.routing }, after: { tenantId: null, routing: null } });
  });
}
