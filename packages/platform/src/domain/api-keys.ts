import { newId } from '../ids';
import type { ApiKeyPatch, ApiKeyRow, Page, PageQuery, RoleLevel, TenantData, TenantScope } from '../store/types';
import { recordAudit, type DomainContext } from './context';
import { InvalidReference, NotFound, PermissionDenied, ResellerSuspended, TenantDeleted, TenantSuspended } from './errors';
import { builtInRole, LEVEL_PERMISSIONS, ownerRoleId, requireHeld, rolePermissions, USER_PERMISSIONS, USER_ROLE_ID, type Permission } from './permissions';
import type { Actor, Principal } from './principal';
import { randomBase62, sha256Hex } from './secrets';
import { tenantInService } from './status';
import type { TenantAccess } from './tenants';
import { systemScope } from './system-scope';

/** lastUsedAt is a hint for humans; writing it at most once a minute keeps reads from becoming writes. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * `hr_live_<key id without prefix>_<32 base62>`: the public part names the key in logs and lists
 * without revealing anything; only sha256 of the whole secret is stored and looked up (one indexed
 * read, O(1)), so the public part needs no index of its own.
 */
export const newKeySecret = (keyId: string) => `hr_live_${keyId.slice('key_'.length)}_${randomBase62(32)}`;
export const keyPrefix = (keyId: string) => `hr_live_${keyId.slice('key_'.length)}`;

export interface ApiKeyView extends ApiKeyRow {
  roleId: string;
  permissions: Permission[];
  extension: string | null;
  prefix: string;
}

/** Claimed by the one node that stores the bootstrap key; see ensureBootstrapKey. */
const BOOTSTRAP_CLAIM_SETTING = 'bootstrap_key_id';

/**
 * Makes `secret` the provider owner's key unless a provider key already exists, so the bootstrap
 * key only counts on first start. Returns whether it was stored.
 *
 * Several nodes may start at once on one PostgreSQL database, where both would count no provider key
 * and insert: the key id is first claimed in `settings` (an insert that does nothing on conflict
 * waits for the competing transaction and then yields to it), and only the claimant inserts.
 */
export async function ensureBootstrapKey(ctx: DomainContext, secret: string): Promise<boolean> {
  return ctx.store.transaction(async () => {
    if (await ctx.store.apiKeys.countByPrincipal('provider') > 0) return false;
    const id = newId('key');
    if ((await ctx.store.settings.getOrInsert(BOOTSTRAP_CLAIM_SETTING, id)) !== id) return false;
    await ctx.store.apiKeys.insert({
      id,
      secretHash: sha256Hex(secret),
      principal: 'provider',
      resellerId: null,
      name: 'provider owner (bootstrap)',
      createdAt: ctx.now().toISOString(),
      lastUsedAt: null,
      roleId: ownerRoleId('provider'),
    });
    return true;
  });
}

/** Mints a tenant owner key; call inside the transaction that needs it. */
export async function insertTenantKey(ctx: DomainContext, tenant: TenantData, name: string): Promise<{ id: string; secret: string }> {
  const id = newId('key');
  const secret = newKeySecret(id);
  await tenant.apiKeys.insert({ id, secretHash: sha256Hex(secret), name, createdAt: ctx.now().toISOString(), lastUsedAt: null, roleId: ownerRoleId('tenant') });
  return { id, secret };
}

const levelOf = (key: ApiKeyRow): RoleLevel => (key.principal === 'tenant' ? 'tenant' : key.principal);

/**
 * The tenant a tenant key belongs to, for reading its role and extension. The key row itself was
 * reached by its secret (authentication) or through the caller's scope, so its tenant id is the
 * key's own, not a caller's claim.
 */
const keyTenant = (ctx: DomainContext, tenantId: string): TenantData => ctx.store.tenant(systemScope('api key resolution', tenantId));

/**
 * The scope of a key's own tenant (null for a platform key), for the writes authentication makes
 * about the key: its last-used time, the security event of a failed attempt with it.
 */
export const keyScope = (key: Pick<ApiKeyRow, 'tenantId'>): TenantScope | null => (key.tenantId === null ? null : systemScope('api key resolution', key.tenantId));

