/**
 * Deleting a tenant, restoring it and purging it after the retention period
 * (docs/decisions/2026-12-01-tenant-lifecycle.md).
 *
 * A deletion takes the tenant out of service at once (its row's status becomes `suspended`, so every
 * gate that refuses a suspended tenant refuses it: keys, softphone tokens, SIP, the Kamailio views),
 * closes its open SIP sockets, and hands its numbers back to the inventory. Its data stays until
 * `purgeAt`; until then a restore puts the status and the numbers back (those another tenant took
 * meanwhile cannot come back, and the restore says which). The purge deletes the tenant row, which
 * takes every row the tenant owns with it; audit events stay.
 */
import type { DeletedTenantState } from '../store/lifecycle-types';
import { allPages } from './dial-plan/resolve';
import { recordAudit, tenantSipDomain, type DomainContext } from './context';
import { PermissionDenied, PortOrdersOpen } from './errors';
import { InvalidState } from './porting/errors';
import { emitEvent } from './events';
import { publishCredentialChange } from './credential-changes';
import { isTenantLevel, type Actor } from './principal';
import type { TenantAccess, TenantView } from './tenants';

/** How long a deleted tenant's data is kept when the operator sets nothing (PlatformOptions.tenants.retentionDays). */
export const DEFAULT_RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;
/** Port orders in these states hold numbers at a carrier, or may yet: a tenant with any cannot be deleted. */
const OPEN_PORT_STATUSES = ['draft', 'submitted', 'in_review', 'foc_scheduled', 'exception'] as const;

export interface RestoreOutcome {
  tenant: TenantView;
  /** Numbers given back to the tenant, with their routing. */
  restoredNumbers: string[];
  /** Numbers the tenant held at deletion that are no longer free (another tenant has them, or the provider removed them). */
  unavailableNumbers: string[];
}

const view = (ctx: DomainContext, row: TenantView | Omit<TenantView, 'sipDomain'>): TenantView => ({ ...row, sipDomain: tenantSipDomain(ctx, row.slug) });

/** A deleted tenant is changed only by a restore: everything else that writes is refused. */
export class TenantIsDeleted extends InvalidState {
  constructor(action: string) {
    super('deleted', action, ['restore']);
    this.message = `the tenant is deleted: ${action} is refused until it is restored`;
  }
}

export function assertNotDeleted(access: TenantAccess, action: string): void {
  if (access.tenant.deletedAt) throw new TenantIsDeleted(action);
}

async function openPortOrderIds(access: TenantAccess): Promise<string[]> {
  const ids: string[] = [];
  for (const status of OPEN_PORT_STATUSES) ids.push(...(await allPages((p) => access.scope.portOrders.list(p, { status }))).map((o) => o.id));
  return ids.sort();
}

/**
 * Soft-deletes a tenant: refused (409 port_orders_open, naming them) while it has open port orders,
 * and to tenant-level keys (a tenant does not delete itself, as it does not suspend itself).
 */
export async function deleteTenant(ctx: DomainContext, actor: Actor, access: TenantAccess): Promise<TenantView> {
  if (isTenantLevel(actor.principal)) throw new PermissionDenied('a tenant cannot delete itself; its provider or reseller does');
  assertNotDeleted(access, 'delete');
  const tenantId = access.tenant.id;
  const now = ctx.now();
  const purgeAt = new Date(now.getTime() + (ctx.tenantRetentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS).toISOString();
  const result = await ctx.store.transaction(async () => {
    // Read inside the transaction: an order created or submitted meanwhile is seen, or waits for us.
    const open = await openPortOrderIds(access);
    if (open.length > 0) throw new PortOrdersOpen(open);
    const numbers = await allPages((p) => access.scope.numbers.list(p));
    const state: DeletedTenantState = {
      status: access.tenant.status,
      numbers: numbers.map((n) => ({ id: n.id, number: n.number, routing: n.routing })),
    };
    if (!(await ctx.store.lifecycle.markDeleted(access.capability, { deletedAt: now.toISOString(), purgeAt }, state))) throw new TenantIsDeleted('delete');
    for (const n of numbers) await access.scope.numbers.release(n.id, now.toISOString());
    const row = await ctx.store.tenants.get(tenantId);
    const deleted = view(ctx, row!);
    await recordAudit(ctx, actor, access.capability, 'tenant.deleted', tenantId, {
      before: { status: access.tenant.status, deletedAt: null, purgeAt: null, numbers: state.numbers.map((n) => n.number) },
      after: { status: 'deleted', deletedAt: deleted.deletedAt, purgeAt, numbers: [] },
    });
    await emitEvent(ctx, { type: 'tenant.deleted', scope: access.capability, data: deleted });
    return deleted;
  });
  // Its open SIP sockets close and its calls end now, as for a suspension.
  publishCredentialChange(ctx, { kind: 'tenant', tenantId });
  return result;
}

/**
 * Ends a deletion before the purge: the tenant gets its status back, and the numbers it held that
 * are still free in the inventory, with their routing. Numbers taken meanwhile stay with their new
 * owner; the outcome lists them (and the audit event records them).
 */
export async function restoreTenant(ctx: DomainContext, actor: Actor, access: TenantAccess): Promise<RestoreOutcome> {
  if (isTenantLevel(actor.principal)) throw new PermissionDenied('a tenant cannot restore itself; its provider or reseller does');
  const tenantId = access.tenant.id;
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    const state = await ctx.store.lifecycle.deletedState(access.capability);
    if (!state) throw new InvalidState(access.tenant.status, 'restore', ['delete']);
    if (!(await ctx.store.lifecycle.clearDeleted(access.capability, state.status, now))) throw new InvalidState(access.tenant.status, 'restore', ['delete']);
    const restoredNumbers: string[] = [];
    const unavailableNumbers: string[] = [];
    for (const n of state.numbers) {
      const current = await ctx.store.numbers.get(n.id);
      if (!current || current.number !== n.number || !(await ctx.store.numbers.assign(n.id, access.capability, now))) {
        unavailableNumbers.push(n.number);
        continue;
      }
      if (n.routing) await access.scope.numbers.route(n.id, n.routing, now);
      restoredNumbers.push(n.number);
    }
    const row = await ctx.store.tenants.get(tenantId);
    const restored = view(ctx, row!);
    await recordAudit(ctx, actor, access.capability, 'tenant.restored', tenantId, {
      before: { status: 'deleted', deletedAt: access.tenant.deletedAt, purgeAt: access.tenant.purgeAt, numbers: [] },
      after: { status: restored.status, deletedAt: null, purgeAt: null, numbers: restoredNumbers, unavailableNumbers },
    });
    await emitEvent(ctx, { type: 'tenant.restored', scope: access.capability, data: restored });
    return { tenant: restored, restoredNumbers, unavailableNumbers };
  });
}
