// The resolver against a real SQLite store, everything created through the domain functions the
// HTTP routes use, so what is tested is what a tenant admin can actually configure.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../../store/kysely/index';
import type { DomainContext } from '../context';
import { createDialRule, updateDialRule } from '../dial-rules';
import { createExtension, deleteExtension } from '../extensions';
import { addInventoryNumber, assignNumber, releaseNumber, routeNumber } from '../numbers';
import type { Actor } from '../principal';
import { createRingGroup } from '../ring-groups';
import { accessTenant, createTenant, type TenantAccess } from '../tenants';
import { createTrunk } from '../trunks';
import { loadDialView, resolveDial, resolveInboundDid } from './resolve';
import { SipDirectoryCache } from '../sip-directory-cache';
import { auditKeyFrom } from '../audit-key';

let ctx: DomainContext;
let acme: TenantAccess;
let globex: TenantAccess;
const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_1' };

const tenant = async (slug: string) => accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: slug, slug })).tenant.id);
const extensions = async (access: TenantAccess, ...numbers: string[]) => {
  for (const number of numbers) await createExtension(ctx, provider, access, { number, displayName: `${access.tenant.slug} ${number}` });
};
/** A carrier's call to `number`, answered as the edge answers it: from the directory as it is now. */
async function inbound(number: string) {
  const cache = new SipDirectoryCache(ctx.store);
  await cache.start();
  cache.stop();
  return resolveInboundDid((e164) => cache.didOwner(e164), number);
}
async function did(access: TenantAccess, number: string) {
  await addInventoryNumber(ctx, provider, { number });
  return assignNumber(ctx, provider, access, { number });
}

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  acme = await tenant('acme');
  globex = await tenant('globex');
  await extensions(acme, '101', '102', '103');
  await extensions(globex, '101', '201');
});
afterEach(() => ctx.store.close());

describe('resolveDial', () => {
  it('finds an extension of the caller tenant only', async () => {
    expect(resolveDial(await loadDialView(acme.scope), '102')).toEqual({ kind: 'extension', number: '102' });
    expect(resolveDial(await loadDialView(acme.scope), '201')).toEqual({ kind: 'not_found' });
    expect(resolveDial(await loadDialView(globex.scope), '201')).toEqual({ kind: 'extension', number: '201' });
  });

  it('gives two tenants with the same pattern their own, different actions', async () => {
    await createDialRule(ctx, provider, acme, { pattern: '_8XX', action: { type: 'extension', target: '103' } });
    await createDialRule(ctx, provider, globex, { pattern: '_8XX', action: { type: 'reject', status: 486, reason: 'globex is busy' } });
    expect(resolveDial(await loadDialView(acme.scope), '800')).toEqual({ kind: 'extension', number: '103' });
    expect(resolveDial(await loadDialView(globex.scope), '800')).toEqual({ kind: 'reject', status: 486, reason: 'globex is busy' });
  });

  it('takes the first matching rule by position, and a moved rule changes the answer', async () => {
    await createDialRule(ctx, provider, acme, { pattern: '_1XX', action: { type: 'reject', status: 403, reason: 'general' } });
    const specific = await createDialRule(ctx, provider, acme, { pattern: '_10X', action: { type: 'reject', status: 404, reason: 'specific' } });
    expect(resolveDial(await loadDialView(acme.scope), '105')).toMatchObject({ status: 403 });
    await updateDialRule(ctx, provider, acme, specific.id, { position: 0 });
    expect(resolveDial(await loadDialView(acme.scope), '105')).toMatchObject({ status: 404 });
    expect(resolveDial(await loadDialView(acme.scope), '150')).toMatchObject({ status: 403 });
  });

  it('lets a dial rule shadow an extension, because rules come first', async () => {
    expect(resolveDial(await loadDialView(acme.scope), '101')).toEqual({ kind: 'extension', number: '101' });
    await createDialRule(ctx, provider, acme, { pattern: '101', action: { type: 'extension', target: '102' } });
    expect(resolveDial(await loadDialView(acme.scope), '101')).toEqual({ kind: 'extension', number: '102' });
  });

  it('rings a ring group with its strategy and timeout, skipping members deleted since', async () => {
    await createRingGroup(ctx, provider, acme, { number: '600', name: 'Sales', strategy: 'sequential', memberTimeoutSeconds: 15, members: ['101', '102', '103'] });
    const ext102 = (await acme.scope.extensions.getByNumber('102'))!;
    await deleteExtension(ctx, provider, acme, ext102.id);
    expect(resolveDial(await loadDialView(acme.scope), '600')).toEqual({ kind: 'ring_group', number: '600', members: ['101', '103'], strategy: 'sequential', timeout: 15 });
    expect(resolveDial(await loadDialView(globex.scope), '600')).toEqual({ kind: 'not_found' });
  });

  it('routes a dialled DID of the tenant per its destination, and never another tenant’s DID', async () => {
    const acmeDid = await did(acme, '+14155550100');
    await routeNumber(ctx, provider, acme, acmeDid.id, { routing: { type: 'extension', target: '103' } });
    expect(resolveDial(await loadDialView(acme.scope), '+14155550100')).toEqual({ kind: 'extension', number: '103' });
    expect(resolveDial(await loadDialView(acme.scope), '14155550100')).toEqual({ kind: 'extension', number: '103' });
    expect(resolveDial(await loadDialView(globex.scope), '+14155550100')).toEqual({ kind: 'not_found' });
  });

  describe('trunk actions', () => {
    it('strip and prepend digits, and present the DID routed to the calling extension', async () => {
      const acmeDid = await did(acme, '+14155550100');
      await routeNumber(ctx, provider, acme, acmeDid.id, { routing: { type: 'extension', target: '101' } });
      const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier' });
      await createDialRule(ctx, provider, acme, { pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
      expect(resolveDial(await loadDialView(acme.scope), '94155550199', { extension: '101' })).toEqual({
        kind: 'trunk',
        trunkId: trunk.id,
        dialString: '+14155550199',
        callerId: '+14155550100',
      });
    });

    it("fall back to the trunk's default caller id, and refuse when the tenant holds nothing to present", async () => {
      const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier' });
      await createDialRule(ctx, provider, acme, { pattern: '_9.', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1 } });
      expect(resolveDial(await loadDialView(acme.scope), '912125550100', { extension: '102' })).toEqual({
        kind: 'reject',
        status: 403,
        reason: 'no caller id: the tenant holds no number to present',
      });
      await did(acme, '+14155550111');
      const withDefault = await createTrunk(ctx, provider, acme, { name: 'Second', callerId: '+1 415 555 0111' });
      await createDialRule(ctx, provider, acme, { pattern: '_8.', action: { type: 'trunk', trunkId: withDefault.trunk.id } });
      expect(resolveDial(await loadDialView(acme.scope), '812125550100', { extension: '102' })).toMatchObject({ kind: 'trunk', callerId: '+14155550111', dialString: '812125550100' });
    });

    it('present an asked-for caller id only when the tenant holds it, and never one of another tenant', async () => {
      await did(acme, '+14155550100');
      const globexDid = await did(globex, '+14155550200');
      const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier' });
      await createDialRule(ctx, provider, acme, { pattern: '_9.', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1 } });
      expect(resolveDial(await loadDialView(acme.scope), '9123', { extension: '101', callerId: '+14155550100' })).toMatchObject({ kind: 'trunk', callerId: '+14155550100' });
      expect(resolveDial(await loadDialView(acme.scope), '9123', { extension: '101', callerId: globexDid.number })).toEqual({
        kind: 'reject',
        status: 403,
        reason: 'caller id is not a number this tenant holds',
      });
    });

    it('stop presenting a number once it is released, even as the trunk default', async () => {
      const acmeDid = await did(acme, '+14155550111');
      const { trunk } = await createTrunk(ctx, provider, acme, { name: 'Carrier', callerId: '+14155550111' });
      await createDialRule(ctx, provider, acme, { pattern: '_9.', action: { type: 'trunk', trunkId: trunk.id } });
      expect(resolveDial(await loadDialView(acme.scope), '9123')).toMatchObject({ kind: 'trunk' });
      await releaseNumber(ctx, provider, acme, acmeDid.id);
      expect(resolveDial(await loadDialView(acme.scope), '9123')).toMatchObject({ kind: 'reject', status: 403 });
    });
  });
});

