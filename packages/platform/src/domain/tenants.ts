import { newId } from '../ids';
import type { Page, PageQuery, TenantData, TenantRow } from '../store/types';
import { mintTenantScope, type TenantScope } from '../store/tenant-scope';
import { recordAudit, tenantSipDomain, type DomainContext } from './context';
import { InvalidReference, NotFound, PermissionDenied, TenantExists } from './errors';
import { canSeeTenant, isTenantLevel, type Actor, type Principal } from './principal';
import { insertTenantKey } from './api-keys';
import { emitEvent } from './events';
import { publishCredentialChange } from './credential-changes';
import { ownerRoleId } from './permissions';
import { assertNotDeleted } from './tenant-lifecycle';
import type { Status } from '../store/types';

/**
 * What a tenant gets when its creator sets no limit. The caps on dial rules, ring groups and trunks
 * keep one tenant from making the SIP edge slow for all (issue 8; the figures are argued in
 * docs/decisions/2026-12-01-tenant-caps-and-plan-cache.md).
 */
export const DEFAULT_TENANT_LIMITS = {
  extensions: 100,
  channels: 10,
  messagesPerMinute: 600,
  storageBytes: 100 * 1024 * 1024,
  dialRules: 200,
  ringGroups: 50,
  trunks: 10,
  openPortOrders: 20,
} as const satisfies TenantRow['limits'];

/** Limits as a creator or update gives them: any subset. */
export type TenantLimitsInput = { [K in keyof TenantRow['limits']]?: number | undefined };

export interface TenantView extends TenantRow {
  sipDomain: string;
}

/** A tenant the caller may see, with the scope through which its own data is reached. */
export interface TenantAccess {
  tenant: TenantView;
  /** The tenant's collections, opened with `capability`. */
  scope: TenantData;
  /** The proof that this caller may reach this tenant, for store calls that take one directly (number assignment). */
  capability: TenantScope;
  /** Set for an end user: the one extension of this tenant they may see; every other one is "not found". */
  onlyExtensionId?: string | undefined;
}

export interface TenantCreateInput {
  name: string;
  slug: string;
  resellerId?: string | undefined;
  limits?: TenantLimitsInput | undefined;
  admin?: { email: string; name: string } | undefined;
}

export interface TenantUpdateInput {
  name?: string | undefined;
  limits?: TenantLimitsInput | undefined;
}

const view = (ctx: DomainContext, row: TenantRow): TenantView => ({ ...row, sipDomain: tenantSipDomain(ctx, row.slug) });

export async function createTenant(
  ctx: DomainContext,
  actor: Actor,
  input: TenantCreateInput,
): Promise<{ tenant: TenantView; adminKey?: { id: string; secret: string } }> {
  const { principal } = actor;
  if (isTenantLevel(principal)) throw new PermissionDenied('a tenant key cannot create tenants');
  let resellerId = input.resellerId ?? null;
  if (principal.kind === 'reseller') {
    if (resellerId !== null && resellerId !== principal.resellerId) throw new PermissionDenied('a reseller creates tenants only under itself');
    resellerId = principal.resellerId;
  }
  const now = ctx.now().toISOString();

  return ctx.store.transaction(async () => {
    if (resellerId !== null && !await ctx.store.resellers.get(resellerId)) throw new InvalidReference('resellerId', 'no such reseller');
    if (await ctx.store.tenants.getBySlug(input.slug)) throw new TenantExists(input.slug);
    const tenant = await ctx.store.tenants.insert({
      id: newId('ten'),
      resellerId,
      name: input.name,
      slug: input.slug,
      status: 'active',
      limits: {
        ...DEFAULT_TENANT_LIMITS,
        storageBytes: ctx.defaultStorageBytes ?? DEFAULT_TENANT_LIMITS.storageBytes,
        ...definedOnly(input.limits ?? {}),
      },
      createdAt: now,
      updatedAt: now,
    });
    // The creator may see the tenant it just made (a reseller's lands under itself), so this is its access.
    const access = accessVisibleTenant(ctx, principal, tenant);
    await recordAudit(ctx, actor, access.capability, 'tenant.created', tenant.id, { before: null, after: tenant });
    await emitEvent(ctx, { type: 'tenant.created', scope: access.capability, data: view(ctx, tenant) });
    if (!input.admin) return { tenant: view(ctx, tenant) };
    const adminKey = await insertTenantKey(ctx, access.scope, `admin: ${input.admin.name} <${input.admin.email}>`);
    await recordAudit(ctx, actor, access.capability, 'api_key.created', adminKey.id, { before: null, after: { name: `admin: ${input.admin.name} <${input.admin.email}>`, roleId: ownerRoleId('tenant') } });
    return { tenant: view(ctx, tenant), adminKey };
  });
}

