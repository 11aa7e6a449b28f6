// Identity against the real platform through the real SDK: the reseller hierarchy, suspension
// (API keys, softphone tokens and SIP REGISTER), roles and permissions without escalation, API key
// rotation/revocation/expiry, end-user keys, token signing-key rotation, and the per-source limit
// on failed authentication.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, routeTable, startPlatform, type Platform } from '@highrise/platform';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  Highrise,
  NotFoundError,
  PermissionDeniedError,
  PERMISSIONS,
  RateLimitError,
  type Tenant,
} from '@highrise/sdk';
import { expectApiError as failure, openPlatformStore, startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, openRawSip, SipRejected, type NodePhone } from './support/sip-node';
import { systemScope } from '@highrise/platform';

const bootstrapKey = 'hr_test_bootstrap_identity_0001';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let dataDir: string;
let provider: Highrise;
const phones: NodePhone[] = [];

const client = (apiKey: string, baseUrl = platform.url) => new Highrise({ baseUrl, apiKey, maxRetries: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let slugs = 0;
/** A tenant with extensions 101 and 102 (known SIP passwords) and its owner key. */
async function tenantWith(creator: Highrise, name: string) {
  const slug = `${name}-${++slugs}`;
  const { tenant, adminKey } = await creator.tenants.create({ name, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' } });
  const owner = client(adminKey!.secret);
  const ext101 = await owner.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Front desk', sipPassword: `pw-${slug}-101-secret` });
  const ext102 = await owner.tenant(tenant.id).extensions.create({ number: '102', displayName: 'Back office', sipPassword: `pw-${slug}-102-secret` });
  return { tenant, owner, ownerKey: adminKey!.secret, ext101, ext102 };
}

/** A reseller and a key of it holding `roleId`. */
async function resellerWith(name: string, roleId = 'rol_resellerAdmin') {
  const reseller = await provider.resellers.create({ name });
  const key = await provider.apiKeys.create({ name: `${name} key`, roleId, resellerId: reseller.id });
  return { reseller, key, hr: client(key.secret) };
}

async function register(tenant: Tenant, number: string, auth: { password?: string; token?: string }): Promise<number> {
  const phone = createNodePhone({ wsUrl: platform.wsUrl, domain: tenant.sipDomain, number, ...auth });
  phones.push(phone);
  try {
    await phone.start();
    await phone.register();
    return 200;
  } catch (error) {
    if (error instanceof SipRejected) return error.status;
    throw error;
  }
}

/** The audit actions recorded in a tenant, read from the platform's own database. */
async function auditActions(tenantId: string): Promise<string[]> {
  const store = await openPlatformStore(testPlatform!);
  try {
    return (await store.tenant(systemScope('test fixture', tenantId)).auditEvents.list({ limit: 100 })).items.map((e) => e.action);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  // This file provokes many 401s on purpose; the per-source limit has its own test below.
  testPlatform = await startTestPlatform('identity', { bootstrapKey, authFailureLimit: { maxFailures: 1000 } });
  ({ platform, dataDir, provider } = testPlatform);
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.stop().catch(() => {})));
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('the route table', () => {
  it('names a permission on every route that needs a key', () => {
    const missing = routeTable.filter((r) => r.scope !== 'public' && !r.permission).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('lists every permission with a description', async () => {
    const { data } = await provider.permissions.list();
    expect(data.map((p) => p.id)).toEqual(PERMISSIONS);
    for (const p of data) expect(p.description.length).toBeGreaterThan(5);
    expect(data.find((p) => p.id === 'resellers:write')?.levels).toEqual(['provider']);
  });
});

describe('resellers', () => {
  it('a reseller key creates tenants under its reseller and sees only those', async () => {
    const north = await resellerWith('North');
    const south = await resellerWith('South');
    const { tenant } = await north.hr.tenants.create({ name: 'Northern Dental', slug: `northern-${++slugs}` });
    expect(tenant.resellerId).toBe(north.reseller.id);
    await south.hr.tenants.create({ name: 'Southern Law', slug: `southern-${++slugs}` });
    const direct = await provider.tenants.create({ name: 'Direct', slug: `direct-${++slugs}` });

    const seen = (await north.hr.tenants.list({ limit: 100 })).data.map((t) => t.id);
    expect(seen).toEqual([tenant.id]);
    expect((await north.hr.tenant(tenant.id).retrieve()).id).toBe(tenant.id);
    await north.hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });

    // Another reseller's admin, and the provider's direct tenant: not found, never forbidden.
    for (const err of [
      await failure(south.hr.tenant(tenant.id).retrieve()),
      await failure(south.hr.tenant(tenant.id).extensions.list()),
      await failure(south.hr.tenant(tenant.id).suspend()),
      await failure(north.hr.tenant(direct.tenant.id).retrieve()),
    ]) {
      expect(err).toBeInstanceOf(NotFoundError);
    }
    // The provider sees everything.
    const all = (await provider.tenants.list({ limit: 100 })).data.map((t) => t.id);
    expect(all).toEqual(expect.arrayContaining([tenant.id, direct.tenant.id]));
  });

  it('the provider updates, lists and retrieves resellers; reseller keys may not manage resellers', async () => {
    const east = await resellerWith('East');
    expect((await provider.resellers.update(east.reseller.id, { name: 'East Coast' })).name).toBe('East Coast');
    expect((await provider.resellers.retrieve(east.reseller.id)).name).toBe('East Coast');
    const err = await failure(east.hr.resellers.list());
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.code).toBe('permission_denied');
  });

  it("suspending a reseller refuses its keys, its tenants' keys, tokens and SIP until it is resumed", async () => {
    const west = await resellerWith('West');
    const sold = await tenantWith(west.hr, 'west-dental');
    const tenantApi = sold.owner.tenant(sold.tenant.id);
    const token = (await tenantApi.softphoneTokens.create({ extension: '102' })).token;
    const password = `pw-${sold.tenant.slug}-101-secret`;
    expect(await register(sold.tenant, '101', { password })).toBe(200);

    const suspended = await provider.resellers.suspend(west.reseller.id);
    expect(suspended.status).toBe('suspended');
    expect((await failure(west.hr.tenants.list())).code).toBe('reseller_suspended');
    const tenantErr = await failure(tenantApi.extensions.list());
    expect(tenantErr).toBeInstanceOf(PermissionDeniedError);
    expect(tenantErr.code).toBe('tenant_suspended');
    expect(await register(sold.tenant, '101', { password })).toBe(403);
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    expect(await raw.closed).toEqual({ code: 4403, reason: 'tenant_suspended' });
    // The provider still manages the tenant; its own status is untouched.
    expect((await provider.tenant(sold.tenant.id).retrieve()).status).toBe('active');

    await provider.resellers.resume(west.reseller.id);
    expect((await tenantApi.extensions.list()).data).toHaveLength(2);
    expect((await west.hr.tenants.list()).data.map((t) => t.id)).toEqual([sold.tenant.id]);
    expect(await register(sold.tenant, '101', { password })).toBe(200);
    expect(await register(sold.tenant, '102', { token })).toBe(200);
  });
});

describe('tenant suspension', () => {
  it("refuses the tenant's keys, tokens and SIP at once and restores them on resume", async () => {
    const reseller = await resellerWith('Suspender');
    const t = await tenantWith(reseller.hr, 'suspendable');
    const token = (await t.owner.tenant(t.tenant.id).softphoneTokens.create({ extension: '101' })).token;
    // A tenant cannot take itself out of (or back into) service.
    expect(await failure(t.owner.tenant(t.tenant.id).suspend())).toBeInstanceOf(PermissionDeniedError);

    expect((await reseller.hr.tenant(t.tenant.id).suspend()).status).toBe('suspended');
    expect((await failure(t.owner.tenant(t.tenant.id).retrieve())).code).toBe('tenant_suspended');
    expect(await register(t.tenant, '102', { password: `pw-${t.tenant.slug}-102-secret` })).toBe(403);
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    expect(await raw.closed).toEqual({ code: 4403, reason: 'tenant_suspended' });

    expect((await reseller.hr.tenant(t.tenant.id).resume()).status).toBe('active');
    expect((await t.owner.tenant(t.tenant.id).retrieve()).status).toBe('active');
    expect(await register(t.tenant, '101', { token })).toBe(200);
    expect(await auditActions(t.tenant.id)).toEqual(expect.arrayContaining(['tenant.suspended', 'tenant.resumed']));
  });
});

describe('roles and permissions', () => {
  it('a support key reads but gets 403 permission_denied on writes in its own tenant, and 404 elsewhere', async () => {
    const acme = await tenantWith(provider, 'acme');
    const globex = await tenantWith(provider, 'globex');
    const support = await acme.owner.tenant(acme.tenant.id).apiKeys.create({ name: 'helpdesk', roleId: 'rol_tenantSupport' });
    expect(support.permissions).not.toContain('audit:read');
    expect(support.permissions).not.toContain('extensions:write');
    const hr = client(support.secret).tenant(acme.tenant.id);

    expect((await hr.extensions.list()).data).toHaveLength(2);
    const denied = await failure(hr.extensions.create({ number: '150', displayName: 'Nope' }));
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied.code).toBe('permission_denied');
    expect(denied.details).toEqual([{ field: 'permissions', issue: 'missing extensions:write' }]);
    expect(await failure(hr.apiKeys.list())).toBeInstanceOf(PermissionDeniedError);
    // Outside its tenant the same key learns nothing: 404, as for a missing tenant.
    expect(await failure(client(support.secret).tenant(globex.tenant.id).extensions.create({ number: '150', displayName: 'x' }))).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('custom role names are per tenant, and unknown permissions are a 400 listing the valid ones', async () => {
    const a = await tenantWith(provider, 'roles-a');
    const b = await tenantWith(provider, 'roles-b');
    const roleA = await a.owner.tenant(a.tenant.id).roles.create({ name: 'frontdesk', permissions: ['extensions:read', 'softphone_tokens:create'] });
    const roleB = await b.owner.tenant(b.tenant.id).roles.create({ name: 'frontdesk', permissions: ['extensions:read'] });
    expect(roleA.id).not.toBe(roleB.id);
    expect(await failure(a.owner.tenant(a.tenant.id).roles.create({ name: 'frontdesk', permissions: [] }))).toBeInstanceOf(ConflictError);
    expect((await failure(a.owner.tenant(a.tenant.id).roles.create({ name: 'support', permissions: [] }))).code).toBe('role_exists');

    const bad = await failure(a.owner.tenant(a.tenant.id).roles.create({ name: 'broken', permissions: ['extensions:read', 'extensions:fly'] }));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad.code).toBe('validation_error');
    const listed = bad.details.map((d) => d.issue).join(' ');
    expect(listed).toContain('extensions:fly');
    for (const p of ['extensions:read', 'keys:manage', 'audit:read']) expect(listed).toContain(p);
    // A tenant role can never hold a platform permission.
    expect(await failure(a.owner.tenant(a.tenant.id).roles.create({ name: 'boss', permissions: ['resellers:write'] }))).toBeInstanceOf(BadRequestError);

    // Another tenant's role is not visible, not usable.
    expect(await failure(a.owner.tenant(a.tenant.id).roles.retrieve(roleB.id))).toBeInstanceOf(NotFoundError);
    expect((await failure(a.owner.tenant(a.tenant.id).apiKeys.create({ name: 'x', roleId: roleB.id }))).code).toBe('validation_error');

    // The role's keys follow its changes; a role in use is not deleted under them.
    const key = await a.owner.tenant(a.tenant.id).apiKeys.create({ name: 'desk', roleId: roleA.id });
    const desk = client(key.secret).tenant(a.tenant.id);
    expect(await failure(desk.extensions.delete(a.ext102.id))).toBeInstanceOf(PermissionDeniedError);
    await a.owner.tenant(a.tenant.id).roles.update(roleA.id, { permissions: ['extensions:read', 'extensions:write'] });
    await desk.extensions.delete(a.ext102.id);
    expect((await failure(a.owner.tenant(a.tenant.id).roles.delete(roleA.id))).code).toBe('role_in_use');
    expect((await failure(a.owner.tenant(a.tenant.id).roles.update('rol_tenantSupport', { name: 'x' }))).code).toBe('role_immutable');
    await a.owner.tenant(a.tenant.id).apiKeys.revoke(key.id);
    await a.owner.tenant(a.tenant.id).roles.delete(roleA.id);
    expect(await auditActions(a.tenant.id)).toEqual(expect.arrayContaining(['role.created', 'role.updated', 'role.deleted', 'api_key.revoked']));

    const names = (await a.owner.tenant(a.tenant.id).roles.list()).data.map((r) => r.name);
    expect(names).toEqual(['owner', 'admin', 'support', 'billing', 'user']);
  });

  it('never lets a key or role be given a permission its creator does not hold', async () => {
    const t = await tenantWith(provider, 'escalation');
    const api = t.owner.tenant(t.tenant.id);
    const keyManager = await api.roles.create({ name: 'key manager', permissions: ['keys:manage', 'roles:manage', 'extensions:read'] });
    const manager = client((await api.apiKeys.create({ name: 'manager', roleId: keyManager.id })).secret).tenant(t.tenant.id);

    const viaKey = await failure(manager.apiKeys.create({ name: 'elevated', roleId: 'rol_tenantAdmin' }));
    expect(viaKey).toBeInstanceOf(PermissionDeniedError);
    expect(viaKey.message).toContain('extensions:write');
    expect(viaKey.details).toContainEqual({ field: 'permissions', issue: 'missing extensions:write' });
    const viaRole = await failure(manager.roles.create({ name: 'sneaky', permissions: ['extensions:write'] }));
    expect(viaRole).toBeInstanceOf(PermissionDeniedError);
    expect(viaRole.details).toEqual([{ field: 'permissions', issue: 'missing extensions:write' }]);
    // Widening an existing role is escalation too.
    const narrow = await manager.roles.create({ name: 'reader', permissions: ['extensions:read'] });
    expect(await failure(manager.roles.update(narrow.id, { permissions: ['extensions:read', 'audit:read'] }))).toBeInstanceOf(PermissionDeniedError);
    // Within its own permissions it may delegate.
    const reader = await manager.apiKeys.create({ name: 'reader', roleId: narrow.id });
    expect(reader.permissions).toEqual(['extensions:read']);
    // Nor may it take over a stronger key by rotating it.
    const ownerKeyId = (await api.apiKeys.list()).data.find((k) => k.roleId === 'rol_tenantOwner')!.id;
    expect(await failure(manager.apiKeys.rotate(ownerKeyId, { gracePeriodSeconds: 0 }))).toBeInstanceOf(PermissionDeniedError);
    // A reseller support key cannot mint keys at all.
    const support = await resellerWith('ReadOnly', 'rol_resellerSupport');
    expect(await failure(support.hr.apiKeys.create({ name: 'x', roleId: 'rol_resellerSupport' }))).toBeInstanceOf(PermissionDeniedError);
  });

  it('provider and reseller custom roles live at /v1/roles, separate per reseller', async () => {
    const one = await resellerWith('RolesOne', 'rol_resellerOwner');
    const two = await resellerWith('RolesTwo', 'rol_resellerOwner');
    const r1 = await one.hr.roles.create({ name: 'sales', permissions: ['tenants:read', 'tenants:write'] });
    const r2 = await two.hr.roles.create({ name: 'sales', permissions: ['tenants:read'] });
    expect(r1.level).toBe('reseller');
    expect(await failure(one.hr.roles.retrieve(r2.id))).toBeInstanceOf(NotFoundError);
    expect(await failure(one.hr.roles.create({ name: 'god', permissions: ['resellers:write'] }))).toBeInstanceOf(BadRequestError);
    const sales = await one.hr.apiKeys.create({ name: 'sales', roleId: r1.id });
    const { tenant } = await client(sales.secret).tenants.create({ name: 'Sold', slug: `sold-${++slugs}` });
    expect(tenant.resellerId).toBe(one.reseller.id);
    expect(await failure(client(sales.secret).tenant(tenant.id).extensions.list())).toBeInstanceOf(PermissionDeniedError);
    const providerRole = await provider.roles.create({ name: 'auditor', permissions: ['tenants:read', 'audit:read'] });
    expect(providerRole.level).toBe('provider');
    expect((await provider.roles.list()).data.map((r) => r.name)).toContain('auditor');
  });
});

describe('API keys', () => {
  it('rotation keeps the old secret for the grace period, then refuses it', async () => {
    const t = await tenantWith(provider, 'rotation');
    const api = t.owner.tenant(t.tenant.id);
    const key = await api.apiKeys.create({ name: 'ci', roleId: 'rol_tenantAdmin' });
    expect(key.secret).toMatch(new RegExp(`^${key.prefix}_[0-9A-Za-z]{32}$`));

    const rotated = await api.apiKeys.rotate(key.id, { gracePeriodSeconds: 1 });
    expect(rotated.id).toBe(key.id);
    expect(rotated.secret).not.toBe(key.secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    expect((await client(key.secret).tenant(t.tenant.id).retrieve()).id).toBe(t.tenant.id);
    expect((await client(rotated.secret).tenant(t.tenant.id).retrieve()).id).toBe(t.tenant.id);
    await sleep(1200);
    expect(await failure(client(key.secret).tenant(t.tenant.id).retrieve())).toBeInstanceOf(AuthenticationError);
    expect((await client(rotated.secret).tenant(t.tenant.id).retrieve()).id).toBe(t.tenant.id);

    const now = await api.apiKeys.rotate(key.id, { gracePeriodSeconds: 0 });
    expect(await failure(client(rotated.secret).tenant(t.tenant.id).retrieve())).toBeInstanceOf(AuthenticationError);
    expect((await client(now.secret).tenant(t.tenant.id).retrieve()).id).toBe(t.tenant.id);
    expect((await auditActions(t.tenant.id)).filter((a) => a === 'api_key.rotated')).toHaveLength(2);
    expect(await auditActions(t.tenant.id)).toContain('auth.failed.rotated');
  });

  it('revocation is immediate, expiry is enforced, and lastUsedAt records use', async () => {
    const t = await tenantWith(provider, 'revocation');
    const api = t.owner.tenant(t.tenant.id);
    const key = await api.apiKeys.create({ name: 'temp', roleId: 'rol_tenantSupport' });
    expect(key.lastUsedAt).toBeNull();
    await client(key.secret).tenant(t.tenant.id).extensions.list();
    expect((await api.apiKeys.retrieve(key.id)).lastUsedAt).not.toBeNull();

    await api.apiKeys.revoke(key.id);
    expect(await failure(client(key.secret).tenant(t.tenant.id).extensions.list())).toBeInstanceOf(AuthenticationError);
    expect(await failure(api.apiKeys.retrieve(key.id))).toBeInstanceOf(NotFoundError);
    expect((await api.apiKeys.list()).data.map((k) => k.id)).not.toContain(key.id);

    const expiring = await api.apiKeys.create({ name: 'short', roleId: 'rol_tenantSupport', expiresAt: new Date(Date.now() + 1000).toISOString() });
    expect((await client(expiring.secret).tenant(t.tenant.id).extensions.list()).data).toHaveLength(2);
    await sleep(1100);
    expect(await failure(client(expiring.secret).tenant(t.tenant.id).extensions.list())).toBeInstanceOf(AuthenticationError);
    expect(await failure(api.apiKeys.create({ name: 'past', roleId: 'rol_tenantSupport', expiresAt: '2020-01-01T00:00:00Z' }))).toBeInstanceOf(BadRequestError);
  });

  it('provider and reseller keys are managed at /v1/api-keys; a reseller sees only its own', async () => {
    const r = await resellerWith('Keys', 'rol_resellerOwner');
    const extra = await r.hr.apiKeys.create({ name: 'second', roleId: 'rol_resellerSupport' });
    expect(extra.resellerId).toBe(r.reseller.id);
    expect((await r.hr.apiKeys.list()).data.map((k) => k.id).sort()).toEqual([r.key.id, extra.id].sort());
    const providerKeys = (await provider.apiKeys.list()).data;
    expect(providerKeys.every((k) => k.principal === 'provider')).toBe(true);
    expect(await failure(r.hr.apiKeys.retrieve(providerKeys[0]!.id))).toBeInstanceOf(NotFoundError);
    const rotated = await r.hr.apiKeys.rotate(extra.id, { gracePeriodSeconds: 0 });
    expect((await client(rotated.secret).tenants.list()).data).toEqual([]);
    await r.hr.apiKeys.revoke(extra.id);
    expect(await failure(client(rotated.secret).tenants.list())).toBeInstanceOf(AuthenticationError);
  });
});

describe('end users', () => {
  it('a user key sees only its own extension', async () => {
    const t = await tenantWith(provider, 'users');
    const userKey = await t.owner.tenant(t.tenant.id).apiKeys.create({ name: 'Ann at 101', extension: '101' });
    expect(userKey.principal).toBe('user');
    expect(userKey.extension).toBe('101');
    const me = client(userKey.secret);
    const mine = me.tenant(t.tenant.id);

    expect((await mine.extensions.list()).data.map((e) => e.number)).toEqual(['101']);
    expect((await mine.extensions.retrieve(t.ext101.id)).number).toBe('101');
    expect(await failure(mine.extensions.retrieve(t.ext102.id))).toBeInstanceOf(NotFoundError);
    expect(await failure(mine.softphoneTokens.create({ extension: '102' }))).toBeInstanceOf(NotFoundError);
    const { token } = await mine.softphoneTokens.create({ extension: '101' });
    expect(await register(t.tenant, '101', { token })).toBe(200);
    expect(await failure(mine.extensions.update(t.ext101.id, { displayName: 'Mine now' }))).toBeInstanceOf(PermissionDeniedError);
    expect((await me.tenants.list()).data.map((x) => x.id)).toEqual([t.tenant.id]);
    expect(await failure(me.tenants.create({ name: 'x', slug: `x-${++slugs}` }))).toBeInstanceOf(PermissionDeniedError);

    // The key dies with its extension.
    await t.owner.tenant(t.tenant.id).extensions.delete(t.ext101.id);
    expect(await failure(mine.extensions.list())).toBeInstanceOf(AuthenticationError);
  });
});

describe('softphone token signing keys', () => {
  it("rotating a tenant's signing key invalidates its earlier tokens and no other tenant's", async () => {
    const a = await tenantWith(provider, 'signing-a');
    const b = await tenantWith(provider, 'signing-b');
    const oldToken = (await a.owner.tenant(a.tenant.id).softphoneTokens.create({ extension: '101' })).token;
    const otherToken = (await b.owner.tenant(b.tenant.id).softphoneTokens.create({ extension: '101' })).token;
    expect(await register(a.tenant, '101', { token: oldToken })).toBe(200);

    const rotation = await a.owner.tenant(a.tenant.id).softphoneTokens.rotateSigningKey();
    expect(rotation.tenantId).toBe(a.tenant.id);
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(oldToken)}`);
    expect(await raw.closed).toEqual({ code: 4401, reason: 'token_invalid' });
    const fresh = (await a.owner.tenant(a.tenant.id).softphoneTokens.create({ extension: '101' })).token;
    expect(await register(a.tenant, '101', { token: fresh })).toBe(200);
    expect(await register(b.tenant, '101', { token: otherToken })).toBe(200);
    expect(await auditActions(a.tenant.id)).toContain('softphone_signing_key.rotated');
  });
});

describe('failed authentication from one source', () => {
  let limited: Platform;
  let limitedDir: string;

  beforeAll(async () => {
    limitedDir = await mkdtemp(join(tmpdir(), 'highrise-ratelimit-'));
    limited = await startPlatform({ port: 0, dataDir: limitedDir, bootstrapKey, trustProxy: true, authFailureLimit: { maxFailures: 5, windowSeconds: 60 } });
  });

  afterAll(async () => {
    await limited?.close();
    await rm(limitedDir, { recursive: true, force: true });
  });

  const from = (address: string, key: string) =>
    new Highrise({ baseUrl: limited.url, apiKey: key, maxRetries: 0, headers: { 'X-Forwarded-For': address } });

  it('gets 429 with Retry-After, while valid keys and other sources are unaffected', async () => {
    const guesser = from('203.0.113.7', 'hr_live_guess_000000000000000000000000000000');
    for (let i = 0; i < 5; i++) expect(await failure(guesser.tenants.list())).toBeInstanceOf(AuthenticationError);
    const limitedErr = await failure(guesser.tenants.list());
    expect(limitedErr).toBeInstanceOf(RateLimitError);
    expect(limitedErr.code).toBe('rate_limited');
    expect(Number(limitedErr.headers.get('Retry-After'))).toBeGreaterThan(0);

    // Only failures are limited: a valid key from the same address still works…
    expect((await from('203.0.113.7', bootstrapKey).tenants.list()).data).toEqual([]);
    // …and another address is not locked out.
    expect(await failure(from('198.51.100.4', 'hr_live_wrong_000000000000000000000000000000').tenants.list())).toBeInstanceOf(AuthenticationError);

    // Each failure below the limit is a platform-level audit event (no tenant); refused ones are not,
    // so a noisy source cannot flood the log.
    const db = new Database(join(limitedDir, DATABASE_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'auth.failed.unknown' AND tenant_id IS NULL").get() as { n: number };
      expect(rows.n).toBe(6);
    } finally {
      db.close();
    }
  });

  it('marks the refusal x-should-retry: false, so an SDK client that may retry sends it once', async () => {
    const guessing = (key: string) => from('203.0.113.9', key);
    for (let i = 0; i < 5; i++) expect(await failure(guessing(`hr_live_again_${String(i).padStart(31, '0')}`).tenants.list())).toBeInstanceOf(AuthenticationError);

    // A loopback hop in front of the platform counts what reaches it.
    let forwarded = 0;
    const target = new URL(limited.url);
    const hop = createServer((req, res) => {
      forwarded++;
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => hop.listen(0, '127.0.0.1', resolve));
    try {
      const retrying = new Highrise({
        baseUrl: `http://127.0.0.1:${(hop.address() as AddressInfo).port}`,
        apiKey: 'hr_live_again_9999999999999999999999999999999',
        maxRetries: 2,
        headers: { 'X-Forwarded-For': '203.0.113.9' },
      });
      // The window's Retry-After (~60 s) is within the SDK's cap: only the header stops a retry.
      const refused = await failure(retrying.tenants.list({}, { signal: AbortSignal.timeout(5_000) }));
      expect(refused).toBeInstanceOf(RateLimitError);
      expect(refused.headers.get('x-should-retry')).toBe('false');
      expect(forwarded).toBe(1);
    } finally {
      await new Promise((resolve) => (hop.closeAllConnections(), hop.close(resolve)));
    }
  });

  it('takes the client address from the rightmost X-Forwarded-For hop, so a spoofed leftmost one changes nothing', async () => {
    // The client writes anything it likes as the first hop; the proxy (here loopback) appends the
    // address the client really came from. Each guess claims a new first hop.
    const spoofing = (i: number) => from(`192.0.2.${i}, 203.0.113.8`, `hr_live_spoof_${String(i).padStart(31, '0')}`);
    for (let i = 0; i < 5; i++) expect(await failure(spoofing(i).tenants.list())).toBeInstanceOf(AuthenticationError);
    expect(await failure(spoofing(99).tenants.list()), 'the sixth failure from 203.0.113.8 is limited').toBeInstanceOf(RateLimitError);

    const db = new Database(join(limitedDir, DATABASE_FILE), { readonly: true });
    try {
      const sources = (db.prepare("SELECT DISTINCT source_address AS s FROM audit_events WHERE action LIKE 'auth.failed.%'").all() as { s: string }[]).map((r) => r.s);
      expect(sources).toContain('203.0.113.8');
      expect(sources.filter((s) => s.startsWith('192.0.2.')), 'no spoofed first hop reached the audit log').toEqual([]);
    } finally {
      db.close();
    }
  });
});
