import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { listCalls, recordCall, retrieveCall } from './calls';
import type { DomainContext } from './context';
import { NotFound } from './errors';
import { createExtension } from './extensions';
import type { Actor } from './principal';
import { accessTenant, createTenant, type TenantAccess } from './tenants';
import { auditKeyFrom } from './audit-key';

let ctx: DomainContext;
let acme: TenantAccess;
const provider = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null } as unknown as Actor;

const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second));
async function call(from: string, to: string, second: number) {
  return recordCall(ctx, {
    tenantId: acme.tenant.id,
    callId: `${from}-${to}-${second}`,
    from,
    to,
    direction: 'internal',
    startedAt: at(second),
    answeredAt: at(second + 1),
    endedAt: at(second + 31),
    disposition: 'answered',
    sipStatus: 200,
  });
}

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  acme = await accessTenant(ctx, provider.principal, (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id);
  for (const number of ['101', '102', '103']) await createExtension(ctx, provider, acme, { number, displayName: number });
});
afterEach(() => ctx.store.close());

describe('call records', () => {
  it('store the duration from answer to end', async () => {
    expect((await call('101', '102', 0))).toMatchObject({ durationSeconds: 30, answeredAt: at(1).toISOString(), endedAt: at(31).toISOString() });
  });

  it("show an end user only its own extension's calls, whatever it filters on", async () => {
    const mine = await call('101', '102', 0);
    const incoming = await call('103', '101', 1);
    const others = await call('102', '103', 2);
    const ext101 = (await acme.scope.extensions.getByNumber('101'))!;
    const asUser: TenantAccess = { ...acme, onlyExtensionId: ext101.id };
    const page = { limit: 10 };
    expect((await listCalls(asUser, page, {})).items.map((c) => c.id)).toEqual([mine.id, incoming.id]);
    expect((await listCalls(asUser, page, { extension: '102' })).items).toEqual([]);
    expect((await listCalls(asUser, page, { from: '102' })).items).toEqual([]);
    expect((await retrieveCall(asUser, incoming.id)).id).toBe(incoming.id);
    await expect(retrieveCall(asUser, others.id)).rejects.toThrow(NotFound);
    expect((await listCalls(acme, page, {})).items).toHaveLength(3);
  });

  it('show an end user whose extension is gone nothing at all', async () => {
    await call('101', '102', 0);
    const gone: TenantAccess = { ...acme, onlyExtensionId: 'ext_00000000000000000000000000' };
    expect((await listCalls(gone, { limit: 10 }, {})).items).toEqual([]);
  });
});