/** `deleted` lists only deleted tenants (kept until their purge); without a status, every tenant that is not deleted. */
export type TenantListStatus = Status | 'deleted';

export async function listTenants(ctx: DomainContext, principal: Principal, page: PageQuery, status?: TenantListStatus): Promise<Page<TenantView>> {
  const owner =
    isTenantLevel(principal) ? { id: principal.tenantId } : principal.kind === 'reseller' ? { resellerId: principal.resellerId } : {};
  const state = status === 'deleted' ? { deleted: true } : status !== undefined ? { status } : {};
  const result = await ctx.store.tenants.list(page, { ...owner, ...state });
  return { items: result.items.map((t) => view(ctx, t)), next: result.next };
}

/**
 * The one gate to a tenant's data: a tenant the caller may not see is indistinguishable from a
 * missing one. Where an API caller's TenantScope is made (besides ownTenantScope in principal.ts,
 * a tenant key's own tenant); the SIP edge and background loops name theirs in system-scope.ts.
 */
export async function accessTenant(ctx: DomainContext, principal: Principal, tenantId: string): Promise<TenantAccess> {
  const tenant = await ctx.store.tenants.get(tenantId);
  if (!tenant) throw new NotFound('tenant');
  return accessVisibleTenant(ctx, principal, tenant);
}

/** The access check on a tenant row already read (a platform-wide listing): the same visibility rule, the same "not found". */
export function accessVisibleTenant(ctx: DomainContext, principal: Principal, tenant: TenantRow): TenantAccess {
  if (!canSeeTenant(principal, tenant)) throw new NotFound('tenant');
  const capability = mintTenantScope(tenant.id, 'access');
  const access: TenantAccess = { tenant: view(ctx, tenant), scope: ctx.store.tenant(capability), capability };
  if (principal.kind === 'user') access.onlyExtensionId = principal.extensionId;
  return access;
}

export async function updateTenant(ctx: DomainContext, actor: Actor, access: TenantAccess, input: TenantUpdateInput): Promise<TenantView> {
  const { tenant } = access;
  // Quotas are set by whoever sells the tenant, never by the tenant itself.
  if (input.limits && isTenantLevel(actor.principal)) throw new PermissionDenied('a tenant key cannot change its own limits');
  assertNotDeleted(access, 'update');
  return ctx.store.transaction(async () => {
    const updated = await ctx.store.tenants.update(tenant.id, {
      name: input.name,
      limits: input.limits ? { ...tenant.limits, ...definedOnly(input.limits) } : undefined,
      updatedAt: ctx.now().toISOString(),
    });
    if (!updated) throw new NotFound('tenant');
    await recordAudit(ctx, actor, access.capability, 'tenant.updated', tenant.id, { before: tenant, after: view(ctx, updated) });
    await emitEvent(ctx, { type: 'tenant.updated', scope: access.capability, data: view(ctx, updated) });
    return view(ctx, updated);
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Suspends or resumes one tenant: its keys answer 403 tenant_suspended, its tokens and SIP
 * registrations are refused, from the next request on (nothing is cached).
 */
export async function setTenantStatus(ctx: DomainContext, actor: Actor, access: TenantAccess, status: 'active' | 'suspended'): Promise<TenantView> {
  if (isTenantLevel(actor.principal)) throw new PermissionDenied('a tenant cannot suspend or resume itself');
  assertNotDeleted(access, status === 'suspended' ? 'suspend' : 'resume');
  const result = await ctx.store.transaction(async () => {
    const updated = await ctx.store.tenants.update(access.tenant.id, { status, updatedAt: ctx.now().toISOString() });
    if (!updated) throw new NotFound('tenant');
    await recordAudit(ctx, actor, access.capability, status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed', access.tenant.id, {
      before: { status: access.tenant.status },
      after: { status },
    });
    await emitEvent(ctx, { type: status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed', scope: access.capability, data: view(ctx, updated) });
    return view(ctx, updated);
  });
  // Its open SIP sockets close and its calls end now, not at their next request.
  if (status === 'suspended') publishCredentialChange(ctx, { kind: 'tenant', tenantId: access.tenant.id });
  return result;
}
