import { newId } from '../ids';
import type { Page, PageQuery, RingGroupRow, RingStrategy } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { ExtensionExists, InvalidReference, LimitExceeded, NotFound } from './errors';
import type { Actor } from './principal';
import type { TenantAccess } from './tenants';
import { lockTenantLimits } from './tenant-lock';

export interface RingGroupCreateInput {
  number: string;
  name: string;
  strategy: RingStrategy;
  memberTimeoutSeconds: number;
  members: string[];
}

export type RingGroupUpdateInput = Partial<Omit<RingGroupCreateInput, 'number'>>;

/** Members must be extensions of this very tenant; a number of another tenant is simply unknown here. */
async function checkMembers(access: TenantAccess, members: string[]): Promise<void> {
  for (const [i, member] of members.entries()) {
    if (!(await access.scope.extensions.getByNumber(member))) throw new InvalidReference(`members.${i}`, `no extension ${member} in this tenant`);
  }
}

export async function createRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, input: RingGroupCreateInput): Promise<RingGroupRow> {
  const { tenant, scope } = access;
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    const limits = await lockTenantLimits(ctx, access);
    // One dialable namespace per tenant: a ring group cannot shadow an extension or another group.
    if (await scope.extensions.getByNumber(input.number) || await scope.ringGroups.getByNumber(input.number)) throw new ExtensionExists(input.number);
    if (await scope.ringGroups.count() >= limits.ringGroups) throw new LimitExceeded('ringGroups', limits.ringGroups);
    await checkMembers(access, input.members);
    const row = await scope.ringGroups.insert({ id: newId('rgp'), ...input, createdAt: now, updatedAt: now });
    await recordAudit(ctx, actor, access.capability, 'ring_group.created', row.id, { before: null, after: row });
    return row;
  });
}

export const listRingGroups = (access: TenantAccess, page: PageQuery): Promise<Page<RingGroupRow>> => access.scope.ringGroups.list(page);

export async function retrieveRingGroup(access: TenantAccess, id: string): Promise<RingGroupRow> {
  const row = await access.scope.ringGroups.get(id);
  if (!row) throw new NotFound('ring_group');
  return row;
}

export async function updateRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: RingGroupUpdateInput): Promise<RingGroupRow> {
  const { tenant, scope } = access;
  return ctx.store.transaction(async () => {
    const existing = await scope.ringGroups.get(id);
    if (!existing) throw new NotFound('ring_group');
    if (input.members) await checkMembers(access, input.members);
    const updated = await scope.ringGroups.update(id, { ...input, updatedAt: ctx.now().toISOString() });
    if (!updated) throw new NotFound('ring_group');
    await recordAudit(ctx, actor, access.capability, 'ring_group.updated', id, { before: existing, after: updated });
    return updated;
  });
}

export async function deleteRingGroup(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<void> {
  await ctx.store.transaction(async () => {
    const existing = await access.scope.ringGroups.get(id);
    if (!existing || !await access.scope.ringGroups.delete(id)) throw new NotFound('ring_group');
    await recordAudit(ctx, actor, access.capability, 'ring_group.deleted', id, { before: existing, after: null });
  });
}
