import type { PortExceptionReason } from '@highrise/sdk/schemas';
import type { PortOrderRow } from '../../store/porting-types';
import type { DomainContext } from '../context';
import { PermissionDenied } from '../errors';
import { isTenantLevel, type Actor } from '../principal';
import type { TenantAccess } from '../tenants';
import { InvalidFields, InvalidState } from './errors';
import { applyTransition, completePortOrder, loadPortOrder, viewOf, type PortOrderView } from './orders';

/*
 * The reviewer's side of porting: without a carrier API (the production default), submitted orders
 * wait in in_review until the provider, or the reseller that sells the tenant, has checked the
 * documents and the losing carrier's answer, and then approves (with the FOC date), rejects (with a
 * reason the tenant sees), or completes the port. The route's permission (`porting:approve`) is one
 * no tenant role can hold, and the tenant gate keeps every other reseller out; the check below keeps
 * a tenant key out even if a role ever held it, so no tenant can port a number to itself.
 */

function requireReviewer(actor: Actor): void {
  if (isTenantLevel(actor.principal)) throw new PermissionDenied("only the provider or the tenant's reseller may review port orders", ['porting:approve']);
}

/** The order moved between our read and our write: say where it is now. */
async function moved(access: TenantAccess, id: string, action: string): Promise<never> {
  throw new InvalidState((await loadPortOrder(access, id)).status, action, []);
}

export async function approvePortOrder(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: { focDate: string }): Promise<PortOrderView> {
  requireReviewer(actor);
  const today = ctx.now().toISOString().slice(0, 10);
  if (input.focDate < today) throw new InvalidFields([{ field: 'focDate', issue: `must be today (${today}, UTC) or later` }]);
  return ctx.store.transaction(async () => {
    const order = await loadPortOrder(access, id);
    const updated = await applyTransition(ctx, access, order, 'approve', { kind: 'api_key', actor }, { focDate: input.focDate });
    if (!updated) return moved(access, id, 'approve');
    return viewOf(access, updated);
  });
}

/** Returns the order before and after: the caller tells the carrier, if one held it, that the submission is off. */
export async function rejectPortOrder(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  id: string,
  input: { reason: PortExceptionReason; message: string },
): Promise<{ before: PortOrderRow; view: PortOrderView }> {
  requireReviewer(actor);
  return ctx.store.transaction(async () => {
    const order = await loadPortOrder(access, id);
    const updated = await applyTransition(ctx, access, order, 'reject', { kind: 'api_key', actor }, { exceptionReason: input.reason, exceptionMessage: input.message }, input);
    if (!updated) return moved(access, id, 'reject');
    return { before: order, view: await viewOf(access, updated) };
  });
}

/** Completes the port now (the reviewer has the losing carrier's confirmation); the FOC date stays the approved one. */
export async function completePortOrderByReviewer(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<PortOrderView> {
  requireReviewer(actor);
  const order = await loadPortOrder(access, id);
  const after = await completePortOrder(ctx, order, { kind: 'api_key', actor }, order.focDate ?? ctx.now().toISOString().slice(0, 10));
  if (!after) return moved(access, id, 'complete');
  return viewOf(access, after);
}