/** The role's permissions, never more than the key's level allows. */
async function permissionsOf(ctx: DomainContext, key: ApiKeyRow): Promise<Permission[]> {
  const level = levelOf(key);
  const roleId = key.roleId ?? ownerRoleId(level);
  const builtIn = builtInRole(roleId);
  const role =
    builtIn?.level === level
      ? builtIn
      : key.tenantId !== null
        ? await keyTenant(ctx, key.tenantId).roles.get(roleId)
        : await ctx.store.roles(key.resellerId !== null ? { resellerId: key.resellerId } : 'provider').get(roleId);
  if (!role) return [];
  const ceiling = key.extensionId !== null ? USER_PERMISSIONS : LEVEL_PERMISSIONS[level];
  return rolePermissions(role).filter((p) => ceiling.includes(p));
}

export type AuthOutcome =
  | { ok: true; principal: Principal }
  /** `key` is set when the secret named a real key (revoked, expired, rotated out): its audit event can say which. */
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'rotated' | 'extension_deleted'; key?: ApiKeyRow };

/**
 * Resolves an API key secret to its principal. A suspended tenant (or a tenant of a suspended
 * reseller) throws TenantSuspended and a suspended reseller's own key ResellerSuspended: 403, so
 * the owner learns why, unlike a bad secret (401).
 */
export async function resolveApiKey(ctx: DomainContext, secret: string): Promise<AuthOutcome> {
  const hash = sha256Hex(secret);
  const key = await ctx.store.apiKeys.getBySecretHashAnyTenant(hash);
  if (!key) return { ok: false, reason: 'unknown' };
  const now = ctx.now();
  if (key.revokedAt !== null) return { ok: false, reason: 'revoked', key };
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired', key };
  if (key.secretHash !== hash && (key.previousExpiresAt === null || Date.parse(key.previousExpiresAt) <= now.getTime())) {
    return { ok: false, reason: 'rotated', key };
  }

  let principal: Principal;
  const grant = { keyId: key.id, roleId: key.roleId ?? ownerRoleId(levelOf(key)), permissions: new Set(await permissionsOf(ctx, key)) };
  switch (key.principal) {
    case 'provider':
      principal = { kind: 'provider', ...grant };
      break;
    case 'reseller': {
      if ((await ctx.store.resellers.get(key.resellerId!))?.status !== 'active') throw new ResellerSuspended();
      principal = { kind: 'reseller', resellerId: key.resellerId!, ...grant };
      break;
    }
    case 'tenant': {
      const tenant = await ctx.store.tenants.get(key.tenantId!);
      if (!tenant) return { ok: false, reason: 'unknown' };
      if (tenant.deletedAt) throw new TenantDeleted();
      if (!await tenantInService(ctx, tenant)) throw new TenantSuspended();
      if (key.extensionId === null) {
        principal = { kind: 'tenant', tenantId: tenant.id, ...grant };
        break;
      }
      // A user key dies with its extension.
      if (!await keyTenant(ctx, tenant.id).extensions.get(key.extensionId)) return { ok: false, reason: 'extension_deleted', key };
      principal = { kind: 'user', tenantId: tenant.id, extensionId: key.extensionId, ...grant };
      break;
    }
  }
  if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > TOUCH_INTERVAL_MS) {
    await ctx.store.apiKeys.touch(keyScope(key), key.id, now.toISOString());
  }
  return { ok: true, principal };
}

/** Resolves an API key secret to its principal; undefined for a secret that is not (or no longer) valid. */
export async function authenticate(ctx: DomainContext, secret: string): Promise<Principal | undefined> {
  const outcome = await resolveApiKey(ctx, secret);
  return outcome.ok ? outcome.principal : undefined;
}

async function view(ctx: DomainContext, key: ApiKeyRow): Promise<ApiKeyView> {
  let extension: string | null = null;
  if (key.extensionId !== null && key.tenantId !== null) extension = (await keyTenant(ctx, key.tenantId).extensions.get(key.extensionId))?.number ?? null;
  return { ...key, roleId: key.roleId ?? ownerRoleId(levelOf(key)), permissions: await permissionsOf(ctx, key), extension, prefix: keyPrefix(key.id) };
}

/** The role a new key of `level` gets: a built-in of that level or a custom role of the same owner. */
async function resolveRole(ctx: DomainContext, level: RoleLevel, owner: { tenant?: TenantData; resellerId?: string }, roleId: string) {
  const builtIn = builtInRole(roleId);
  if (builtIn && builtIn.level === level && builtIn.id !== USER_ROLE_ID) return builtIn;
  const custom = owner.tenant
    ? await owner.tenant.roles.get(roleId)
    : await ctx.store.roles(owner.resellerId ? { resellerId: owner.resellerId } : 'provider').get(roleId);
  if (!custom) throw new InvalidReference('roleId', `no such ${level} role here`);
  return custom;
}

