// Number porting end to end against the real platform through the SDK: port orders with their
// validation and conflicts, documents, the simulated carrier (configured explicitly: it is never the
// default) driving orders to completion and to exception, comments, the timeline, and an automation
// loop that survives kill -9. The approval flow without a carrier is in porting-approval.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '@highrise/platform';
import {
  APIError,
  Highrise,
  PortOrder,
  type PortOrderCreateParams,
  type PortOrderStatus,
  type TenantCreateResponse,
  verifyWebhook,
} from '@highrise/sdk';

const bootstrapKey = 'hr_test_bootstrap_porting_0001';
const STEP_SECONDS = 0.1;

let platform: Awaited<ReturnType<typeof startPlatform>>;
let dataDir: string;
let provider: Highrise;
let acme: TenantCreateResponse;
let globex: TenantCreateResponse;
let acmeAdmin: Highrise;
let globexAdmin: Highrise;

async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(APIError);
    return error as APIError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const client = (url: string, apiKey: string) => new Highrise({ baseUrl: url, apiKey, maxRetries: 0 });

/** A tiny PDF: the header is what the platform sniffs; the rest makes it a real (empty) page. */
const PDF = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/MediaBox[0 0 72 72]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** Today (UTC): the simulated carrier completes an order on its FOC date, so tests ask for today. */
const today = () => new Date().toISOString().slice(0, 10);

let serial = 0;
/** Fresh valid New York numbers (+1 646 3xx xxxx), never ending in 0000 unless asked. */
const freshNumbers = (count: number) => Array.from({ length: count }, () => `+1646${String(3_000_001 + serial++ * 7).padStart(7, '0')}`);

