import { newId } from '../ids';
import type { Page, PageQuery, RingGroupRow, RingStrategy } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { ExtensionExists, InvalidReference, LimitExceeded, NotFound } from './errors';
import type { Actor } from './principal';
import type { TenantAccess } from './tenants';

export interface RingGroupCreateInput {
  number: string;
  name: string;
  strategy: RingStrategy;
  memberTimeoutSeconds: number;
  members: string[];
}

export type RingGroupUpdateInput = Partial<Omit<RingGroupCreateInput, 'number'>>;

/** Members must be extensions of this very tenant; a number of another tenant is simply unknown here. */
function checkMembers(access: TenantAccess, members: string[]): void {
  members.forEach((member, i) => {
    if (!access.scope.extensions.getByNumber(member)) throw new InvalidReference(`members.${i}`, `no extension ${member} in this tenant`);
  });
}

export function createRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, input: RingGroupCreateInput): RingGroupRow {
  const { tenant, scope } = access;
  const now = ctx.now().toISOString();
  return ctx.store.transaction(() => {
    // One dialable namespace per tenant: a ring group cannot shadow an extension or another group.
    if (scope.extensions.getByNumber(input.number) || scope.ringGroups.getByNumber(input.number)) throw new ExtensionExists(input.number);
    if (scope.ringGroups.count() >= tenant.limits.ringGroups) throw new LimitExceeded('ringGroups', tenant.limits.ringGroups);
    checkMembers(access, input.members);
    const row = scope.ringGroups.insert({ id: newId('rgp'), ...input, createdAt: now, updatedAt: now });
    recordAudit(ctx, actor, tenant.id, 'ring_group.created', row.id, { before: null, after: row });
    return row;
  });
}

export const listRingGroups = (access: TenantAccess, page: PageQuery): Page<RingGroupRow> => access.scope.ringGroups.list(page);

export function retrieveRingGroup(access: TenantAccess, id: string): RingGroupRow {
  const row = access.scope.ringGroups.get(id);
  if (!row) throw new NotFound('ring_group');
  return row;
}

export function updateRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: RingGroupUpdateInput): RingGroupRow {
  const { tenant, scope } = access;
  return ctx.store.transaction(() => {
    const existing = scope.ringGroups.get(id);
    if (!existing) throw new NotFound('ring_group');
    if (input.members) checkMembers(access, input.members);
    const updated = scope.ringGroups.update(id, { ...input, updatedAt: ctx.now().toISOString() });
    if (!updated) throw new NotFound('ring_group');
    recordAudit(ctx, actor, tenant.id, 'ring_group.updated', id, { before: existing, after: updated });
    return updated;
  });
}

export function deleteRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): void {
  ctx.store.transaction(() => {
    const existing = access.scope.ringGroups.get(id);
    if (!existing || !access.scope.ringGroups.delete(id)) throw new NotFound('ring_group');
    recordAudit(ctx, actor, access.tenant.id, 'ring_group.deleted', id, { before: existing, after: null });
  });
}
