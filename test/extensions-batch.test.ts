// Bulk provisioning through the SDK against the real platform: the batch route (all or none, per-item
// errors by index, the limit checked before anything is written, idempotent like every POST),
// createMany() chunking larger arrays, and lookup by number.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError, Highrise, NotFoundError, UnprocessableEntityError, verifyWebhook, type ExtensionCreateParams } from '@highrise/sdk';
import { expectApiError as failure, startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, withTimeout } from './support/sip-node';

let testPlatform: TestPlatform;
let provider: Highrise;
/** A real webhook receiver: every body it was sent, with its signature. */
let receiver: Server;
let receiverUrl: string;
const received: { body: string; signature: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['highrise-signature']) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  testPlatform = await startTestPlatform('extensions-batch', { webhooks: { allowPrivateDestinations: true, pollIntervalMs: 20, retryBaseMs: 100, maxAttempts: 3, timeoutMs: 2000 } });
  provider = testPlatform.provider;
});

afterAll(async () => {
  await testPlatform?.close();
  await new Promise<void>((resolve) => {
    receiver?.close(() => resolve());
    receiver?.closeAllConnections();
  });
});

const items = (from: number, count: number): ExtensionCreateParams[] =>
  Array.from({ length: count }, (_, i) => ({ number: String(from + i), displayName: `Desk ${from + i}` }));

async function numbersOf(hr: Highrise, tenantId: string): Promise<string[]> {
  return (await hr.tenant(tenantId).extensions.list({ limit: 100 }).toArray()).map((e) => e.number).sort();
}