const orderParams = (numbers: string[], extra: Partial<PortOrderCreateParams> = {}): PortOrderCreateParams => ({
  numbers,
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-99887766', pin: '4321' },
  authorisedPerson: { name: 'Ada Admin', email: 'ada@acme.test' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: today(),
  defaultDestination: { type: 'extension', target: '101' },
  ...extra,
});

async function withDocuments(hr: Highrise, tenantId: string, orderId: string) {
  await hr.tenant(tenantId).portOrders.documents.upload(orderId, { kind: 'loa', data: PDF, contentType: 'application/pdf', filename: 'loa.pdf' });
  await hr.tenant(tenantId).portOrders.documents.upload(orderId, { kind: 'bill', data: PNG, contentType: 'image/png', filename: 'bill.png' });
}

async function waitForStatus(hr: Highrise, tenantId: string, orderId: string, wanted: PortOrderStatus, timeoutMs = 10_000): Promise<PortOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await hr.tenant(tenantId).portOrders.retrieve(orderId);
    if (order.status === wanted) return order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} is ${order.status}, waited for ${wanted}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-porting-'));
  // The webhook test's receiver listens on loopback.
  platform = await startPlatform({ port: 0, dataDir, bootstrapKey, porting: { carrier: 'simulated', stepSeconds: STEP_SECONDS, tickMs: 20 }, webhooks: { allowPrivateDestinations: true } });
  provider = client(platform.url, bootstrapKey);
  acme = await provider.tenants.create({ name: 'Acme', slug: 'acme-porting', admin: { email: 'a@acme.test', name: 'A' } });
  globex = await provider.tenants.create({ name: 'Globex', slug: 'globex-porting', admin: { email: 'g@globex.test', name: 'G' } });
  acmeAdmin = client(platform.url, acme.adminKey!.secret);
  globexAdmin = client(platform.url, globex.adminKey!.secret);
  await provider.tenant(acme.tenant.id).extensions.create({ number: '101', displayName: 'Acme 101' });
  await provider.tenant(globex.tenant.id).extensions.create({ number: '101', displayName: 'Globex 101' });
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('creating port orders', () => {
  it('creates a draft that never returns the account number or PIN, and redacts them in the audit log', async () => {
    const acmePorting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const order = await acmePorting.create(orderParams(['+1 (646) 310-1001']));
    expect(order).toMatchObject({
      status: 'draft',
      numbers: ['+16463101001'],
      losingCarrier: { name: 'Old Telco', accountNumberLast4: '7766', pinSet: true },
      missingRequirements: ['loa', 'bill'],
      allowedActions: ['update', 'attach_document', 'submit', 'cancel'],
      focDate: null,
    });
    expect(order.id).toMatch(/^por_/);
    const seen = JSON.stringify([order, await acmePorting.retrieve(order.id), (await acmePorting.list()).data]);
    expect(seen).not.toContain('ACCT-99887766');
    expect(seen).not.toContain('4321');
    const audit = JSON.stringify((await acmeAdmin.tenant(acme.tenant.id).auditEvents.list({ limit: 100 })).data.filter((e) => e.target.id === order.id));
    expect(audit).toContain('port_order.created');
    expect(audit).toContain('[redacted]');
    expect(audit).not.toContain('ACCT-99887766');
    expect(audit).not.toContain('4321');
  });

  it('names every wrong number by its index', async () => {
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(['+16463101002', 'not a number', '+1415', '+16463101002'])));
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_error');
    expect(error.details.map((d) => d.field)).toEqual(['numbers.1', 'numbers.2', 'numbers.3']);
  });

  it('refuses a destination that is not in the tenant', async () => {
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(freshNumbers(1), { defaultDestination: { type: 'ring_group', target: '699' } })));
    expect(error.status).toBe(400);
    expect(error.details[0]?.field).toBe('defaultDestination.target');
  });

  it('answers 409 numbers_unavailable listing numbers held elsewhere, all in the same words', async () => {
    const [onPlatform, inOrder, free] = freshNumbers(3) as [string, string, string];
    await provider.numbers.create({ number: onPlatform });
    const held = await globexAdmin.tenant(globex.tenant.id).portOrders.create(orderParams([inOrder]));
    await withDocuments(globexAdmin, globex.tenant.id, held.id);
    await globexAdmin.tenant(globex.tenant.id).portOrders.submit(held.id);
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams([free, onPlatform, inOrder])));
    expect(error.status).toBe(409);
    expect(error.code).toBe('numbers_unavailable');
    expect(error.details).toEqual([
      { field: 'numbers.1', issue: `${onPlatform} is not available` },
      { field: 'numbers.2', issue: `${inOrder} is not available` },
    ]);
  });

  it('takes 1,000 numbers in one request', async () => {
    const numbers = Array.from({ length: 1000 }, (_, i) => `+1646${String(2_000_001 + i).padStart(7, '0')}`);
    const started = performance.now();
    const order = await acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(numbers));
    const elapsedMs = performance.now() - started;
    expect(order.numbers).toEqual(numbers);
    expect((await acmeAdmin.tenant(acme.tenant.id).portOrders.retrieve(order.id)).numbers).toHaveLength(1000);
    expect(elapsedMs).toBeLessThan(3000);
    // 1,001 is one too many.
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams([...freshNumbers(1), ...numbers])));
    expect(error.details[0]?.field).toBe('numbers');
  });
});

