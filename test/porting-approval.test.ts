// Porting without a carrier, the production default: submitted orders wait in in_review until the
// provider or the tenant's own reseller approves, rejects or completes them; the tenant itself and
// every other reseller cannot. Numbers are held from submit on, never by a draft, and a refusal
// names nobody else's order. Each tenant has a cap on open port orders. Real platform, real SDK.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarrierOrder, PortingCarrier } from '@highrise/platform';
import { Highrise, PortOrder, verifyWebhook, type PortOrderCreateParams, type PortOrderStatus } from '@highrise/sdk';
import { expectApiError, startTestPlatform, type TestPlatform, type TestTenant } from './support/platform';

const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const today = () => new Date().toISOString().slice(0, 10);
const MISSING_TENANT = 'ten_00000000000000000000000000';

let serial = 0;
/** Fresh valid New York numbers, distinct from porting.test.ts's (+1 646 3…). */
const freshNumbers = (count: number) => Array.from({ length: count }, () => `+1646${String(7_000_001 + serial++ * 7).padStart(7, '0')}`);

const orderParams = (numbers: string[], extra: Partial<PortOrderCreateParams> = {}): PortOrderCreateParams => ({
  numbers,
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-11223344', pin: '4321' },
  authorisedPerson: { name: 'Ada Admin' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: today(),
  defaultDestination: { type: 'extension', target: '101' },
  ...extra,
});

let hr: TestPlatform;
/** Sold by `reseller`. */
let acme: TestTenant;
/** Sold by `otherReseller`. */
let globex: TestTenant;
/** The provider's own tenant (no reseller), with a small cap on open port orders. */
let capped: TestTenant;
let reseller: Highrise;
let otherReseller: Highrise;

async function submitted(admin: Highrise, tenantId: string, numbers: string[]): Promise<PortOrder> {
  const porting = admin.tenant(tenantId).portOrders;
  const order = await porting.create(orderParams(numbers));
  await porting.documents.upload(order.id, { kind: 'loa', data: PDF, contentType: 'application/pdf' });
  await porting.documents.upload(order.id, { kind: 'bill', data: PNG, contentType: 'image/png' });
  return porting.submit(order.id);
}

async function waitForStatus(client: Highrise, tenantId: string, orderId: string, wanted: PortOrderStatus): Promise<PortOrder> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const order = await client.tenant(tenantId).portOrders.retrieve(orderId);
    if (order.status === wanted) return order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is ${order.status}, waited for ${wanted}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const heldBy = async (client: Highrise, tenantId: string) => {
  const out: string[] = [];
  for await (const n of client.tenant(tenantId).numbers.list({ limit: 100 })) out.push(n.number);
  return out;
};

beforeAll(async () => {
  // No carrier: a step time alone must not turn the simulated carrier on.
  // The webhook test's receiver listens on loopback.
  hr = await startTestPlatform('porting-approval', { porting: { tickMs: 20, stepSeconds: 0.05 }, webhooks: { allowPrivateDestinations: true } });
  const sells = await hr.provider.resellers.create({ name: 'Sells Acme' });
  const sellsOther = await hr.provider.resellers.create({ name: 'Sells Globex' });
  const resellerKey = async (resellerId: string) => (await hr.provider.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId })).secret;
  reseller = hr.client(await resellerKey(sells.id));
  otherReseller = hr.client(await resellerKey(sellsOther.id));
  const tenant = async (slug: string, resellerId?: string, limits?: { openPortOrders: number }) => {
    const created = await hr.provider.tenants.create({ name: slug, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' }, ...(resellerId ? { resellerId } : {}), ...(limits ? { limits } : {}) });
    await hr.provider.tenant(created.tenant.id).extensions.create({ number: '101', displayName: `${slug} 101` });
    return { created, admin: hr.client(created.adminKey!.secret) };
  };
  acme = await tenant('acme-approval', sells.id);
  globex = await tenant('globex-approval', sellsOther.id);
  capped = await tenant('capped-approval', undefined, { openPortOrders: 2 });
});

afterAll(async () => {
  await hr?.close();
});

describe('without a carrier', () => {
  it('leaves a submitted order in in_review, numbers untouched, however long it waits', async () => {
    const numbers = freshNumbers(2);
    const order = await submitted(acme.admin, acme.created.tenant.id, numbers);
    await waitForStatus(acme.admin, acme.created.tenant.id, order.id, 'in_review');
    // 50 ticks, and 20 times what the simulated carrier at this step time needs to complete an order.
    await new Promise((r) => setTimeout(r, 1000));
    const waiting = await acme.admin.tenant(acme.created.tenant.id).portOrders.retrieve(order.id);
    expect(waiting).toMatchObject({ status: 'in_review', focDate: null, completedAt: null });
    expect(await heldBy(hr.provider, acme.created.tenant.id)).toEqual([]);
    expect(waiting.allowedActions).toEqual(['cancel', 'schedule_foc', 'raise_exception', 'approve', 'reject']);
    const timeline = (await acme.admin.tenant(acme.created.tenant.id).portOrders.timeline(order.id)).data;
    expect(timeline.map((e) => [e.action, e.to, e.actor.type])).toEqual([
      ['create', 'draft', 'api_key'],
      ['submit', 'submitted', 'api_key'],
      ['review', 'in_review', 'system'],
    ]);
  });

  it('refuses approve, reject and complete to the tenant itself (403), even its owner key', async () => {
    const order = await submitted(acme.admin, acme.created.tenant.id, freshNumbers(1));
    await waitForStatus(acme.admin, acme.created.tenant.id, order.id, 'in_review');
    const own = acme.admin.tenant(acme.created.tenant.id).portOrders;
    for (const attempt of [() => own.approve(order.id, { focDate: today() }), () => own.reject(order.id, { message: 'self' }), () => own.complete(order.id)]) {
      const error = await expectApiError(attempt());
      expect([error.status, error.code]).toEqual([403, 'permission_denied']);
    }
    // A tenant role cannot be given the permission either.
    const role = await expectApiError(acme.admin.tenant(acme.created.tenant.id).roles.create({ name: 'self-approver', permissions: ['porting:approve'] }));
    expect(role.status).toBe(400);
    expect((await own.retrieve(order.id)).status).toBe('in_review');
  });

  it("keeps another tenant's reseller out: 404 exactly like a missing tenant", async () => {
    const order = await submitted(acme.admin, acme.created.tenant.id, freshNumbers(1));
    await waitForStatus(acme.admin, acme.created.tenant.id, order.id, 'in_review');
    const foreign = await expectApiError(otherReseller.tenant(acme.created.tenant.id).portOrders.approve(order.id, { focDate: today() }));
    const missing = await expectApiError(otherReseller.tenant(MISSING_TENANT).portOrders.approve(order.id, { focDate: today() }));
    expect([foreign.status, foreign.code, foreign.message]).toEqual([404, 'not_found', missing.message]);
    const complete = await expectApiError(otherReseller.tenant(acme.created.tenant.id).portOrders.complete(order.id));
    expect(complete.status).toBe(404);
    expect((await acme.admin.tenant(acme.created.tenant.id).portOrders.retrieve(order.id)).status).toBe('in_review');
  });

  it("lets the tenant's own reseller reject with a reason the tenant sees; the tenant fixes and resubmits", async () => {
    const porting = acme.admin.tenant(acme.created.tenant.id).portOrders;
    const [number] = freshNumbers(1) as [string];
    const order = await submitted(acme.admin, acme.created.tenant.id, [number]);
    await waitForStatus(acme.admin, acme.created.tenant.id, order.id, 'in_review');
    const rejected = await reseller.tenant(acme.created.tenant.id).portOrders.reject(order.id, { message: 'the letter of authorisation is not signed' });
    expect(rejected).toMatchObject({ status: 'exception', exception: { reason: 'ownership_not_verified', message: 'the letter of authorisation is not signed' } });
    // An order in exception holds nothing: another tenant may submit the number meanwhile.
    const elsewhere = await submitted(globex.admin, globex.created.tenant.id, [number]);
    expect(elsewhere.status).toBe('submitted');
    // Out of the way again. Not by a cancel: the automation may already have moved it to in_review,
    // where only a reviewer can stop it.
    await waitForStatus(globex.admin, globex.created.tenant.id, elsewhere.id, 'in_review');
    await hr.provider.tenant(globex.created.tenant.id).portOrders.reject(elsewhere.id, { message: 'not this one' });
    await porting.update(order.id, { authorisedPerson: { name: 'Ada Admin', title: 'Owner' } });
    expect((await porting.submit(order.id)).exception).toBeNull();
    const again = await waitForStatus(acme.admin, acme.created.tenant.id, order.id, 'in_review');
    const approved = await reseller.tenant(acme.created.tenant.id).portOrders.approve(again.id, { focDate: today() });
    expect(approved.status).toBe('foc_scheduled');
    const timeline = (await porting.timeline(order.id)).data;
    expect(timeline.find((e) => e.action === 'reject')).toMatchObject({ from: 'in_review', to: 'exception', reason: 'ownership_not_verified', actor: { type: 'api_key', principal: 'reseller' } });
  });

  it('lets the provider approve with a FOC date and complete: the numbers land in the tenant, with audit and webhook events', { timeout: 20_000 }, async () => {
    const received: { body: string; signature: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['highrise-signature']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const tenantId = acme.created.tenant.id;
      const endpoint = await acme.admin.tenant(tenantId).webhookEndpoints.create({
        url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`,
        enabledEvents: ['port_order.completed'],
      });
      const numbers = freshNumbers(3);
      const order = await submitted(acme.admin, tenantId, numbers);
      await waitForStatus(acme.admin, tenantId, order.id, 'in_review');
      const review = hr.provider.tenant(tenantId).portOrders;

      const early = await expectApiError(review.complete(order.id));
      expect([early.status, early.code]).toEqual([422, 'invalid_state']);
      const past = await expectApiError(review.approve(order.id, { focDate: '2020-01-01' }));
      expect([past.status, past.code, past.details[0]?.field]).toEqual([400, 'validation_error', 'focDate']);

      expect(await review.approve(order.id, { focDate: today() })).toMatchObject({ status: 'foc_scheduled', focDate: today() });
      const done = await review.complete(order.id);
      expect(done).toMatchObject({ status: 'completed', focDate: today(), allowedActions: [] });

      const held = [];
      for await (const n of acme.admin.tenant(tenantId).numbers.list({ limit: 100 })) if (numbers.includes(n.number)) held.push(n);
      expect(held.map((n) => n.number).sort()).toEqual([...numbers].sort());
      for (const n of held) expect(n).toMatchObject({ tenantId, routing: { type: 'extension', target: '101' } });

      const timeline = (await acme.admin.tenant(tenantId).portOrders.timeline(order.id)).data;
      expect(timeline.map((e) => [e.action, e.to, e.actor.principal])).toEqual([
        ['create', 'draft', 'tenant'],
        ['submit', 'submitted', 'tenant'],
        ['review', 'in_review', null],
        ['approve', 'foc_scheduled', 'provider'],
        ['complete', 'completed', 'provider'],
      ]);
      const audit = (await acme.admin.tenant(tenantId).auditEvents.list({ targetId: order.id, limit: 100 })).data;
      const byAction = new Map(audit.map((e) => [e.action, e]));
      expect(byAction.get('port_order.approved')?.actor).toMatchObject({ keyId: expect.stringMatching(/^key_/), principal: 'provider' });
      expect(byAction.get('port_order.completed')?.actor.principal).toBe('provider');
      expect((await acme.admin.tenant(tenantId).auditEvents.verify()).ok).toBe(true);

      const deadline = Date.now() + 15_000;
      const completedEvent = () => received.find((r) => r.body.includes('port_order.completed') && r.body.includes(order.id));
      while (!completedEvent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const event = await verifyWebhook(completedEvent()!.body, completedEvent()!.signature, endpoint.secret!, { toleranceSeconds: 300 });
      expect(PortOrder.parse(event.data)).toMatchObject({ id: order.id, status: 'completed' });
    } finally {
      receiver.close();
    }
  });
});

describe('numbers are held from submit, not by drafts', () => {
  it('lets tenant B port a number tenant A only has in a draft, and refuses A afterwards without naming B', async () => {
    const [contested, inventory] = freshNumbers(2) as [string, string];
    const a = acme.admin.tenant(acme.created.tenant.id).portOrders;
    const draft = await a.create(orderParams([contested]));
    // B's order for the same number is accepted as a draft and as a submission.
    const ofB = await submitted(globex.admin, globex.created.tenant.id, [contested]);
    expect(ofB.status).toBe('submitted');

    // A's submission now collides with B's order; the answer reads as for any number held anywhere.
    await a.documents.upload(draft.id, { kind: 'loa', data: PDF, contentType: 'application/pdf' });
    await a.documents.upload(draft.id, { kind: 'bill', data: PNG, contentType: 'image/png' });
    const refused = await expectApiError(a.submit(draft.id));
    await hr.provider.numbers.create({ number: inventory });
    const elsewhere = await expectApiError(a.create(orderParams([inventory])));
    expect([refused.status, refused.code]).toEqual([409, 'numbers_unavailable']);
    expect(refused.details).toEqual([{ field: 'numbers.0', issue: `${contested} is not available` }]);
    expect(elsewhere.details).toEqual([{ field: 'numbers.0', issue: `${inventory} is not available` }]);
    expect(refused.message.replace(contested, 'N')).toBe(elsewhere.message.replace(inventory, 'N'));
    const body = JSON.stringify([refused.message, refused.details]);
    for (const secret of [globex.created.tenant.id, globex.created.tenant.slug, ofB.id]) expect(body).not.toContain(secret);
    expect((await a.retrieve(draft.id)).status).toBe('draft');

    // Once B's order is cancelled the number is free again, and A's submission goes through.
    await globex.admin.tenant(globex.created.tenant.id).portOrders.cancel(ofB.id);
    expect((await a.submit(draft.id)).status).toBe('submitted');
  });

  it("names the tenant's own order when it already holds the number", async () => {
    const porting = acme.admin.tenant(acme.created.tenant.id).portOrders;
    const [number] = freshNumbers(1) as [string];
    const first = await submitted(acme.admin, acme.created.tenant.id, [number]);
    const again = await expectApiError(porting.create(orderParams([number])));
    expect(again.details).toEqual([{ field: 'numbers.0', issue: `${number} is held by this tenant's port order ${first.id}` }]);
  });
});

describe('the open port order limit', () => {
  it('refuses the order past limits.openPortOrders with 422 limit_exceeded, and counts only open ones', async () => {
    const tenantId = capped.created.tenant.id;
    const porting = capped.admin.tenant(tenantId).portOrders;
    expect(capped.created.tenant.limits.openPortOrders).toBe(2);
    expect(acme.created.tenant.limits.openPortOrders).toBe(20);
    const first = await porting.create(orderParams(freshNumbers(1)));
    await submitted(capped.admin, tenantId, freshNumbers(1));
    const third = await expectApiError(porting.create(orderParams(freshNumbers(1))));
    expect([third.status, third.code]).toEqual([422, 'limit_exceeded']);
    expect(third.message).toContain('open port orders');
    // A cancelled order no longer counts.
    await porting.cancel(first.id);
    const fourth = await porting.create(orderParams(freshNumbers(1)));
    await porting.documents.upload(fourth.id, { kind: 'loa', data: PDF, contentType: 'application/pdf' });
    await porting.documents.upload(fourth.id, { kind: 'bill', data: PNG, contentType: 'image/png' });
    // Lowered below what is open: nothing more is submitted until the tenant is back under it.
    await hr.provider.tenant(tenantId).update({ limits: { openPortOrders: 1 } });
    const submit = await expectApiError(porting.submit(fourth.id));
    expect([submit.status, submit.code]).toEqual([422, 'limit_exceeded']);
    expect((await porting.retrieve(fourth.id)).status).toBe('draft');
    // The tenant cannot raise its own limit.
    expect((await expectApiError(capped.admin.tenant(tenantId).update({ limits: { openPortOrders: 100 } }))).status).toBe(403);
  });
});

describe('with a carrier configured', () => {
  it('still lets the provider reject an order the carrier holds, and tells the carrier it is off', async () => {
    // A carrier API that accepts every submission and never gets further: an outside system, not ours.
    const cancelled: string[] = [];
    const slowCarrier: PortingCarrier = {
      submit: async (order: CarrierOrder) => ({ carrierRef: `slow_${order.id}` }),
      poll: async () => ({ status: 'in_review' }),
      cancel: async (order: CarrierOrder) => void cancelled.push(order.carrierRef ?? ''),
    };
    const withCarrier = await startTestPlatform('porting-carrier', { porting: { carrier: slowCarrier, tickMs: 20 } });
    try {
      const tenant = await withCarrier.createTenant('slow-carrier', 'Slow');
      const tenantId = tenant.created.tenant.id;
      await withCarrier.provider.tenant(tenantId).extensions.create({ number: '101', displayName: 'R' });
      const order = await submitted(tenant.admin, tenantId, freshNumbers(1));
      await waitForStatus(tenant.admin, tenantId, order.id, 'in_review');
      const rejected = await withCarrier.provider.tenant(tenantId).portOrders.reject(order.id, { reason: 'address_mismatch', message: 'the carrier has another address' });
      expect(rejected.exception).toEqual({ reason: 'address_mismatch', message: 'the carrier has another address' });
      const deadline = Date.now() + 5000;
      while (cancelled.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(cancelled).toEqual([`slow_${order.id}`]);
    } finally {
      await withCarrier.close();
    }
  });
});
