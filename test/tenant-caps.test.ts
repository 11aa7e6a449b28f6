// Per-tenant caps on dial rules, ring groups and trunks (issue 8, finding 5): one tenant must not be
// able to make the SIP edge slow for every tenant by piling up objects the edge works through. The
// caps are limits like `extensions`: defaults at creation, set or raised by the provider or the
// tenant's reseller, never by the tenant, and refused on create with the same 422 limit_exceeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, PermissionDeniedError, UnprocessableEntityError, type Highrise } from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';

let testPlatform: TestPlatform | undefined;
let provider: Highrise;
let slugs = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('tenant-caps');
  provider = testPlatform.provider;
});

afterAll(async () => {
  await testPlatform?.close();
});

/** A tenant created by `seller` with the given limits, an extension 101, and its own admin. */
async function tenantWith(seller: Highrise, limits: { dialRules?: number; ringGroups?: number; trunks?: number }) {
  const { tenant, adminKey } = await seller.tenants.create({ name: 'Capped', slug: `capped-${++slugs}`, limits, admin: { email: 'a@capped.test', name: 'A' } });
  const admin = testPlatform!.client(adminKey!.secret).tenant(tenant.id);
  await admin.extensions.create({ number: '101', displayName: 'Front desk' });
  return { tenant, admin, asSeller: seller.tenant(tenant.id) };
}

async function expectLimitExceeded(promise: Promise<unknown>, limit: string, max: number) {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(UnprocessableEntityError);
  expect([error.status, error.code, error.message]).toEqual([422, 'limit_exceeded', `the tenant's ${limit} limit of ${max} is reached`]);
}

describe('per-tenant caps', () => {
  it('a new tenant gets default caps on dial rules, ring groups and trunks', async () => {
    const { tenant } = await provider.tenants.create({ name: 'Defaults', slug: `defaults-${++slugs}` });
    expect(tenant.limits).toMatchObject({ dialRules: 200, ringGroups: 50, trunks: 10 });
    expect((await provider.tenants.retrieve(tenant.id)).limits).toMatchObject({ dialRules: 200, ringGroups: 50, trunks: 10 });
  });

  it('refuses the dial rule past the cap with 422 limit_exceeded until the provider raises it', async () => {
    const { admin, asSeller } = await tenantWith(provider, { dialRules: 2 });
    await admin.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '101' } });
    await admin.dialRules.create({ pattern: '_6XX', action: { type: 'reject', status: 403 } });
    await expectLimitExceeded(admin.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403 } }), 'dialRules', 2);
    expect((await admin.dialRules.list()).data).toHaveLength(2);

    // The tenant cannot lift its own cap; whoever sells it can.
    expect(await failure(admin.update({ limits: { dialRules: 3 } }))).toBeInstanceOf(PermissionDeniedError);
    expect((await asSeller.update({ limits: { dialRules: 3 } })).limits.dialRules).toBe(3);
    await admin.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403 } });
    await expectLimitExceeded(admin.dialRules.create({ pattern: '_8XX', action: { type: 'reject', status: 403 } }), 'dialRules', 3);
  });

  it('counts a deleted rule out again', async () => {
    const { admin } = await tenantWith(provider, { dialRules: 1 });
    const rule = await admin.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '101' } });
    await expectLimitExceeded(admin.dialRules.create({ pattern: '_6XX', action: { type: 'reject', status: 403 } }), 'dialRules', 1);
    await admin.dialRules.delete(rule.id);
    await admin.dialRules.create({ pattern: '_6XX', action: { type: 'reject', status: 403 } });
  });

  it('refuses the ring group past the cap with 422 limit_exceeded', async () => {
    const { admin, asSeller } = await tenantWith(provider, { ringGroups: 1 });
    await admin.ringGroups.create({ number: '600', name: 'Sales', members: ['101'] });
    await expectLimitExceeded(admin.ringGroups.create({ number: '601', name: 'Support', members: ['101'] }), 'ringGroups', 1);
    await asSeller.update({ limits: { ringGroups: 2 } });
    await admin.ringGroups.create({ number: '601', name: 'Support', members: ['101'] });
  });

  it('refuses the trunk past the cap with 422 limit_exceeded', async () => {
    const { admin, asSeller } = await tenantWith(provider, { trunks: 1 });
    await admin.trunks.create({ name: 'Carrier A' });
    await expectLimitExceeded(admin.trunks.create({ name: 'Carrier B' }), 'trunks', 1);
    expect((await admin.trunks.list()).data).toHaveLength(1);
    await asSeller.update({ limits: { trunks: 2 } });
    await admin.trunks.create({ name: 'Carrier B' });
  });

  it('lets a reseller set and raise the caps of its own tenants', async () => {
    const reseller = await provider.resellers.create({ name: 'Caps Reseller' });
    const key = await provider.apiKeys.create({ name: 'seller', roleId: 'rol_resellerAdmin', resellerId: reseller.id });
    const { admin, asSeller } = await tenantWith(testPlatform!.client(key.secret), { trunks: 0 });
    await expectLimitExceeded(admin.trunks.create({ name: 'Carrier' }), 'trunks', 0);
    await asSeller.update({ limits: { trunks: 1 } });
    await admin.trunks.create({ name: 'Carrier' });
  });

  it('refuses a cap above the platform ceiling with 400 naming the field', async () => {
    const error = await failure(provider.tenants.create({ name: 'Greedy', slug: `greedy-${++slugs}`, limits: { dialRules: 2_001 } }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.details?.[0]?.field).toBe('limits.dialRules');
  });

  it('bounds the members of a ring group (50)', async () => {
    const { admin } = await tenantWith(provider, {});
    const members = Array.from({ length: 51 }, (_, i) => String(200 + i));
    const error = await failure(admin.ringGroups.create({ number: '600', name: 'Everyone', members }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.details?.[0]?.field).toBe('members');
  });
});