describe('documents', () => {
  let orderId: string;
  beforeAll(async () => {
    orderId = (await acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(freshNumbers(2)))).id;
  });

  it('refuses to submit until both documents are attached, listing what is missing', async () => {
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.submit(orderId));
    expect(error.status).toBe(422);
    expect(error.code).toBe('requirements_missing');
    expect(error.details.map((d) => d.issue)).toEqual([expect.stringContaining('loa'), expect.stringContaining('bill')]);
  });

  it('answers 415 for a type the kind does not allow, judged by the bytes', async () => {
    const docs = acmeAdmin.tenant(acme.tenant.id).portOrders.documents;
    const png = await failure(docs.upload(orderId, { kind: 'loa', data: PNG, contentType: 'image/png' }));
    expect([png.status, png.code]).toEqual([415, 'unsupported_media_type']);
    const lying = await failure(docs.upload(orderId, { kind: 'bill', data: new TextEncoder().encode('just text'), contentType: 'application/pdf' }));
    expect(lying.status).toBe(415);
    expect((await docs.list(orderId)).data).toEqual([]);
  });

  it('answers 413 above 10 MB', async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(PDF);
    const error = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.documents.upload(orderId, { kind: 'loa', data: big, contentType: 'application/pdf' }));
    expect([error.status, error.code]).toEqual([413, 'payload_too_large']);
  });

  it('stores, lists and downloads documents inside the tenant only', async () => {
    await withDocuments(acmeAdmin, acme.tenant.id, orderId);
    const docs = acmeAdmin.tenant(acme.tenant.id).portOrders.documents;
    const listed = (await docs.list(orderId)).data;
    expect(listed.map((d) => [d.kind, d.contentType, d.filename, d.sizeBytes])).toEqual([
      ['loa', 'application/pdf', 'loa.pdf', PDF.byteLength],
      ['bill', 'image/png', 'bill.png', PNG.byteLength],
    ]);
    expect(existsSync(join(dataDir, 'documents', acme.tenant.id, listed[0]!.id))).toBe(true);
    const content = await docs.download(orderId, listed[0]!.id);
    expect(content.contentType).toBe('application/pdf');
    expect(Buffer.from(content.data).equals(Buffer.from(PDF))).toBe(true);
    const foreign = await failure(globexAdmin.tenant(acme.tenant.id).portOrders.documents.download(orderId, listed[0]!.id));
    expect(foreign.status).toBe(404);
    const crossed = await failure(globexAdmin.tenant(globex.tenant.id).portOrders.documents.download(orderId, listed[0]!.id));
    expect(crossed.status).toBe(404);
    expect((await acmeAdmin.tenant(acme.tenant.id).portOrders.retrieve(orderId)).missingRequirements).toEqual([]);
    const usage = await acmeAdmin.tenant(acme.tenant.id).usage.retrieve();
    expect(usage.storage.used).toBeGreaterThanOrEqual(PDF.byteLength + PNG.byteLength);
    expect(usage.storage.limit).toBe(100 * 1024 * 1024);
  });
});

describe('document storage limit', () => {
  it('refuses a document past the tenant storage limit with 422 limit_exceeded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-porting-storage-'));
    const small = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, porting: { carrier: 'simulated', storageLimitBytes: PDF.byteLength + 10 } });
    try {
      const hr = client(small.url, bootstrapKey);
      const { tenant } = await hr.tenants.create({ name: 'Small', slug: 'small-storage' });
      await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'R' });
      const order = await hr.tenant(tenant.id).portOrders.create(orderParams(freshNumbers(1)));
      await hr.tenant(tenant.id).portOrders.documents.upload(order.id, { kind: 'loa', data: PDF, contentType: 'application/pdf' });
      const full = await failure(hr.tenant(tenant.id).portOrders.documents.upload(order.id, { kind: 'bill', data: PNG, contentType: 'image/png' }));
      expect([full.status, full.code]).toEqual([422, 'limit_exceeded']);
      expect((await hr.tenant(tenant.id).usage.retrieve()).storage).toEqual({ used: PDF.byteLength, limit: PDF.byteLength + 10 });
      expect((await hr.tenant(tenant.id).portOrders.documents.list(order.id)).data).toHaveLength(1);
    } finally {
      await small.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the tenant's own storage limit", () => {
  it('is set at creation, lowered with PATCH to refuse the next upload (422 limit_exceeded), and raised to allow it', async () => {
    const { tenant } = await provider.tenants.create({ name: 'Metered', slug: 'metered-storage', limits: { storageBytes: 10 * 1024 * 1024 } });
    expect(tenant.limits.storageBytes).toBe(10 * 1024 * 1024);
    const api = provider.tenant(tenant.id);
    await api.extensions.create({ number: '101', displayName: 'R' });
    const order = await api.portOrders.create(orderParams(freshNumbers(1)));
    await api.portOrders.documents.upload(order.id, { kind: 'loa', data: PDF, contentType: 'application/pdf' });

    expect((await api.update({ limits: { storageBytes: PDF.byteLength } })).limits.storageBytes).toBe(PDF.byteLength);
    const full = await failure(api.portOrders.documents.upload(order.id, { kind: 'bill', data: PNG, contentType: 'image/png' }));
    expect([full.status, full.code]).toEqual([422, 'limit_exceeded']);
    expect((await api.usage.retrieve()).storage).toEqual({ used: PDF.byteLength, limit: PDF.byteLength });

    await api.update({ limits: { storageBytes: PDF.byteLength + PNG.byteLength } });
    await api.portOrders.documents.upload(order.id, { kind: 'bill', data: PNG, contentType: 'image/png' });
    expect((await api.usage.retrieve()).storage).toEqual({ used: PDF.byteLength + PNG.byteLength, limit: PDF.byteLength + PNG.byteLength });
    // The other limits are untouched by a PATCH of one of them.
    expect((await api.retrieve()).limits).toMatchObject({ extensions: 100, channels: 10, messagesPerMinute: 600, openPortOrders: 20 });
  });
});

