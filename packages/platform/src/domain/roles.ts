import { newId } from '../ids';
import type { Page, PageQuery, RoleCollection, RoleLevel, RoleRow, TenantScope } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { NotFound, PermissionDenied, RoleExists, RoleImmutable, RoleInUse } from './errors';
import { BUILT_IN_ROLES, builtInRole, isBuiltInName, parsePermissions, requireHeld, rolePermissions, USER_ROLE_ID, type BuiltInRole } from './permissions';
import type { Actor, Principal } from './principal';
import type { TenantAccess } from './tenants';

/** A role as callers see it: built-in roles carry no owner and no timestamps. */
export interface RoleView {
  id: string;
  level: RoleLevel;
  name: string;
  description: string;
  builtIn: boolean;
  tenantId: string | null;
  resellerId: string | null;
  permissions: string[];
  createdAt: string | null;
  updatedAt: string | null;
}

const fromBuiltIn = (r: BuiltInRole): RoleView => ({
  id: r.id,
  level: r.level,
  name: r.name,
  description: r.description,
  builtIn: true,
  tenantId: null,
  resellerId: null,
  permissions: [...r.permissions],
  createdAt: null,
  updatedAt: null,
});
const fromRow = (r: RoleRow): RoleView => ({ ...r, builtIn: false });

/** Whose roles a route works on: a tenant's (through its scope), a reseller's or the provider's. */
export interface RoleOwner {
  level: RoleLevel;
  /** The tenant's scope for a tenant's roles (its audit chain, its keys); null above tenants. */
  scope: TenantScope | null;
  resellerId: string | null;
  roles: RoleCollection;
}

export const tenantRoleOwner = (access: TenantAccess): RoleOwner => ({
  level: 'tenant',
  scope: access.capability,
  resellerId: null,
  roles: access.scope.roles,
});

/** `/v1/roles` works on the caller's own level: the provider's roles or the calling reseller's. */
export function platformRoleOwner(ctx: DomainContext, principal: Principal): RoleOwner {
  if (principal.kind === 'provider') return { level: 'provider', scope: null, resellerId: null, roles: ctx.store.roles('provider') };
  if (principal.kind === 'reseller') {
    return { level: 'reseller', scope: null, resellerId: principal.resellerId, roles: ctx.store.roles({ resellerId: principal.resellerId }) };
  }
  throw new PermissionDenied('tenant roles live under /v1/tenants/{tenantId}/roles');
}

/** Built-in roles come first (they have no creation time), then custom ones in id order. */
export async function listRoles(owner: RoleOwner, page: PageQuery): Promise<Page<RoleView>> {
  const builtIns = page.after ? [] : BUILT_IN_ROLES.filter((r) => r.level === owner.level).map(fromBuiltIn);
  const custom = await owner.roles.list(page);
  return { items: [...builtIns, ...custom.items.map(fromRow)], next: custom.next };
}

export async function retrieveRole(owner: RoleOwner, id: string): Promise<RoleView> {
  const builtIn = builtInRole(id);
  if (builtIn && builtIn.level === owner.level) return fromBuiltIn(builtIn);
  const row = await owner.roles.get(id);
  if (!row) throw new NotFound('role');
  return fromRow(row);
}

export async function createRole(
  ctx: DomainContext,
  actor: Actor,
  owner: RoleOwner,
  input: { name: string; description?: string | undefined; permissions: string[] },
): Promise<RoleView> {
  const permissions = parsePermissions(owner.level, input.permissions);
  requireHeld(actor.principal.permissions, permissions);
  const now = ctx.now().toISOString();
  return ctx.store.transaction(async () => {
    if (isBuiltInName(owner.level, input.name) || await owner.roles.getByName(input.name)) throw new RoleExists(input.name);
    const row = await owner.roles.insert({
      id: newId('rol'),
      level: owner.level,
      tenantId: owner.scope?.tenantId ?? null,
      resellerId: owner.resellerId,
      name: input.name,
      description: input.description ?? '',
      permissions,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(ctx, actor, owner.scope, 'role.created', row.id, { before: null, after: row });
    return fromRow(row);
  });
}

async function customRole(owner: RoleOwner, id: string): Promise<RoleRow> {
  const builtIn = builtInRole(id);
  if (builtIn && (builtIn.level === owner.level || builtIn.id === USER_ROLE_ID)) throw new RoleImmutable();
  const row = await owner.roles.get(id);
  if (!row) throw new NotFound('role');
  return row;
}

export async function updateRole(
  ctx: DomainContext,
  actor: Actor,
  owner: RoleOwner,
  id: string,
  input: { name?: string | undefined; description?: string | undefined; permissions?: string[] | undefined },
): Promise<RoleView> {
  const permissions = input.permissions && parsePermissions(owner.level, input.permissions);
  return ctx.store.transaction(async () => {
    const existing = await customRole(owner, id);
    // Changing a role changes every key that holds it: the editor must hold what it had and what it gets.
    requireHeld(actor.principal.permissions, [...(permissions ?? []), ...rolePermissions(existing)]);
    if (input.name !== undefined && input.name !== existing.name) {
      if (isBuiltInName(owner.level, input.name) || await owner.roles.getByName(input.name)) throw new RoleExists(input.name);
    }
    const updated = await owner.roles.update(id, { name: input.name, description: input.description, permissions, updatedAt: ctx.now().toISOString() });
    await recordAudit(ctx, actor, owner.scope, 'role.updated', id, { before: existing, after: updated });
    return fromRow(updated!);
  });
}

export async function deleteRole(ctx: DomainContext, actor: Actor, owner: RoleOwner, id: string): Promise<void> {
  await ctx.store.transaction(async () => {
    const existing = await customRole(owner, id);
    requireHeld(actor.principal.permissions, rolePermissions(existing));
    const holders = await ctx.store.apiKeys.countByRole(owner.scope, id);
    if (holders > 0) throw new RoleInUse(holders);
    await owner.roles.delete(id);
    await recordAudit(ctx, actor, owner.scope, 'role.deleted', id, { before: existing, after: null });
  });
}
