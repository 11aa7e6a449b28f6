import { newId } from '../ids';
import type { Page, PageQuery, ResellerRow } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { NotFound, PermissionDenied } from './errors';
import type { Actor, Principal } from './principal';
import { publishCredentialChange } from './credential-changes';

function requireProvider(principal: Principal): void {
  if (principal.kind !== 'provider') throw new PermissionDenied('only the provider may manage resellers');
}

export async function createReseller(ctx: DomainContext, actor: Actor, params: { name: string }): Promise<ResellerRow> {
  requireProvider(actor.principal);
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    const reseller = await ctx.store.resellers.insert({ id: newId('res'), name: params.name, status: 'active', createdAt: now, updatedAt: now });
    await recordAudit(ctx, actor, null, 'reseller.created', reseller.id, { before: null, after: reseller });
    return reseller;
  });
}

export async function listResellers(ctx: DomainContext, principal: Principal, page: PageQuery): Promise<Page<ResellerRow>> {
  requireProvider(principal);
  return ctx.store.resellers.list(page);
}

export async function retrieveReseller(ctx: DomainContext, principal: Principal, id: string): Promise<ResellerRow> {
  requireProvider(principal);
  const reseller = await ctx.store.resellers.get(id);
  if (!reseller) throw new NotFound('reseller');
  return reseller;
}

export async function updateReseller(ctx: DomainContext, actor: Actor, id: string, input: { name?: string | undefined }): Promise<ResellerRow> {
  requireProvider(actor.principal);
  return ctx.store.transaction(async () => {
    const existing = await ctx.store.resellers.get(id);
    if (!existing) throw new NotFound('reseller');
    const updated = await ctx.store.resellers.update(id, { name: input.name, updatedAt: ctx.now().toISOString() });
    await recordAudit(ctx, actor, null, 'reseller.updated', id, { before: existing, after: updated });
    return updated!;
  });
}

/**
 * Takes the reseller out of service: its own keys answer 403 reseller_suspended, its tenants'
 * keys 403 tenant_suspended, and their phones and tokens are refused (see tenantInService).
 * The tenants' own status is left alone, so resuming restores exactly what was running.
 */
export async function setResellerStatus(ctx: DomainContext, actor: Actor, id: string, status: 'active' | 'suspended'): Promise<ResellerRow> {
  requireProvider(actor.principal);
  const result = await ctx.store.transaction(async () => {
    const existing = await ctx.store.resellers.get(id);
    if (!existing) throw new NotFound('reseller');
    const updated = await ctx.store.resellers.update(id, { status, updatedAt: ctx.now().toISOString() });
    await recordAudit(ctx, actor, null, status === 'suspended' ? 'reseller.suspended' : 'reseller.resumed', id, { before: existing, after: updated });
    return updated!;
  });
  // Every tenant it sells leaves service with it, open SIP sockets and calls included.
  if (status === 'suspended') for (const tenantId of await tenantIdsOf(ctx, id)) publishCredentialChange(ctx, { kind: 'tenant', tenantId });
  return result;
}

async function tenantIdsOf(ctx: DomainContext, resellerId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ctx.store.tenants.list({ limit: 500, after }, { resellerId });
    ids.push(...page.items.map((tenant) => tenant.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}