describe('the simulated carrier', () => {
  it('drives a submitted order to completion: numbers active, owned by the tenant and routed', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const numbers = freshNumbers(3);
    const order = await porting.create(orderParams(numbers));
    await withDocuments(acmeAdmin, acme.tenant.id, order.id);
    expect((await porting.submit(order.id)).status).toBe('submitted');
    const done = await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'completed');
    expect(done.focDate).toBe(today());
    expect(done.completedAt).not.toBeNull();

    const held = await all(acmeAdmin.tenant(acme.tenant.id).numbers.list({ limit: 100 }));
    const ported = held.filter((n) => numbers.includes(n.number));
    expect(ported.map((n) => n.number).sort()).toEqual([...numbers].sort());
    for (const n of ported) expect(n).toMatchObject({ tenantId: acme.tenant.id, routing: { type: 'extension', target: '101' } });

    const timeline = (await porting.timeline(order.id)).data;
    expect(timeline.map((e) => [e.from, e.to, e.actor.type])).toEqual([
      [null, 'draft', 'api_key'],
      ['draft', 'submitted', 'api_key'],
      ['submitted', 'in_review', 'carrier'],
      ['in_review', 'foc_scheduled', 'carrier'],
      ['foc_scheduled', 'completed', 'carrier'],
    ]);
    expect(timeline[1]!.actor.keyId).toBe(acme.adminKey!.id);
    // The numbers are free of the order now, and on the platform: a new order for them conflicts.
    const again = await failure(porting.create(orderParams([numbers[0]!])));
    expect(again.details[0]?.issue).toBe(`${numbers[0]} is already this tenant's number`);
  });

  it('raises number_not_portable for a number ending in 0000; the order is edited and resubmitted', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const [good] = freshNumbers(1) as [string];
    const order = await porting.create(orderParams([good, '+16465550000']));
    await withDocuments(acmeAdmin, acme.tenant.id, order.id);
    await porting.submit(order.id);
    const stopped = await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'exception');
    expect(stopped.exception).toEqual({ reason: 'number_not_portable', message: expect.stringContaining('+16465550000') });
    expect(stopped.allowedActions).toEqual(['update', 'attach_document', 'submit', 'cancel']);
    const timeline = (await porting.timeline(order.id)).data;
    expect(timeline.at(-1)).toMatchObject({ from: 'in_review', to: 'exception', reason: 'number_not_portable', actor: { type: 'carrier' } });

    const edited = await porting.update(order.id, { numbers: [good] });
    expect(edited.status).toBe('exception');
    expect((await porting.submit(order.id)).exception).toBeNull();
    await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'completed');
  });

  it('holds an order with a future FOC date in foc_scheduled until that day', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const order = await porting.create(orderParams(freshNumbers(1), { requestedFocDate: '2030-01-15' }));
    await withDocuments(acmeAdmin, acme.tenant.id, order.id);
    await porting.submit(order.id);
    await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'foc_scheduled');
    await new Promise((r) => setTimeout(r, STEP_SECONDS * 4000));
    expect(await porting.retrieve(order.id)).toMatchObject({ status: 'foc_scheduled', focDate: '2030-01-15' });
  });

  it('raises pin_invalid for PIN 0000', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const order = await porting.create(orderParams(freshNumbers(1), { losingCarrier: { name: 'Old Telco', accountNumber: 'A-1', pin: '0000' } }));
    await withDocuments(acmeAdmin, acme.tenant.id, order.id);
    await porting.submit(order.id);
    expect((await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'exception')).exception?.reason).toBe('pin_invalid');
  });

  it('completes nothing when one number cannot be added: the order goes to exception instead', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const [first, second] = freshNumbers(2) as [string, string];
    const order = await porting.create(orderParams([first, second]));
    await withDocuments(acmeAdmin, acme.tenant.id, order.id);
    await porting.submit(order.id);
    // Someone puts the second number on the platform while the order is with the carrier.
    await provider.numbers.create({ number: second });
    const stopped = await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'exception');
    expect(stopped.exception?.message).toContain(second);
    const held = (await all(acmeAdmin.tenant(acme.tenant.id).numbers.list({ limit: 100 }))).map((n) => n.number);
    expect(held).not.toContain(first);
    expect(held).not.toContain(second);
  });
});

