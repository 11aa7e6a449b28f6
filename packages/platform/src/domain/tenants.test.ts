import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { authenticate, ensureBootstrapKey } from './api-keys';
import type { DomainContext } from './context';
import { InvalidReference, NotFound, PermissionDenied, TenantExists, TenantSuspended } from './errors';
import { sha256Hex } from './secrets';
import type { Actor } from './principal';
import { createReseller } from './resellers';
import { accessTenant, createTenant, listTenants, updateTenant } from './tenants';
import { auditKeyFrom } from './audit-key';
import { systemScope } from './system-scope';

let ctx: DomainContext;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_test' };

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.example.test', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
});
afterEach(() => ctx.store.close());

describe('createTenant', () => {
  it('returns the tenant with default limits and its SIP domain', async () => {
    const { tenant, adminKey } = await createTenant(ctx, provider, { name: 'Acme Dental', slug: 'acme-dental' });
    expect(tenant).toMatchObject({ name: 'Acme Dental', slug: 'acme-dental', status: 'active', sipDomain: 'acme-dental.sip.example.test', limits: { extensions: 100, channels: 10 } });
    expect(adminKey).toBeUndefined();
  });

  it('mints a tenant admin key that authenticates as that tenant only', async () => {
    const { tenant, adminKey } = await createTenant(ctx, provider, { name: 'Acme', slug: 'acme', admin: { email: 'it@acme.test', name: 'IT' } });
    expect(adminKey?.secret).toMatch(/^hr_live_[0-9A-Za-z]+_[0-9A-Za-z]{32}$/);
    expect((await authenticate(ctx, adminKey!.secret))).toMatchObject({ kind: 'tenant', keyId: adminKey!.id, tenantId: tenant.id, roleId: 'rol_tenantOwner' });
  });

  it('refuses a taken slug', async () => {
    await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' });
    await expect(createTenant(ctx, provider, { name: 'Other', slug: 'acme' })).rejects.toThrow(TenantExists);
  });

  it('refuses tenant keys and unknown resellers', async () => {
    const tenantActor: Actor = { principal: { kind: 'tenant', keyId: 'key_x000000000', tenantId: 'ten_x000000000', roleId: 'rol_tenantOwner', permissions: new Set() }, requestId: null };
    await expect(createTenant(ctx, tenantActor, { name: 'X', slug: 'x1' })).rejects.toThrow(PermissionDenied);
    await expect(createTenant(ctx, provider, { name: 'X', slug: 'x1', resellerId: 'res_missing0000' })).rejects.toThrow(InvalidReference);
  });

  it('writes an audit event in the same transaction', async () => {
    const { tenant, adminKey } = await createTenant(ctx, provider, { name: 'Acme', slug: 'acme', admin: { email: 'it@acme.test', name: 'IT' } });
    const events = (await ctx.store.tenant(systemScope('test fixture', tenant.id)).auditEvents.list({ limit: 10 })).items;
    expect(events.map((e) => [e.action, e.targetId, e.actorKeyId, e.requestId])).toEqual([
      ['tenant.created', tenant.id, provider.principal.keyId, 'req_test'],
      ['api_key.created', adminKey!.id, provider.principal.keyId, 'req_test'],
    ]);
  });

  it('leaves nothing behind when it fails', async () => {
    await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' });
    await expect(createTenant(ctx, provider, { name: 'Acme', slug: 'acme', admin: { email: 'a@b.test', name: 'A' } })).rejects.toThrow(TenantExists);
    expect((await listTenants(ctx, provider.principal, { limit: 10 })).items).toHaveLength(1);
  });
});

describe('tenant visibility', () => {
  it('lets a tenant key see only its own tenant, and a foreign one looks missing', async () => {
    const a = await createTenant(ctx, provider, { name: 'A', slug: 'a1', admin: { email: 'a@a.test', name: 'A' } });
    const b = await createTenant(ctx, provider, { name: 'B', slug: 'b1' });
    const keyA = (await authenticate(ctx, a.adminKey!.secret))!;

    expect((await listTenants(ctx, keyA, { limit: 10 })).items.map((t) => t.id)).toEqual([a.tenant.id]);
    expect((await accessTenant(ctx, keyA, a.tenant.id)).tenant.id).toBe(a.tenant.id);
    const foreign = await (async () => { try { await accessTenant(ctx, keyA, b.tenant.id); } catch (e) { return e; } })();
    const missing = await (async () => { try { await accessTenant(ctx, keyA, 'ten_00000000000000000000000000'); } catch (e) { return e; } })();
    expect(foreign).toBeInstanceOf(NotFound);
    expect((foreign as Error).message).toBe((missing as Error).message);
  });

  it('lets a reseller see only its own tenants', async () => {
    const reseller = await createReseller(ctx, provider, { name: 'Resell' });
    const mine = await createTenant(ctx, provider, { name: 'Mine', slug: 'mine', resellerId: reseller.id });
    await createTenant(ctx, provider, { name: 'Other', slug: 'other' });
    const principal = { kind: 'reseller' as const, keyId: 'key_r000000000', resellerId: reseller.id, roleId: 'rol_resellerOwner', permissions: new Set<never>() };
    expect((await listTenants(ctx, principal, { limit: 10 })).items.map((t) => t.id)).toEqual([mine.tenant.id]);
  });
});

describe('updateTenant', () => {
  it('merges partial limits', async () => {
    const { tenant } = await createTenant(ctx, provider, { name: 'A', slug: 'a1', limits: { extensions: 5 } });
    const updated = await updateTenant(ctx, provider, await accessTenant(ctx, provider.principal, tenant.id), { name: 'A2', limits: { channels: 3 } });
    expect(updated).toMatchObject({ name: 'A2', limits: { extensions: 5, channels: 3 } });
  });

  it('does not let a tenant raise its own limits', async () => {
    const a = await createTenant(ctx, provider, { name: 'A', slug: 'a1', admin: { email: 'a@a.test', name: 'A' } });
    const principal = (await authenticate(ctx, a.adminKey!.secret))!;
    await expect(updateTenant(ctx, { principal, requestId: null }, await accessTenant(ctx, principal, a.tenant.id), { limits: { extensions: 9999 } })).rejects.toThrow(PermissionDenied);
  });
});

describe('authenticate', () => {
  it('records when a key was last used', async () => {
    await ensureBootstrapKey(ctx, 'bootstrap-key-1');
    const { keyId } = (await authenticate(ctx, 'bootstrap-key-1'))!;
    expect((await ctx.store.apiKeys.getBySecretHashAnyTenant(sha256Hex('bootstrap-key-1')))).toMatchObject({ id: keyId, lastUsedAt: expect.any(String) });
  });

  it('refuses the keys of a suspended tenant', async () => {
    const a = await createTenant(ctx, provider, { name: 'A', slug: 'a1', admin: { email: 'a@a.test', name: 'A' } });
    await ctx.store.tenants.update(a.tenant.id, { status: 'suspended' });
    await expect(authenticate(ctx, a.adminKey!.secret)).rejects.toThrow(TenantSuspended);
  });
});

describe('bootstrap key', () => {
  it('counts on first start only', async () => {
    expect((await ensureBootstrapKey(ctx, 'first-bootstrap'))).toBe(true);
    expect((await ensureBootstrapKey(ctx, 'second-bootstrap'))).toBe(false);
    expect((await authenticate(ctx, 'first-bootstrap'))?.kind).toBe('provider');
    expect((await authenticate(ctx, 'second-bootstrap'))).toBeUndefined();
  });
});