describe('resolveInboundDid', () => {
  it('finds the owning tenant and routes by its destination', async () => {
    const acmeDid = await did(acme, '+14155550100');
    await createRingGroup(ctx, provider, acme, { number: '600', name: 'Front', strategy: 'simultaneous', memberTimeoutSeconds: 20, members: ['101', '102'] });
    await routeNumber(ctx, provider, acme, acmeDid.id, { routing: { type: 'ring_group', target: '600' } });
    expect(await inbound('+14155550100')).toEqual({
      tenantId: acme.tenant.id,
      numberId: acmeDid.id,
      number: '+14155550100',
      destination: { kind: 'ring_group', number: '600', members: ['101', '102'], strategy: 'simultaneous', timeout: 20 },
    });
  });

  it('routes through a dial rule, with the same pattern meaning different things per tenant', async () => {
    const rule = await createDialRule(ctx, provider, globex, { pattern: '_+1.', action: { type: 'reject', status: 603, reason: 'closed' } });
    const globexDid = await did(globex, '+14155550200');
    await routeNumber(ctx, provider, globex, globexDid.id, { routing: { type: 'dial_rule', target: rule.id } });
    expect((await inbound('+14155550200'))?.destination).toEqual({ kind: 'reject', status: 603, reason: 'closed' });
  });

  it('answers undefined for a number in inventory or unknown, and not_found for an unrouted one', async () => {
    await addInventoryNumber(ctx, provider, { number: '+14155550300' });
    expect(await inbound('+14155550300')).toBeUndefined();
    expect(await inbound('+14155550999')).toBeUndefined();
    expect(await inbound('not-a-number')).toBeUndefined();
    await did(acme, '+14155550100');
    expect(await inbound('+14155550100')).toMatchObject({ tenantId: acme.tenant.id, destination: { kind: 'not_found' } });
  });

  it('follows a number to its new tenant after release and reassignment', async () => {
    const first = await did(acme, '+14155550100');
    await routeNumber(ctx, provider, acme, first.id, { routing: { type: 'extension', target: '101' } });
    await releaseNumber(ctx, provider, acme, first.id);
    expect(await inbound('+14155550100')).toBeUndefined();
    await assignNumber(ctx, provider, globex, { number: '+14155550100' });
    expect(await inbound('+14155550100')).toMatchObject({ tenantId: globex.tenant.id, destination: { kind: 'not_found' } });
  });
});