function checkExpiry(ctx: DomainContext, expiresAt: string | undefined): string | null {
  if (expiresAt === undefined) return null;
  if (Date.parse(expiresAt) <= ctx.now().getTime()) throw new InvalidReference('expiresAt', 'must be in the future');
  return new Date(expiresAt).toISOString();
}

/**
 * What a key's audit event records: its settings, never its secret. The hash is included only so a
 * rotation shows as a change; the redactor masks it by name, so the log holds `[redacted]`.
 */
const auditable = (key: ApiKeyRow) => ({
  name: key.name,
  roleId: key.roleId,
  extensionId: key.extensionId,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  secretHash: key.secretHash,
  previousExpiresAt: key.previousExpiresAt,
});

export interface KeyCreated {
  key: ApiKeyView;
  secret: string;
}

/** A provider or reseller key. The provider may mint a reseller's key by naming `resellerId`. */
export async function createPlatformKey(
  ctx: DomainContext,
  actor: Actor,
  input: { name: string; roleId: string; expiresAt?: string | undefined; resellerId?: string | undefined },
): Promise<KeyCreated> {
  const { principal } = actor;
  let resellerId: string | null = input.resellerId ?? null;
  if (principal.kind === 'reseller') {
    if (resellerId !== null && resellerId !== principal.resellerId) throw new PermissionDenied('a reseller makes keys only for itself');
    resellerId = principal.resellerId;
  } else if (principal.kind !== 'provider') {
    throw new PermissionDenied('tenant keys are made under /v1/tenants/{tenantId}/api-keys');
  }
  const level: RoleLevel = resellerId === null ? 'provider' : 'reseller';
  return ctx.store.transaction(async () => {
    if (resellerId !== null && !await ctx.store.resellers.get(resellerId)) throw new InvalidReference('resellerId', 'no such reseller');
    const role = await resolveRole(ctx, level, resellerId === null ? {} : { resellerId }, input.roleId);
    requireHeld(principal.permissions, rolePermissions(role));
    const id = newId('key');
    const secret = newKeySecret(id);
    const row = await ctx.store.apiKeys.insert({
      id,
      secretHash: sha256Hex(secret),
      principal: level,
      resellerId,
      name: input.name,
      createdAt: ctx.now().toISOString(),
      lastUsedAt: null,
      roleId: role.id,
      expiresAt: checkExpiry(ctx, input.expiresAt),
    });
    await recordAudit(ctx, actor, null, 'api_key.created', id, { before: null, after: auditable(row) });
    return { key: await view(ctx, row), secret };
  });
}

/** A tenant key: an admin-like key with a tenant role, or (with `extension`) an end user's key. */
export async function createTenantKey(
  ctx: DomainContext,
  actor: Actor,
  access: TenantAccess,
  input: { name: string; roleId?: string | undefined; extension?: string | undefined; expiresAt?: string | undefined },
): Promise<KeyCreated> {
  const { tenant, scope } = access;
  return ctx.store.transaction(async () => {
    let roleId: string;
    let extensionId: string | null = null;
    let permissions: readonly Permission[];
    if (input.extension !== undefined) {
      const ext = await scope.extensions.getByNumber(input.extension);
      if (!ext) throw new InvalidReference('extension', 'no such extension in this tenant');
      extensionId = ext.id;
      roleId = USER_ROLE_ID;
      permissions = USER_PERMISSIONS;
    } else {
      if (input.roleId === undefined) throw new InvalidReference('roleId', 'required unless extension is given');
      const role = await resolveRole(ctx, 'tenant', { tenant: scope }, input.roleId);
      roleId = role.id;
      permissions = rolePermissions(role);
    }
    requireHeld(actor.principal.permissions, permissions);
    const id = newId('key');
    const secret = newKeySecret(id);
    const row = await scope.apiKeys.insert({
      id,
      secretHash: sha256Hex(secret),
      name: input.name,
      createdAt: ctx.now().toISOString(),
      lastUsedAt: null,
      roleId,
      extensionId,
      expiresAt: checkExpiry(ctx, input.expiresAt),
    });
    await recordAudit(ctx, actor, access.capability, 'api_key.created', id, { before: null, after: auditable(row) });
    return { key: await view(ctx, row), secret };
  });
}

/** The provider sees provider keys and every reseller's keys; a reseller only its own. */
async function platformKey(ctx: DomainContext, principal: Principal, id: string): Promise<ApiKeyRow> {
  // Tenant keys are reached through their tenant's scope only; the store's platform lookup never returns one.
  const key =
    principal.kind === 'provider' ? await ctx.store.apiKeys.get(id, 'provider')
    : principal.kind === 'reseller' ? await ctx.store.apiKeys.get(id, { resellerId: principal.resellerId })
    : undefined;
  if (!key) throw new NotFound('api_key');
  return key;
}

