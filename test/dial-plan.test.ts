// Dial rules, ring groups and trunks against the real platform through the SDK: ordering,
// pattern errors that point at the character, the same patterns in two tenants, the tenant-wide
// number namespace, and trunk credentials.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, DialRule, Highrise, NotFoundError, RingGroup, TrunkWithPassword, type TenantCreateResponse } from '@highrise/sdk';
import { expectApiError as failure, openPlatformStore, startTestPlatform, type TestPlatform } from './support/platform';
import { systemScope } from '@highrise/platform';

let testPlatform: TestPlatform | undefined;
let provider: Highrise;
let acme: TenantCreateResponse;
let globex: TenantCreateResponse;
let acmeAdmin: Highrise;
let globexAdmin: Highrise;

const acmeApi = () => acmeAdmin.tenant(acme.tenant.id);
const globexApi = () => globexAdmin.tenant(globex.tenant.id);

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

beforeAll(async () => {
  testPlatform = await startTestPlatform('dial-plan');
  ({ provider } = testPlatform);
  ({ created: acme, admin: acmeAdmin } = await testPlatform.createTenant('acme-plan', 'Acme', { email: 'a@acme.test', name: 'A' }));
  ({ created: globex, admin: globexAdmin } = await testPlatform.createTenant('globex-plan', 'Globex', { email: 'g@globex.test', name: 'G' }));
  for (const number of ['101', '102', '103']) {
    await acmeApi().extensions.create({ number, displayName: `Acme ${number}` });
    await globexApi().extensions.create({ number, displayName: `Globex ${number}` });
  }
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('dial rules', () => {
  it('keep an ordered list: appended by default, inserted at a position, moved, closed up on delete', async () => {
    const tenant = provider.tenant((await provider.tenants.create({ name: 'Order', slug: 'order-plan' })).tenant.id);
    await tenant.extensions.create({ number: '101', displayName: 'x' });
    const a = await tenant.dialRules.create({ pattern: '_1XX', action: { type: 'extension', target: '101' } });
    const b = await tenant.dialRules.create({ pattern: '_2XX', action: { type: 'reject', status: 404 } });
    const c = await tenant.dialRules.create({ pattern: '911', action: { type: 'reject', status: 503, reason: 'no emergency service' }, position: 0 });
    expect([a.position, b.position, c.position]).toEqual([0, 1, 0]);
    const order = async () => (await all(tenant.dialRules.list({ limit: 2 }))).map((r) => r.pattern);
    expect(await order()).toEqual(['911', '_1XX', '_2XX']);

    expect((await tenant.dialRules.update(c.id, { position: 2 })).position).toBe(2);
    expect(await order()).toEqual(['_1XX', '_2XX', '911']);
    expect((await tenant.dialRules.update(c.id, { position: 99 })).position).toBe(2);

    await tenant.dialRules.delete(a.id);
    const rest = await all(tenant.dialRules.list());
    expect(rest.map((r) => [r.pattern, r.position])).toEqual([
      ['_2XX', 0],
      ['911', 1],
    ]);
    expect(DialRule.parse(await tenant.dialRules.retrieve(c.id)).action).toEqual({ type: 'reject', status: 503, reason: 'no emergency service' });
  });

  it('answer an invalid pattern with a 400 that points at the character', async () => {
    const cases: [string, string][] = [
      ['_12]3', "unexpected ']' at 4"],
      ['_1[23', "unclosed '[' at 3"],
      ['_9.1', "unexpected '1' at 4"],
      ['1XX', "unexpected 'X' at 2"],
    ];
    for (const [pattern, issue] of cases) {
      const error = await failure(acmeApi().dialRules.create({ pattern, action: { type: 'reject', status: 403 } }));
      expect(error, pattern).toBeInstanceOf(BadRequestError);
      expect(error.code).toBe('validation_error');
      expect(error.message).toContain(`pattern: ${issue}`);
      expect(error.details).toEqual([{ field: 'pattern', issue: expect.stringMatching(new RegExp(`^${issue.replace(/[[\]().]/g, '\\$&')}`)) }]);
    }
    const rule = await acmeApi().dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403 } });
    const patch = await failure(acmeApi().dialRules.update(rule.id, { pattern: '_7X]' }));
    expect(patch.details?.[0]).toEqual({ field: 'pattern', issue: "unexpected ']' at 4" });
    await acmeApi().dialRules.delete(rule.id);
  });

  it('let two tenants hold the same pattern with different actions', async () => {
    const mine = await acmeApi().dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '102' } });
    const theirs = await globexApi().dialRules.create({ pattern: '_5XX', action: { type: 'reject', status: 486, reason: 'busy here' } });
    expect((await acmeApi().dialRules.retrieve(mine.id)).action).toEqual({ type: 'extension', target: '102' });
    expect((await globexApi().dialRules.retrieve(theirs.id)).action).toEqual({ type: 'reject', status: 486, reason: 'busy here' });
    expect((await all(globexApi().dialRules.list())).map((r) => r.id)).not.toContain(mine.id);
    expect((await failure(acmeApi().dialRules.retrieve(theirs.id))).status).toBe(404);
    expect((await failure(acmeApi().dialRules.update(theirs.id, { name: 'hijack' }))).status).toBe(404);
    expect((await failure(acmeApi().dialRules.delete(theirs.id))).status).toBe(404);
    expect((await globexApi().dialRules.retrieve(theirs.id)).name).toBe('_5XX');
  });

  it('refuse actions that point outside the tenant or out of range', async () => {
    const globexTrunk = await globexApi().trunks.create({ name: 'Globex carrier' });
    const foreignTrunk = await failure(acmeApi().dialRules.create({ pattern: '_9.', action: { type: 'trunk', trunkId: globexTrunk.id } }));
    expect(foreignTrunk.details).toEqual([{ field: 'action.trunkId', issue: 'no such trunk in this tenant' }]);
    const noExtension = await failure(acmeApi().dialRules.create({ pattern: '_9.', action: { type: 'extension', target: '999' } }));
    expect(noExtension.details).toEqual([{ field: 'action.target', issue: 'no extension 999 in this tenant' }]);
    const status = await failure(acmeApi().dialRules.create({ pattern: '_9.', action: { type: 'reject', status: 200 } }));
    expect(status.details?.[0]?.field).toBe('action.status');
    const digits = await failure(acmeApi().dialRules.create({ pattern: '_9.', action: { type: 'trunk', trunkId: globexTrunk.id, prepend: '00;x' } }));
    expect(digits.details?.map((d) => d.field)).toContain('action.prepend');
  });
});