describe('webhooks', () => {
  it('signs port_order.updated and port_order.completed events carrying the order as the API returns it, secrets masked', { timeout: 20_000 }, async () => {
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
      const port = (receiver.address() as { port: number }).port;
      const endpoint = await acmeAdmin.tenant(acme.tenant.id).webhookEndpoints.create({
        url: `http://127.0.0.1:${port}/hooks`,
        enabledEvents: ['port_order.updated', 'port_order.completed', 'port_order.exception'],
      });
      const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
      const order = await porting.create(orderParams(freshNumbers(1)));
      await withDocuments(acmeAdmin, acme.tenant.id, order.id);
      await porting.submit(order.id);
      await waitForStatus(acmeAdmin, acme.tenant.id, order.id, 'completed');
      const deadline = Date.now() + 15_000;
      const types = () => received.map((r) => JSON.parse(r.body) as { type: string; data: { id: string } }).filter((e) => e.data.id === order.id).map((e) => e.type);
      while (!types().includes('port_order.completed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(types().filter((t) => t === 'port_order.updated').length).toBeGreaterThanOrEqual(4);
      const completed = received.find((r) => r.body.includes('port_order.completed') && r.body.includes(order.id))!;
      const event = await verifyWebhook(completed.body, completed.signature, endpoint.secret!, { toleranceSeconds: 300 });
      const data = PortOrder.parse(event.data);
      expect(data).toMatchObject({ id: order.id, status: 'completed', losingCarrier: { accountNumberLast4: '7766', pinSet: true } });
      expect(received.map((r) => r.body).join()).not.toContain('ACCT-99887766');
    } finally {
      receiver.close();
    }
  });
});

describe('state rules', () => {
  it('answers 422 invalid_state with the allowed actions, and cancels before completion only', async () => {
    // Its own platform with a carrier that takes an hour per step: the order must still be
    // `submitted` when it is edited and cancelled, however slow the machine (the shared platform's
    // carrier steps every 0.1 s and completed the order first on a loaded machine).
    const dir = await mkdtemp(join(tmpdir(), 'highrise-porting-states-'));
    const slow = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, porting: { carrier: 'simulated', stepSeconds: 3600, tickMs: 20 } });
    try {
      const hr = client(slow.url, bootstrapKey);
      const { tenant } = await hr.tenants.create({ name: 'States', slug: 'states-porting' });
      await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'R' });
      const porting = hr.tenant(tenant.id).portOrders;
      const order = await porting.create(orderParams(freshNumbers(1)));
      await withDocuments(hr, tenant.id, order.id);
      await porting.submit(order.id);
      const edit = await failure(porting.update(order.id, { requestedFocDate: '2030-02-01' }));
      expect([edit.status, edit.code]).toEqual([422, 'invalid_state']);
      expect(edit.details.filter((d) => d.field === 'allowedActions').map((d) => d.issue)).toContain('cancel');

      const cancelled = await porting.cancel(order.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', allowedActions: [] });
      const twice = await failure(porting.cancel(order.id));
      expect([twice.status, twice.code]).toEqual([422, 'invalid_state']);
      expect((await porting.timeline(order.id)).data.at(-1)).toMatchObject({ from: 'submitted', to: 'cancelled', action: 'cancel' });
      // Cancelling frees the numbers for a new order.
      await porting.create(orderParams(order.numbers));
      expect((await porting.retrieve(order.id)).status).toBe('cancelled');
    } finally {
      await slow.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cannot cancel a completed order', async () => {
    const porting = acmeAdmin.tenant(acme.tenant.id).portOrders;
    const completed = (await all(porting.list({ status: 'completed' })))[0]!;
    const error = await failure(porting.cancel(completed.id));
    expect(error.code).toBe('invalid_state');
    expect(error.details.filter((d) => d.field === 'allowedActions')).toEqual([]);
  });
});

