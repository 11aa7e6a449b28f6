// The operator console's lists (issue 12), against the real platform through the real SDK:
// GET /v1/port-orders across the tenants a key may see (provider: all; reseller: its own; tenant
// admin: its own; end user: 403), and `order=desc` (newest first) on port orders, calls, audit
// events and webhook deliveries, paged across page boundaries in both orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '@highrise/platform';
import { ErrorBody, type Highrise, type PortOrderCreateParams } from '@highrise/sdk';
import { expectApiError, openPlatformStore, startTestPlatform, type TestPlatform, type TestTenant } from './support/platform';

let hp: TestPlatform;
let reseller: Highrise;
let acme: TestTenant;
let globex: TestTenant;
let resoldOne: TestTenant;
let resoldTwo: TestTenant;
let acmeUserKey: string;
/** Every order made below, by tenant id, in creation (id) order. */
const ordersOf = new Map<string, string[]>();
let cancelledId: string;

let serial = 0;
const orderParams = (): PortOrderCreateParams => ({
  numbers: [`+1646${String(5_000_001 + serial++ * 7).padStart(7, '0')}`],
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-1', pin: '1234' },
  authorisedPerson: { name: 'Ada Admin' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: '2030-01-15',
  defaultDestination: { type: 'extension', target: '101' },
});

const ids = (items: { id: string }[]) => items.map((i) => i.id);
const ascending = (list: string[]) => [...list].sort();
const idsOfTenants = (...tenants: TestTenant[]) => ascending(tenants.flatMap((t) => ordersOf.get(t.created.tenant.id) ?? []));
const tenantIdOf = (t: TestTenant) => t.created.tenant.id;

async function raw(path: string, key: string) {
  const response = await fetch(`${hp.platform.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  return { status: response.status, json: (await response.json()) as unknown };
}

beforeAll(async () => {
  hp = await startTestPlatform('ordered-lists', { webhooks: { allowPrivateDestinations: true } });
  const res = await hp.provider.resellers.create({ name: 'Lists Reseller' });
  reseller = hp.client((await hp.provider.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId: res.id })).secret);
  acme = await hp.createTenant('acme', 'Acme');
  globex = await hp.createTenant('globex', 'Globex');
  const resold = async (slug: string) => {
    const created = await reseller.tenants.create({ name: slug, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' } });
    return { created, admin: hp.client(created.adminKey!.secret) };
  };
  resoldOne = await resold('resold-one');
  resoldTwo = await resold('resold-two');
  // Orders made in an interleaved sequence, so no tenant's orders are one contiguous run of ids.
  const counts = new Map([[acme, 4], [globex, 3], [resoldOne, 3], [resoldTwo, 2]]);
  for (const t of counts.keys()) await hp.provider.tenant(tenantIdOf(t)).extensions.create({ number: '101', displayName: 'Desk' });
  for (let round = 0; round < 4; round++) {
    for (const [t, n] of counts) {
      if (round >= n) continue;
      const order = await t.admin.tenant(tenantIdOf(t)).portOrders.create(orderParams());
      ordersOf.set(tenantIdOf(t), [...(ordersOf.get(tenantIdOf(t)) ?? []), order.id]);
    }
  }
  cancelledId = ordersOf.get(tenantIdOf(resoldOne))![1]!;
  await reseller.tenant(tenantIdOf(resoldOne)).portOrders.cancel(cancelledId);
  acmeUserKey = (await acme.admin.tenant(tenantIdOf(acme)).apiKeys.create({ name: 'alice', extension: '101' })).secret;
});

afterAll(async () => {
  await hp?.close();
});

describe('GET /v1/port-orders', () => {
  it('gives the provider every tenant’s orders, paged across boundaries, oldest or newest first', async () => {
    const all = idsOfTenants(acme, globex, resoldOne, resoldTwo);
    expect(all).toHaveLength(12);
    expect(ids(await hp.provider.portOrders.list({ limit: 5 }).toArray())).toEqual(all);
    expect(ids(await hp.provider.portOrders.list({ limit: 5, order: 'desc' }).toArray())).toEqual([...all].reverse());
    // Page by page: the cursor of a newest-first page continues newest first, with nothing repeated or lost.
    const first = await hp.provider.portOrders.list({ limit: 4, order: 'desc' });
    expect(ids(first.data)).toEqual([...all].reverse().slice(0, 4));
    const second = await first.getNextPage();
    expect(ids(second.data)).toEqual([...all].reverse().slice(4, 8));
    const third = await second.getNextPage();
    expect(ids(third.data)).toEqual([...all].reverse().slice(8, 12));
    expect(third.nextCursor).toBeNull();
    // Each order says whose it is, and carries what the tenant's own list shows.
    const acmeOwn = await acme.admin.tenant(tenantIdOf(acme)).portOrders.list({ limit: 100 });
    const acrossAcme = (await hp.provider.portOrders.list({ limit: 100 })).data.filter((o) => o.tenantId === tenantIdOf(acme));
    expect(acrossAcme).toEqual(acmeOwn.data);
  });

  it('gives a reseller its own tenants’ orders only, in both orders across a page boundary', async () => {
    const own = idsOfTenants(resoldOne, resoldTwo);
    expect(own).toHaveLength(5);
    const asc = await reseller.portOrders.list({ limit: 2 }).toArray();
    expect(ids(asc)).toEqual(own);
    expect(new Set(asc.map((o) => o.tenantId))).toEqual(new Set([tenantIdOf(resoldOne), tenantIdOf(resoldTwo)]));
    expect(ids(await reseller.portOrders.list({ limit: 2, order: 'desc' }).toArray())).toEqual([...own].reverse());
    expect(ids(await reseller.portOrders.list({ tenantId: tenantIdOf(resoldTwo), order: 'desc' }).toArray())).toEqual(idsOfTenants(resoldTwo).reverse());
  });

  it('answers a tenantId the key may not see exactly as a missing tenant', async () => {
    const missing = 'ten_00000000000000000000000000';
    for (const [hr, key, foreign] of [
      [reseller, null, acme],
      [acme.admin, acme.created.adminKey!.secret, globex],
      [resoldOne.admin, resoldOne.created.adminKey!.secret, resoldTwo],
    ] as const) {
      const refused = await expectApiError(hr.portOrders.list({ tenantId: tenantIdOf(foreign) }));
      const absent = await expectApiError(hr.portOrders.list({ tenantId: missing }));
      expect(refused.status).toBe(404);
      expect(refused.code).toBe('not_found');
      expect(refused.message).toBe(absent.message);
      if (key) {
        const a = await raw(`/v1/port-orders?tenantId=${tenantIdOf(foreign)}`, key);
        const b = await raw(`/v1/port-orders?tenantId=${missing}`, key);
        const { requestId: _a, ...foreignBody } = ErrorBody.parse(a.json).error;
        const { requestId: _b, ...missingBody } = ErrorBody.parse(b.json).error;
        expect(foreignBody).toEqual(missingBody);
      }
    }
  });

  it('gives a tenant admin its own orders, and an end user 403', async () => {
    expect(ids(await acme.admin.portOrders.list({ limit: 3 }).toArray())).toEqual(idsOfTenants(acme));
    expect(ids(await acme.admin.portOrders.list({ limit: 3, order: 'desc' }).toArray())).toEqual(idsOfTenants(acme).reverse());
    expect(ids(await acme.admin.portOrders.list({ tenantId: tenantIdOf(acme) }).toArray())).toEqual(idsOfTenants(acme));
    const user = await expectApiError(hp.client(acmeUserKey).portOrders.list());
    expect(user.status).toBe(403);
    expect(user.code).toBe('permission_denied');
  });

  it('filters by status across tenants', async () => {
    expect(ids(await hp.provider.portOrders.list({ status: 'cancelled' }).toArray())).toEqual([cancelledId]);
    expect(ids(await reseller.portOrders.list({ status: 'draft', limit: 2, order: 'desc' }).toArray())).toEqual(
      idsOfTenants(resoldOne, resoldTwo).filter((id) => id !== cancelledId).reverse(),
    );
    expect(await acme.admin.portOrders.list({ status: 'cancelled' }).toArray()).toEqual([]);
  });

  it('refuses a bad order, status or tenant id with 400 naming the field', async () => {
    for (const [query, field] of [['order=sideways', 'order'], ['status=lost', 'status'], ['tenantId=acme', 'tenantId'], ['limit=0', 'limit']] as const) {
      const r = await raw(`/v1/port-orders?${query}`, hp.bootstrapKey);
      expect(r.status, query).toBe(400);
      const { error } = ErrorBody.parse(r.json);
      expect(error.code).toBe('validation_error');
      expect(error.details?.map((d) => d.field)).toContain(`query.${field}`);
    }
  });

  it('leaves out the orders of a deleted tenant', async () => {
    const doomed = await hp.createTenant('doomed', 'Doomed');
    await hp.provider.tenant(tenantIdOf(doomed)).extensions.create({ number: '101', displayName: 'Desk' });
    const order = await doomed.admin.tenant(tenantIdOf(doomed)).portOrders.create(orderParams());
    expect(ids(await hp.provider.portOrders.list({ limit: 100 }).toArray())).toContain(order.id);
    // A tenant with open orders cannot be deleted: the cancelled order stays with it until the purge.
    await hp.provider.tenant(tenantIdOf(doomed)).portOrders.cancel(order.id);
    await hp.provider.tenants.delete(tenantIdOf(doomed));
    expect(ids(await hp.provider.portOrders.list({ limit: 100 }).toArray())).not.toContain(order.id);
  });
});

describe('newest first (order=desc)', () => {
  /** Reads `list` whole in both orders with a small page, and checks one is the other reversed. */
  async function bothWays(read: (order: 'asc' | 'desc') => Promise<{ id: string }[]>, atLeast: number) {
    const asc = ids(await read('asc'));
    const desc = ids(await read('desc'));
    expect(asc.length).toBeGreaterThanOrEqual(atLeast);
    expect(asc).toEqual(ascending(asc));
    expect(new Set(asc).size).toBe(asc.length);
    expect(desc).toEqual([...asc].reverse());
    return { asc, desc };
  }

  it('reads call records newest first, page after page, with filters', async () => {
    const store = await openPlatformStore(hp);
    const tenantId = tenantIdOf(globex);
    try {
      for (let i = 0; i < 7; i++) {
        const at = new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString();
        await store.tenant(systemScope('test fixture', tenantId)).calls.insert({
          id: `cal_orderedlists${String(i).padStart(10, '0')}`,
          callId: `ordered-${i}`,
          from: '101',
          to: i % 2 === 0 ? '102' : '103',
          direction: 'internal',
          startedAt: at,
          answeredAt: at,
          endedAt: at,
          durationSeconds: 0,
          disposition: 'answered',
          sipStatus: 200,
        });
      }
    } finally {
      await store.close();
    }
    const calls = hp.provider.tenant(tenantId).calls;
    const { desc } = await bothWays((order) => calls.list({ limit: 3, order }).toArray(), 7);
    expect(desc[0]).toBe('cal_orderedlists0000000006');
    const to102 = await calls.list({ to: '102', limit: 2, order: 'desc' }).toArray();
    expect(ids(to102)).toEqual(['cal_orderedlists0000000006', 'cal_orderedlists0000000004', 'cal_orderedlists0000000002', 'cal_orderedlists0000000000']);
  });

  it('reads audit events newest first, a tenant’s and across a reseller’s tenants', async () => {
    await bothWays((order) => hp.provider.tenant(tenantIdOf(acme)).auditEvents.list({ limit: 2, order }).toArray(), 5);
    const { asc } = await bothWays((order) => reseller.auditEvents.list({ limit: 3, order }).toArray(), 8);
    const seen = await reseller.auditEvents.list({ limit: 100, order: 'desc' }).toArray();
    expect(seen.every((e) => e.tenantId === tenantIdOf(resoldOne) || e.tenantId === tenantIdOf(resoldTwo))).toBe(true);
    expect(seen).toHaveLength(asc.length);
    // The newest event is the last write: the cancellation of the reseller's order.
    expect(seen[0]!.action).toBe('port_order.cancelled');
  });

  it('reads an endpoint’s webhook deliveries newest first', async () => {
    const tenantId = tenantIdOf(globex);
    const scope = hp.provider.tenant(tenantId);
    // A closed loopback port: each delivery is attempted and fails, nothing leaves the machine.
    const endpoint = await scope.webhookEndpoints.create({ url: 'http://127.0.0.1:9/ordered', enabledEvents: ['extension.updated'] });
    const extension = (await scope.extensions.list().toArray()).find((e) => e.number === '101')!;
    for (let i = 0; i < 5; i++) await scope.extensions.update(extension.id, { displayName: `Desk ${i}` });
    await scope.webhookEndpoints.update(endpoint.id, { status: 'disabled' });
    const { asc } = await bothWays((order) => scope.webhookEndpoints.deliveries.list(endpoint.id, { limit: 2, order }).toArray(), 5);
    expect(asc).toHaveLength(5);
  });

  it('keeps oldest first without order, as before', async () => {
    const plain = ids(await hp.provider.auditEvents.list({ limit: 100 }).toArray({ limit: 300 }));
    expect(plain).toEqual(ascending(plain));
    const r = await raw(`/v1/tenants/${tenantIdOf(acme)}/calls?order=newest`, hp.bootstrapKey);
    expect(r.status).toBe(400);
    expect(ErrorBody.parse(r.json).error.details?.map((d) => d.field)).toContain('query.order');
  });
});