describe('ring groups', () => {
  it('ring extensions of the same tenant, with their strategy and timeout', async () => {
    const group = await acmeApi().ringGroups.create({ number: '600', name: 'Sales', strategy: 'sequential', memberTimeoutSeconds: 15, members: ['101', '102'] });
    expect(RingGroup.parse(group)).toMatchObject({ number: '600', strategy: 'sequential', memberTimeoutSeconds: 15, members: ['101', '102'] });
    const updated = await acmeApi().ringGroups.update(group.id, { members: ['103', '101'], strategy: 'simultaneous' });
    expect(updated).toMatchObject({ members: ['103', '101'], strategy: 'simultaneous', memberTimeoutSeconds: 15 });
    // The same number in another tenant is that tenant's own business.
    expect((await globexApi().ringGroups.create({ number: '600', name: 'Globex front', members: ['103'] })).memberTimeoutSeconds).toBe(20);
  });

  it('refuse an unknown member with a 400 naming it', async () => {
    const error = await failure(acmeApi().ringGroups.create({ number: '601', name: 'x', members: ['101', '199'] }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.details).toEqual([{ field: 'members.1', issue: 'no extension 199 in this tenant' }]);
    const dup = await failure(acmeApi().ringGroups.create({ number: '601', name: 'x', members: ['101', '101'] }));
    expect(dup.details?.[0]?.field).toBe('members');
  });

  it('share one number namespace with extensions inside a tenant', async () => {
    const clash = await failure(acmeApi().ringGroups.create({ number: '101', name: 'Clash', members: ['102'] }));
    expect(clash).toBeInstanceOf(ConflictError);
    expect(clash.code).toBe('extension_exists');
    await acmeApi().ringGroups.create({ number: '610', name: 'Support', members: ['102'] });
    const ext = await failure(acmeApi().extensions.create({ number: '610', displayName: 'Clash' }));
    expect(ext.code).toBe('extension_exists');
  });

  it('are invisible to another tenant', async () => {
    const group = await globexApi().ringGroups.create({ number: '620', name: 'Private', members: ['101'] });
    expect((await failure(acmeApi().ringGroups.retrieve(group.id))).code).toBe('not_found');
    expect((await failure(acmeApi().ringGroups.delete(group.id))).status).toBe(404);
    expect((await failure(acmeAdmin.tenant(globex.tenant.id).ringGroups.list())).status).toBe(404);
  });
});

describe('trunks', () => {
  it('get digest credentials in the tenant realm, with the password shown once and only HA1 kept', async () => {
    const trunk = TrunkWithPassword.parse(await acmeApi().trunks.create({ name: 'Carrier A' }));
    expect(trunk.username).toMatch(/^trunk-[0-9a-z]{12}$/);
    expect(trunk.realm).toBe(acme.tenant.sipDomain);
    expect(trunk.password.length).toBeGreaterThanOrEqual(20);
    expect(await acmeApi().trunks.retrieve(trunk.id)).not.toHaveProperty('password');

    const store = await openPlatformStore(testPlatform!);
    try {
      const row = (await store.tenant(systemScope('test fixture', acme.tenant.id)).trunks.get(trunk.id))!;
      expect(row.ha1).toBe(createHash('md5').update(`${trunk.username}:${trunk.realm}:${trunk.password}`).digest('hex'));
    } finally {
      await store.close();
    }
    const rotated = await acmeApi().trunks.update(trunk.id, { rotatePassword: true });
    expect(rotated.password).toBeDefined();
    expect(rotated.password).not.toBe(trunk.password);
  });

  it('present only a caller id the tenant holds', async () => {
    await provider.numbers.create({ number: '+1 212 555 0150' });
    await provider.numbers.create({ number: '+1 212 555 0151' });
    await provider.tenant(acme.tenant.id).numbers.assign({ number: '+12125550150' });
    await provider.tenant(globex.tenant.id).numbers.assign({ number: '+12125550151' });

    const trunk = await acmeApi().trunks.create({ name: 'Carrier B', callerId: '+1 (212) 555-0150' });
    expect(trunk.callerId).toBe('+12125550150');
    const foreign = await failure(acmeApi().trunks.update(trunk.id, { callerId: '+12125550151' }));
    expect(foreign.details).toEqual([{ field: 'callerId', issue: 'must be a number this tenant holds' }]);
    expect((await acmeApi().trunks.update(trunk.id, { callerId: null })).callerId).toBeNull();
  });

  it('are per tenant: another tenant sees none of them', async () => {
    const trunk = await acmeApi().trunks.create({ name: 'Carrier C' });
    expect((await all(globexApi().trunks.list())).map((t) => t.id)).not.toContain(trunk.id);
    expect(await failure(globexApi().trunks.retrieve(trunk.id))).toBeInstanceOf(NotFoundError);
    await acmeApi().trunks.delete(trunk.id);
    expect((await failure(acmeApi().trunks.retrieve(trunk.id))).status).toBe(404);
  });
});