describe('comments and visibility', () => {
  it('hides internal comments from tenant keys and lets only provider or reseller keys write them', async () => {
    const order = await acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(freshNumbers(1)));
    await acmeAdmin.tenant(acme.tenant.id).portOrders.comments.create(order.id, { body: 'Please hurry' });
    await provider.tenant(acme.tenant.id).portOrders.comments.create(order.id, { body: 'Carrier is slow this week', visibility: 'internal' });
    const tenantSees = (await acmeAdmin.tenant(acme.tenant.id).portOrders.comments.list(order.id)).data;
    expect(tenantSees.map((c) => c.body)).toEqual(['Please hurry']);
    const providerSees = (await provider.tenant(acme.tenant.id).portOrders.comments.list(order.id)).data;
    expect(providerSees.map((c) => [c.body, c.visibility, c.author.principal])).toEqual([
      ['Please hurry', 'public', 'tenant'],
      ['Carrier is slow this week', 'internal', 'provider'],
    ]);
    const refused = await failure(acmeAdmin.tenant(acme.tenant.id).portOrders.comments.create(order.id, { body: 'sneaky', visibility: 'internal' }));
    expect(refused.status).toBe(403);
  });

  it('answers 404 for another tenant’s order, exactly like a missing one', async () => {
    const order = await acmeAdmin.tenant(acme.tenant.id).portOrders.create(orderParams(freshNumbers(1)));
    const crossed = await failure(globexAdmin.tenant(globex.tenant.id).portOrders.retrieve(order.id));
    const missing = await failure(globexAdmin.tenant(globex.tenant.id).portOrders.retrieve('por_00000000000000000000000000'));
    expect([crossed.status, crossed.code, crossed.message]).toEqual([missing.status, missing.code, missing.message]);
    expect((await failure(globexAdmin.tenant(acme.tenant.id).portOrders.timeline(order.id))).status).toBe(404);
  });
});

describe('the automation loop across kill -9', () => {
  const cli = join(import.meta.dirname, '..', 'packages', 'platform', 'dist', 'index.js');
  const childScript = join(import.meta.dirname, 'support', 'porting-child.mjs');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  function startChild(dir: string, stepSeconds: number): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [childScript, dir, bootstrapKey, String(stepSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const url = /url=(\S+)/.exec(out)?.[1];
        if (url) resolve({ child, url });
      });
      child.on('exit', (code) => reject(new Error(`platform child exited with ${code}`)));
    });
  }

  it('loses no order and completes it exactly once after the platform is killed mid-order', { timeout: 30_000 }, async () => {
    expect(existsSync(cli), 'the kill -9 test runs the built platform: npm run build (npm test builds first)').toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'highrise-porting-kill-'));
    try {
      let { child, url } = await startChild(dir, 0.4);
      const hr = client(url, bootstrapKey);
      const { tenant } = await hr.tenants.create({ name: 'Kill', slug: 'kill-porting' });
      await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });
      const numbers = freshNumbers(5);
      const order = await hr.tenant(tenant.id).portOrders.create(orderParams(numbers));
      await withDocuments(hr, tenant.id, order.id);
      await hr.tenant(tenant.id).portOrders.submit(order.id);
      await waitForStatus(hr, tenant.id, order.id, 'in_review');

      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // Down for longer than the rest of the carrier's schedule: on restart the order is overdue.
      await new Promise((r) => setTimeout(r, 1200));

      ({ child, url } = await startChild(dir, 0.4));
      const again = client(url, bootstrapKey);
      await waitForStatus(again, tenant.id, order.id, 'completed');
      // Another restart and a few more ticks change nothing.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      ({ child, url } = await startChild(dir, 0.4));
      const third = client(url, bootstrapKey);
      await new Promise((r) => setTimeout(r, 300));

      const timeline = (await third.tenant(tenant.id).portOrders.timeline(order.id)).data;
      expect(timeline.map((e) => e.to)).toEqual(['draft', 'submitted', 'in_review', 'foc_scheduled', 'completed']);
      const held = (await all(third.tenant(tenant.id).numbers.list({ limit: 100 }))).map((n) => n.number);
      expect(held.sort()).toEqual([...numbers].sort());
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
