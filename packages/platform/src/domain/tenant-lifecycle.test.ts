import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { auditKeyFrom } from './audit-key';
import type { DomainContext } from './context';
import type { Actor } from './principal';
import { deleteTenant, restoreTenant } from './tenant-lifecycle';
import { purgeDueTenants } from './tenant-purge';
import { accessTenant, createTenant } from './tenants';

const HOUR = 3_600_000;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_test' };
let clock: number;
let ctx: DomainContext;

beforeEach(async () => {
  clock = Date.parse('2026-12-01T00:00:00.000Z');
  ctx = {
    store: await openKyselyStore({ sqlite: { filename: ':memory:' } }),
    baseSipDomain: 'sip.example.test',
    auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'),
    now: () => new Date(clock),
    tenantRetentionDays: 1,
  };
});
afterEach(() => ctx.store.close());

async function deleted(slug: string) {
  const { tenant } = await createTenant(ctx, provider, { name: slug, slug });
  await deleteTenant(ctx, provider, await accessTenant(ctx, provider.principal, tenant.id));
  return tenant.id;
}

describe('the purge, on the context clock', () => {
  it('leaves a deleted tenant alone until its retention ends, then purges it once', async () => {
    const id = await deleted('acme');
    expect((await ctx.store.tenants.get(id))?.purgeAt).toBe('2026-12-02T00:00:00.000Z');
    clock += 24 * HOUR - 1;
    expect(await purgeDueTenants(ctx)).toEqual([]);
    expect(await ctx.store.tenants.get(id)).toBeDefined();
    clock += 1;
    expect(await purgeDueTenants(ctx)).toEqual([id]);
    expect(await ctx.store.tenants.get(id)).toBeUndefined();
    expect(await purgeDueTenants(ctx)).toEqual([]);
    // The tenant's chain goes on: its deletion and the purge are both in it.
    const actions = (await ctx.store.audit.listAcrossTenants({ limit: 10 }, { targetId: id })).items.map((e) => e.action);
    expect(actions).toEqual(['tenant.created', 'tenant.deleted', 'tenant.purged']);
  });

  it('never purges a tenant restored before its retention ended', async () => {
    const id = await deleted('globex');
    clock += 12 * HOUR;
    await restoreTenant(ctx, provider, await accessTenant(ctx, provider.principal, id));
    clock += 48 * HOUR;
    expect(await purgeDueTenants(ctx)).toEqual([]);
    expect((await ctx.store.tenants.get(id))?.status).toBe('active');
  });

  it('purges in batches until none is due', async () => {
    const ids = [];
    for (let i = 0; i < 60; i++) ids.push(await deleted(`t${i}`));
    clock += 25 * HOUR;
    expect((await purgeDueTenants(ctx)).sort()).toEqual(ids.sort());
    expect((await ctx.store.tenants.list({ limit: 100 }, { deleted: true })).items).toEqual([]);
  });
});
