import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyFrom } from '../domain/audit-key';
import type { DomainContext } from '../domain/context';
import { NotFound } from '../domain/errors';
import type { Actor, Principal } from '../domain/principal';
import { createReseller } from '../domain/resellers';
import { systemScope } from '../domain/system-scope';
import { accessTenant, createTenant } from '../domain/tenants';
import { openKyselyStore, type KyselyStore } from './kysely/index';
import { testDatabases, type TestDatabase } from './kysely/testing';
import { TenantScope } from './tenant-scope';

const T0 = '2026-01-01T00:00:00.000Z';
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null };

/**
 * Compile-time half, checked by `npm run typecheck:tests`: each line is a way to reach a tenant's
 * rows without the access check, and each must fail to compile. Never called.
 */
export function unscopedCallsDoNotCompile(store: KyselyStore): void {
  // @ts-expect-error a tenant id is not a scope
  store.tenant('ten_victim');
  // @ts-expect-error nor is an object that looks like one: the class is nominal
  store.tenant({ tenantId: 'ten_victim' });
  // @ts-expect-error the constructor is private: scopes come from the access check or systemScope
  new TenantScope('ten_victim', 'forged');
  // @ts-expect-error a number goes to a tenant's scope, not to its id
  void store.numbers.assign('num_1', 'ten_victim', T0);
  // @ts-expect-error there is no "any key by id": a platform key lookup names its viewer
  void store.apiKeys.get('key_1');
  // @ts-expect-error a system scope names one of the known reasons
  systemScope('because I can', 'ten_victim');
}

describe.each(testDatabases)('tenant scopes on $name', ({ create }) => {
  let db: TestDatabase;
  let store: KyselyStore;
  let ctx: DomainContext;
  beforeAll(async () => {
    db = await create();
    store = await openKyselyStore(db.options);
    ctx = { store, baseSipDomain: 'sip.example.test', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('refuses at run time what the types refuse: a tenant id, or a look-alike object', async () => {
    const { tenant } = await createTenant(ctx, provider, { name: 'Victim', slug: `victim-${db.name}` });
    // What a JavaScript caller, or an `as never`, could still hand in.
    expect(() => store.tenant(tenant.id as never)).toThrow(TypeError);
    expect(() => store.tenant({ tenantId: tenant.id } as never)).toThrow(TypeError);
    expect(() => store.tenant(Object.create(TenantScope.prototype, { tenantId: { value: tenant.id } }) as never)).toThrow(TypeError);
    const num = await store.numbers.insert({ id: `num_${db.name}1`, number: db.name === 'sqlite' ? '+12125550101' : '+12125550102', createdAt: T0, updatedAt: T0 });
    await expect(store.numbers.assign(num.id, { tenantId: tenant.id } as never, T0)).rejects.toThrow(TypeError);
    expect((await store.numbers.get(num.id))?.tenantId).toBeNull();
  });

  it('comes from the access check only for a caller who may see the tenant, and says where it came from', async () => {
    const reseller = await createReseller(ctx, provider, { name: `R ${db.name}` });
    const other = await createReseller(ctx, provider, { name: `O ${db.name}` });
    const { tenant } = await createTenant(ctx, provider, { name: 'Sold', slug: `sold-${db.name}`, resellerId: reseller.id });
    const seller: Principal = { kind: 'reseller', resellerId: reseller.id, keyId: 'key_r', roleId: 'rol_resellerOwner', permissions: new Set() };
    const stranger: Principal = { kind: 'reseller', resellerId: other.id, keyId: 'key_o', roleId: 'rol_resellerOwner', permissions: new Set() };

    const access = await accessTenant(ctx, seller, tenant.id);
    expect(access.capability).toBeInstanceOf(TenantScope);
    expect(access.capability).toMatchObject({ tenantId: tenant.id, origin: 'access' });
    expect(access.scope.tenantId).toBe(tenant.id);
    await expect(accessTenant(ctx, stranger, tenant.id)).rejects.toBeInstanceOf(NotFound);
    expect(systemScope('sip edge', tenant.id).origin).toBe('system: sip edge');
  });
});