describe('POST /v1/tenants/{id}/extensions/batch', () => {
  it('creates every item in order, each with its SIP password, and audits the batch as one event naming each extension', async () => {
    const { created, admin } = await testPlatform.createTenant('batch-ok', 'Batch OK');
    const batch = await admin.tenant(created.tenant.id).extensions.createBatch([
      { number: '201', displayName: 'Front desk', sipPassword: 'front-desk-password-1' },
      { number: '202', displayName: 'Back office' },
    ]);
    expect(batch.object).toBe('list');
    expect(batch.data.map((e) => [e.number, e.displayName, e.sipUri])).toEqual([
      ['201', 'Front desk', `sip:201@${created.tenant.sipDomain}`],
      ['202', 'Back office', `sip:202@${created.tenant.sipDomain}`],
    ]);
    expect(batch.data[0]!.sipPassword).toBe('front-desk-password-1');
    expect(batch.data[1]!.sipPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await numbersOf(admin, created.tenant.id)).toEqual(['201', '202']);
    const auditEvents = admin.tenant(created.tenant.id).auditEvents;
    const audit = await auditEvents.list({ action: 'extension.batch_created' }).toArray();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.target.type).toBe('extension_batch');
    expect(audit[0]!.actor.principal).toBe('tenant');
    expect(audit[0]!.changes).toEqual({
      count: { before: null, after: 2 },
      extensions: { before: null, after: batch.data.map(({ id, number, displayName }) => ({ id, number, displayName })) },
    });
    expect(await auditEvents.list({ action: 'extension.created' }).toArray()).toEqual([]);
    expect(JSON.stringify(audit)).not.toContain('front-desk-password-1');
    // Who made extension 202? A search by its id finds the batch that did, and its later changes.
    await admin.tenant(created.tenant.id).extensions.update(batch.data[1]!.id, { displayName: 'Back office 2' });
    expect((await auditEvents.list({ targetId: batch.data[1]!.id }).toArray()).map((e) => e.action)).toEqual(['extension.batch_created', 'extension.updated']);
    // A prefix of an id, or an id with LIKE's wildcards, names nothing.
    expect(await auditEvents.list({ targetId: batch.data[1]!.id.slice(0, -1) }).toArray()).toEqual([]);
    expect(await auditEvents.list({ targetId: 'ext_%' }).toArray()).toEqual([]);
    // The batch's event is linked into the tenant's chain like any other.
    await admin.tenant(created.tenant.id).extensions.create({ number: '203', displayName: 'After the batch' });
    expect(await auditEvents.verify()).toMatchObject({ ok: true });
  });

  it('gives SIP credentials a phone can register with the moment the batch answers', async () => {
    const { created, admin } = await testPlatform.createTenant('batch-register', 'Batch Register');
    const batch = await admin.tenant(created.tenant.id).extensions.createBatch([...items(700, 2), { number: '702', displayName: 'Given', sipPassword: 'given-password-702-x' }]);
    for (const extension of [batch.data[1]!, batch.data[2]!]) {
      const phone = createNodePhone({ wsUrl: testPlatform.platform.wsUrl, domain: created.tenant.sipDomain, number: extension.number, password: extension.sipPassword });
      try {
        await phone.start();
        await withTimeout(phone.register(), 5000, `register ${extension.number}`);
      } finally {
        await phone.stop();
      }
    }
    const wrong = createNodePhone({ wsUrl: testPlatform.platform.wsUrl, domain: created.tenant.sipDomain, number: '700', password: 'not-its-password-000' });
    try {
      await wrong.start();
      await expect(withTimeout(wrong.register(), 5000, 'register 700 with a wrong password')).rejects.toThrow();
    } finally {
      await wrong.stop();
    }
  });

  it('sends each extension its own extension.created webhook event to every subscriber, without its password', async () => {
    const { created, admin } = await testPlatform.createTenant('batch-hooks', 'Batch Hooks');
    const tenant = admin.tenant(created.tenant.id);
    const endpoints = [
      await tenant.webhookEndpoints.create({ url: receiverUrl, enabledEvents: ['extension.created'] }),
      await tenant.webhookEndpoints.create({ url: `${receiverUrl}?second`, enabledEvents: ['*'] }),
    ];
    const batch = await tenant.extensions.createBatch([...items(500, 2), { number: '502', displayName: 'Given', sipPassword: 'given-password-502-x' }]);
    const told = async (secret: string) =>
      (await Promise.all(received.map((r) => verifyWebhook(r.body, r.signature, secret).catch(() => undefined)))).filter((e) => e?.type === 'extension.created');
    const deadline = Date.now() + 10_000;
    while ((await told(endpoints[0]!.secret)).length + (await told(endpoints[1]!.secret)).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const endpoint of endpoints) {
      const events = await told(endpoint.secret);
      expect(events.map((e) => (e!.data as { id: string }).id).sort()).toEqual(batch.data.map((e) => e.id).sort());
      expect(events.every((e) => e!.tenantId === created.tenant.id)).toBe(true);
      expect(new Set(events.map((e) => e!.id)).size).toBe(3);
    }
    for (const password of batch.data.map((e) => e.sipPassword)) expect(received.some((r) => r.body.includes(password))).toBe(false);
  });

  it('creates nothing when one item is taken, naming every failing item by its index', async () => {
    const { created, admin } = await testPlatform.createTenant('batch-conflict', 'Batch Conflict');
    const extensions = admin.tenant(created.tenant.id).extensions;
    await extensions.create({ number: '301', displayName: 'Already here' });
    const error = await failure(extensions.createBatch([...items(300, 1), ...items(301, 1), ...items(302, 1), ...items(302, 1)]));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('extension_exists');
    expect(error.details).toEqual([
      { field: 'items.1.number', issue: 'already taken in this tenant' },
      { field: 'items.3.number', issue: 'same number as items.2' },
    ]);
    expect(await numbersOf(admin, created.tenant.id)).toEqual(['301']);
  });

  it('refuses a batch that does not fit the extension limit before writing any of it', async () => {
    const created = await provider.tenants.create({ name: 'Batch Limit', slug: 'batch-limit', limits: { extensions: 5 } });
    const extensions = provider.tenant(created.tenant.id).extensions;
    await extensions.createBatch(items(100, 3));
    const error = await failure(extensions.createBatch(items(200, 3)));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.code).toBe('limit_exceeded');
    expect(await numbersOf(provider, created.tenant.id)).toEqual(['100', '101', '102']);
    expect((await extensions.createBatch(items(200, 2))).data).toHaveLength(2);
  });

  it('answers 400 naming the item and field for invalid items, and for an empty or oversized batch', async () => {
    const { created } = await testPlatform.createTenant('batch-invalid', 'Batch Invalid');
    const extensions = provider.tenant(created.tenant.id).extensions;
    const invalid = await failure(extensions.createBatch([{ number: '101', displayName: 'ok' }, { number: '0123', displayName: 'bad' }, { number: '103', displayName: '' }]));
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid.details.map((d) => d.field)).toEqual(['items.1.number', 'items.2.displayName']);
    expect((await failure(extensions.createBatch([]))).details.map((d) => d.field)).toEqual(['items']);
    expect((await failure(extensions.createBatch(items(1000, 1001)))).details.map((d) => d.field)).toEqual(['items']);
    expect(await numbersOf(provider, created.tenant.id)).toEqual([]);
  });

  it('replays the first response for the same Idempotency-Key instead of creating twice', async () => {
    const { created } = await testPlatform.createTenant('batch-idem', 'Batch Idempotent');
    const extensions = provider.tenant(created.tenant.id).extensions;
    const first = await extensions.createBatch(items(400, 2), { idempotencyKey: 'batch-idem-1' }).withResponse();
    const again = await extensions.createBatch(items(400, 2), { idempotencyKey: 'batch-idem-1' }).withResponse();
    expect(again.data).toEqual(first.data);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(await numbersOf(provider, created.tenant.id)).toEqual(['400', '401']);
  });

  /** The batch route with raw fetch: the exact bytes of each answer. */
  const postBatch = async (tenantId: string, body: string, key: string) => {
    const response = await fetch(`${testPlatform.platform.url}/v1/tenants/${tenantId}/extensions/batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${testPlatform.bootstrapKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body,
    });
    const text = await response.text();
    return { status: response.status, replayed: response.headers.get('idempotent-replayed'), retryAfter: response.headers.get('retry-after'), text, at: performance.now() };
  };
  const onPostgres = process.env.HIGHRISE_TEST_STORE === 'postgres';

  it('runs a batch sent several times at once with one key once: the others replay its bytes or answer 409', async () => {
    const created = await provider.tenants.create({ name: 'Batch Idempotent Race', slug: 'batch-idem-race', limits: { extensions: 1000 } });
    const body = JSON.stringify({ items: items(500, 500) });
    const answers = await Promise.all(Array.from({ length: 6 }, () => postBatch(created.tenant.id, body, 'batch-race-1')));
    const first = answers.filter((a) => a.status === 201 && a.replayed === null);
    expect(first).toHaveLength(1);
    for (const a of answers) {
      if (a.status === 409) {
        expect(JSON.parse(a.text).error.code).toBe('idempotency_key_in_use');
        // Says when to come back for the stored answer (the SDK's retry waits that long).
        expect(a.retryAfter).toBe('1');
        // On PostgreSQL a duplicate is refused while the first holds the key, not after it commits.
        if (onPostgres) expect(a.at).toBeLessThan(first[0]!.at);
      } else expect([a.status, a.text]).toEqual([201, first[0]!.text]);
    }
    const later = await postBatch(created.tenant.id, body, 'batch-race-1');
    expect([later.status, later.replayed, later.text]).toEqual([201, 'true', first[0]!.text]);
    expect(await provider.tenant(created.tenant.id).extensions.list({ limit: 100 }).toArray()).toHaveLength(500);
  });

  // On PostgreSQL the duplicate's claim used to wait on the first's uncommitted row (a pooled
  // connection held for the whole batch); SQLite serialises transactions, so there it still waits.
  it.runIf(onPostgres)('answers a duplicate of a batch still running 409 at once, without waiting for the first to commit', async () => {
    const created = await provider.tenants.create({ name: 'Batch Idempotent Wait', slug: 'batch-idem-wait', limits: { extensions: 1000 } });
    const body = JSON.stringify({ items: items(1000, 1000) });
    let firstAnswered = false;
    const first = postBatch(created.tenant.id, body, 'batch-wait-1').then((a) => ((firstAnswered = true), a));
    // Duplicates one after another while the first runs, until one is refused: a duplicate that
    // waited for the first's commit would end the loop with the first answered and no 409.
    const duplicates: Awaited<typeof first>[] = [];
    while (!firstAnswered) {
      const a = await postBatch(created.tenant.id, body, 'batch-wait-1');
      duplicates.push(a);
      if (a.status === 409) break;
    }
    // Whichever claimed the key first (the first request, or a duplicate that overtook it) ran; the
    // other was refused before the runner's 201 arrived.
    const all = [await first, ...duplicates];
    const refused = all.filter((a) => a.status === 409);
    const runner = all.filter((a) => a.status === 201 && a.replayed === null);
    expect([refused.length, runner.length], JSON.stringify(all.map((a) => [a.status, a.replayed]))).toEqual([1, 1]);
    expect(JSON.parse(refused[0]!.text).error.code).toBe('idempotency_key_in_use');
    expect(refused[0]!.at).toBeLessThan(runner[0]!.at);
    const later = await postBatch(created.tenant.id, body, 'batch-wait-1');
    expect([later.status, later.replayed, later.text]).toEqual([201, 'true', runner[0]!.text]);
  });

  it('frees the key of a failed batch with the rest of its writes, so the same request runs again once it can', async () => {
    const { created } = await testPlatform.createTenant('batch-idem-fail', 'Batch Idempotent Failure');
    const extensions = provider.tenant(created.tenant.id).extensions;
    const taken = await extensions.create({ number: '602', displayName: 'In the way' });
    const body = JSON.stringify({ items: items(600, 4) });
    const failed = await postBatch(created.tenant.id, body, 'batch-fail-1');
    expect([failed.status, JSON.parse(failed.text).error.code]).toEqual([409, 'extension_exists']);
    expect(await numbersOf(provider, created.tenant.id)).toEqual(['602']);
    await extensions.delete(taken.id);
    const retried = await postBatch(created.tenant.id, body, 'batch-fail-1');
    expect([retried.status, retried.replayed]).toEqual([201, null]);
    expect(await numbersOf(provider, created.tenant.id)).toEqual(['600', '601', '602', '603']);
  });
});

describe('extensions.createMany()', () => {
  it('sends a larger array in batches of 1,000 and returns every extension in order', async () => {
    const created = await provider.tenants.create({ name: 'Many', slug: 'many', limits: { extensions: 5000 } });
    const extensions = provider.tenant(created.tenant.id).extensions;
    const progress: number[] = [];
    const all = await extensions.createMany(items(10000, 2500), { onBatch: ({ created: n }) => progress.push(n) });
    expect(all.map((e) => e.number)).toEqual(items(10000, 2500).map((i) => i.number));
    expect(progress).toEqual([1000, 2000, 2500]);
    expect(await extensions.list().toArray({ limit: 150 })).toHaveLength(150);
    const every = await extensions.list({ limit: 100 }).toArray();
    expect(every).toHaveLength(2500);
  });

  it('names a failing item by its index in the whole array; batches before it stay created', async () => {
    const created = await provider.tenants.create({ name: 'Many Fail', slug: 'many-fail', limits: { extensions: 5000 } });
    const extensions = provider.tenant(created.tenant.id).extensions;
    const list = items(20000, 1500);
    list[1200] = { number: '20001', displayName: 'Duplicate of item 1' };
    const error = await failure(extensions.createMany(list));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toEqual([{ field: 'items.1200.number', issue: 'already taken in this tenant' }]);
    expect((await extensions.list({ limit: 100 }).toArray()).length).toBe(1000);
  });
});

describe('lookup by number', () => {
  it('finds the tenant\'s own 101, never another tenant\'s, and 404s for a number nobody holds', async () => {
    const a = await testPlatform.createTenant('lookup-a', 'Lookup A');
    const b = await testPlatform.createTenant('lookup-b', 'Lookup B');
    const [a101] = (await a.admin.tenant(a.created.tenant.id).extensions.createBatch(items(101, 1))).data;
    const [b101] = (await b.admin.tenant(b.created.tenant.id).extensions.createBatch(items(101, 2))).data;
    expect((await a.admin.tenant(a.created.tenant.id).extensions.retrieveByNumber('101')).id).toBe(a101!.id);
    expect((await b.admin.tenant(b.created.tenant.id).extensions.retrieveByNumber('101')).id).toBe(b101!.id);
    expect(await failure(a.admin.tenant(a.created.tenant.id).extensions.retrieveByNumber('102'))).toBeInstanceOf(NotFoundError);
    const filtered = await b.admin.tenant(b.created.tenant.id).extensions.list({ number: '102' });
    expect(filtered.data.map((e) => e.number)).toEqual(['102']);
    expect(filtered.hasNextPage()).toBe(false);
    expect((await failure(b.admin.tenant(b.created.tenant.id).extensions.list({ number: 'abc' }))).details.map((d) => d.field)).toEqual(['query.number']);
  });
});
