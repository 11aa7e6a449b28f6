// Every mutation of numbers, dial rules, ring groups and trunks leaves an audit event, in the same
// transaction: a mutation that fails leaves none.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openKyselyStore } from '../../store/kysely/index';
import type { DomainContext } from '../context';
import { createDialRule, deleteDialRule, updateDialRule } from '../dial-rules';
import { createExtension } from '../extensions';
import { addInventoryNumber, assignNumber, deleteInventoryNumber, releaseNumber, routeNumber } from '../numbers';
import type { Actor } from '../principal';
import { createRingGroup, deleteRingGroup, updateRingGroup } from '../ring-groups';
import { accessTenant, createTenant, type TenantAccess } from '../tenants';
import { createTrunk, deleteTrunk, updateTrunk } from '../trunks';
import { auditKeyFrom } from '../audit-key';

let ctx: DomainContext;
let acme: TenantAccess;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_1' };

const actions = async () => (await acme.scope.auditEvents.list({ limit: 100 })).items.map((e) => e.action);

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id);
  await createExtension(ctx, provider, acme, { number: '101', displayName: 'A' });
});
afterEach(() => ctx.store.close());

it('records each mutation of the dial plan in the tenant audit log', async () => {
  const inventory = await addInventoryNumber(ctx, provider, { number: '+1 415 555 0100' });
  const did = await assignNumber(ctx, provider, acme, { number: '+14155550100' });
  await routeNumber(ctx, provider, acme, did.id, { routing: { type: 'extension', target: '101' } });
  const rule = await createDialRule(ctx, provider, acme, { pattern: '_1XX', action: { type: 'extension', target: '101' } });
  await updateDialRule(ctx, provider, acme, rule.id, { name: 'internal' });
  const group = await createRingGroup(ctx, provider, acme, { number: '600', name: 'G', strategy: 'simultaneous', memberTimeoutSeconds: 20, members: ['101'] });
  await updateRingGroup(ctx, provider, acme, group.id, { name: 'H' });
  const { trunk } = await createTrunk(ctx, provider, acme, { name: 'T' });
  await updateTrunk(ctx, provider, acme, trunk.id, { rotatePassword: true });
  await deleteTrunk(ctx, provider, acme, trunk.id);
  await deleteRingGroup(ctx, provider, acme, group.id);
  await deleteDialRule(ctx, provider, acme, rule.id);
  await releaseNumber(ctx, provider, acme, did.id);
  await deleteInventoryNumber(ctx, provider, inventory.id);

  expect((await actions()).filter((a) => !a.startsWith('tenant.') && !a.startsWith('extension.') && !a.startsWith('api_key.'))).toEqual([
    'number.assigned',
    'number.routed',
    'dial_rule.created',
    'dial_rule.updated',
    'ring_group.created',
    'ring_group.updated',
    'trunk.created',
    'trunk.updated',
    'trunk.deleted',
    'ring_group.deleted',
    'dial_rule.deleted',
    'number.released',
  ]);
});

it('writes no audit event and changes nothing when a mutation is refused', async () => {
  const before = await actions();
  await expect(createRingGroup(ctx, provider, acme, { number: '600', name: 'G', strategy: 'simultaneous', memberTimeoutSeconds: 20, members: ['101', '199'] })).rejects.toThrow(
    /members\.1/,
  );
  await expect(createDialRule(ctx, provider, acme, { pattern: '_1X]', action: { type: 'extension', target: '101' } })).rejects.toThrow(/unexpected '\]' at 4/);
  expect((await actions())).toEqual(before);
  expect((await acme.scope.ringGroups.getByNumber('600'))).toBeUndefined();
  expect((await acme.scope.dialRules.count())).toBe(0);
});