async function tenantKey(access: TenantAccess, id: string): Promise<ApiKeyRow> {
  const key = await access.scope.apiKeys.get(id);
  if (!key) throw new NotFound('api_key');
  return key;
}

export async function listPlatformKeys(ctx: DomainContext, principal: Principal, page: PageQuery): Promise<Page<ApiKeyView>> {
  const owner = principal.kind === 'reseller' ? { resellerId: principal.resellerId } : 'provider';
  const result = await ctx.store.apiKeys.list(page, owner);
  return { items: await Promise.all(result.items.map((k) => view(ctx, k))), next: result.next };
}

export async function listTenantKeys(ctx: DomainContext, access: TenantAccess, page: PageQuery): Promise<Page<ApiKeyView>> {
  const result = await access.scope.apiKeys.list(page);
  return { items: await Promise.all(result.items.map((k) => view(ctx, k))), next: result.next };
}

export const retrievePlatformKey = async (ctx: DomainContext, principal: Principal, id: string) => view(ctx, await platformKey(ctx, principal, id));
export const retrieveTenantKey = async (ctx: DomainContext, access: TenantAccess, id: string) => view(ctx, await tenantKey(access, id));

/**
 * A new secret for the same key (same id, role and expiry). The old secret keeps working for
 * `gracePeriodSeconds` so deployments can roll over; a second rotation inside the grace period
 * ends the first old secret at once (only one previous secret is kept).
 */
/** Where a key is changed: the platform's keys, or one tenant's through its scope. */
type KeyOwner = { scope: TenantScope | null; keys: { update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRow | undefined> } };
const platformKeys = (ctx: DomainContext): KeyOwner => ({ scope: null, keys: ctx.store.apiKeys });
const tenantKeys = (access: TenantAccess): KeyOwner => ({ scope: access.capability, keys: access.scope.apiKeys });

async function rotate(ctx: DomainContext, actor: Actor, key: ApiKeyRow, { scope, keys }: KeyOwner, gracePeriodSeconds: number): Promise<KeyCreated> {
  // Whoever gets the new secret gets the key's powers: the same rule as minting it.
  requireHeld(actor.principal.permissions, await permissionsOf(ctx, key));
  const secret = newKeySecret(key.id);
  const now = ctx.now().getTime();
  const updated = await keys.update(key.id, {
    secretHash: sha256Hex(secret),
    previousSecretHash: gracePeriodSeconds > 0 ? key.secretHash : null,
    previousExpiresAt: gracePeriodSeconds > 0 ? new Date(now + gracePeriodSeconds * 1000).toISOString() : null,
  });
  await recordAudit(ctx, actor, scope, 'api_key.rotated', key.id, { before: auditable(key), after: auditable(updated!) });
  return { key: await view(ctx, updated!), secret };
}

async function revoke(ctx: DomainContext, actor: Actor, key: ApiKeyRow, { scope, keys }: KeyOwner): Promise<void> {
  requireHeld(actor.principal.permissions, await permissionsOf(ctx, key));
  const updated = await keys.update(key.id, { revokedAt: ctx.now().toISOString(), previousSecretHash: null, previousExpiresAt: null });
  await recordAudit(ctx, actor, scope, 'api_key.revoked', key.id, { before: auditable(key), after: updated && auditable(updated) });
}

export const rotatePlatformKey = (ctx: DomainContext, actor: Actor, id: string, gracePeriodSeconds: number) =>
  ctx.store.transaction(async () => rotate(ctx, actor, await platformKey(ctx, actor.principal, id), platformKeys(ctx), gracePeriodSeconds));
export const rotateTenantKey = (ctx: DomainContext, actor: Actor, access: TenantAccess, id: string, gracePeriodSeconds: number) =>
  ctx.store.transaction(async () => rotate(ctx, actor, await tenantKey(access, id), tenantKeys(access), gracePeriodSeconds));
export const revokePlatformKey = (ctx: DomainContext, actor: Actor, id: string) =>
  ctx.store.transaction(async () => revoke(ctx, actor, await platformKey(ctx, actor.principal, id), platformKeys(ctx)));
export const revokeTenantKey = (ctx: DomainContext, actor: Actor, access: TenantAccess, id: string) =>
  ctx.store.transaction(async () => revoke(ctx, actor, await tenantKey(access, id), tenantKeys(access)));
