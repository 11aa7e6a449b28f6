import { newId } from '../ids';
import type { DialRuleAction, DialRuleRow, Page, PageQuery } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { compilePattern, PatternSyntaxError } from './dial-plan/pattern';
import { InvalidReference, LimitExceeded, NotFound } from './errors';
import type { Actor } from './principal';
import type { TenantAccess } from './tenants';
import { lockTenantLimits } from './tenant-lock';

/*
 * A tenant's dial plan: an ordered list, positions 0..n-1 kept dense, so "insert at 0" and "move
 * to 2" mean what they say and the resolver's "first match by position" is unambiguous.
 */

export type DialRuleActionInput =
  | { type: 'extension'; target: string }
  | { type: 'ring_group'; target: string }
  | { type: 'trunk'; trunkId: string; stripDigits?: number | undefined; prepend?: string | undefined }
  | { type: 'reject'; status: number; reason?: string | null | undefined };

export interface DialRuleCreateInput {
  name?: string | undefined;
  pattern: string;
  action: DialRuleActionInput;
  /** 0-based; omitted or past the end appends. */
  position?: number | undefined;
}

export type DialRuleUpdateInput = Partial<DialRuleCreateInput>;

/** A 400 whose issue names the character: `pattern: unexpected ']' at 4`. */
export function checkPattern(pattern: string): void {
  try {
    compilePattern(pattern);
  } catch (error) {
    if (error instanceof PatternSyntaxError) throw new InvalidReference('pattern', error.issue);
    throw error;
  }
}

/** Resolves an action's references inside this tenant and fills its defaults. */
async function checkAction(access: TenantAccess, action: DialRuleActionInput): Promise<DialRuleAction> {
  const { scope } = access;
  switch (action.type) {
    case 'extension':
      if (!await scope.extensions.getByNumber(action.target)) throw new InvalidReference('action.target', `no extension ${action.target} in this tenant`);
      return { type: 'extension', target: action.target };
    case 'ring_group':
      if (!await scope.ringGroups.getByNumber(action.target)) throw new InvalidReference('action.target', `no ring group ${action.target} in this tenant`);
      return { type: 'ring_group', target: action.target };
    case 'trunk':
      if (!await scope.trunks.get(action.trunkId)) throw new InvalidReference('action.trunkId', 'no such trunk in this tenant');
      return { type: 'trunk', trunkId: action.trunkId, stripDigits: action.stripDigits ?? 0, prepend: action.prepend ?? '' };
    case 'reject':
      return { type: 'reject', status: action.status, reason: action.reason ?? null };
  }
}

/**
 * The one way to change a tenant's dial rules: `change` runs in a transaction that also moves the
 * tenant's plan revision on, so the compiled plan the SIP edge holds (dial-plan/plan-cache.ts) is
 * recompiled for the very next call. A change that throws rolls the revision back with it.
 */
async function changeDialRules<T>(ctx: DomainContext, access: TenantAccess, change: () => Promise<T>): Promise<T> {
  return ctx.store.transaction(async () => {
    // Positions are shifted by read-then-write: one change of a tenant's rules at a time, on any node.
    await ctx.store.leases.lockTenant(access.capability);
    // Awaited before the touch: a change that throws must not leave its rejection unheard while the
    // touch runs (an unhandled rejection), nor race it on the transaction's connection.
    const result = await change();
    await access.scope.dialRules.touch();
    return result;
  });
}

export async function createDialRule(ctx: DomainContext, actor: Actor, access: TenantAccess, input: DialRuleCreateInput): Promise<DialRuleRow> {
  const { tenant, scope } = access;
  checkPattern(input.pattern);
  const now = ctx.now().toISOString();
  return changeDialRules(ctx, access, async () => {
    const limits = await lockTenantLimits(ctx, access);
    const count = await scope.dialRules.count();
    if (count >= limits.dialRules) throw new LimitExceeded('dialRules', limits.dialRules);
    const action = await checkAction(access, input.action);
    const position = Math.min(input.position ?? count, count);
    await scope.dialRules.shift(position, 1);
    const row = await scope.dialRules.insert({ id: newId('dlr'), name: input.name ?? input.pattern, pattern: input.pattern, position, action, createdAt: now, updatedAt: now });
    await recordAudit(ctx, actor, access.capability, 'dial_rule.created', row.id, { before: null, after: row });
    return row;
  });
}

export const listDialRules = (access: TenantAccess, page: PageQuery): Promise<Page<DialRuleRow>> => access.scope.dialRules.list(page);

export async function retrieveDialRule(access: TenantAccess, id: string): Promise<DialRuleRow> {
  const row = await access.scope.dialRules.get(id);
  if (!row) throw new NotFound('dial_rule');
  return row;
}

export async function updateDialRule(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, input: DialRuleUpdateInput): Promise<DialRuleRow> {
  const { tenant, scope } = access;
  if (input.pattern !== undefined) checkPattern(input.pattern);
  return changeDialRules(ctx, access, async () => {
    const existing = await scope.dialRules.get(id);
    if (!existing) throw new NotFound('dial_rule');
    const action = input.action && await checkAction(access, input.action);
    let position: number | undefined;
    if (input.position !== undefined) {
      // Take the rule out of the list, close the gap, then open one where it goes.
      position = Math.min(input.position, await scope.dialRules.count() - 1);
      await scope.dialRules.shift(existing.position + 1, -1);
      await scope.dialRules.shift(position, 1);
    }
    const updated = await scope.dialRules.update(id, { name: input.name, pattern: input.pattern, action, position, updatedAt: ctx.now().toISOString() });
    if (!updated) throw new NotFound('dial_rule');
    await recordAudit(ctx, actor, access.capability, 'dial_rule.updated', id, { before: existing, after: updated });
    return updated;
  });
}

export async function deleteDialRule(ctx: DomainContext, actor: Actor, access: TenantAccess, id: string): Promise<void> {
  const { tenant, scope } = access;
  await changeDialRules(ctx, access, async () => {
    const existing = await scope.dialRules.get(id);
    if (!existing || !await scope.dialRules.delete(id)) throw new NotFound('dial_rule');
    await scope.dialRules.shift(existing.position + 1, -1);
    await recordAudit(ctx, actor, access.capability, 'dial_rule.deleted', id, { before: existing, after: null });
  });
}
