// Webhooks end to end: the real platform posts signed events to real node:http receivers on
// loopback, and each delivery is checked with the SDK's own verifyWebhook, the way a customer
// would. Retries run on a short backoff (retryBaseMs) so a whole retry schedule fits in a test.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStoredText, expectApiError, startTestPlatform, type TestPlatform } from './support/platform';
import { DATABASE_FILE, startPlatform, type Platform, type PlatformOptions } from '@highrise/platform';
import {
  BadRequestError,
  Extension,
  Highrise,
  RateLimitError,
  Tenant,
  UnprocessableEntityError,
  WebhookVerificationError,
  buildWebhookSignatureHeader,
  verifyWebhook,
  isKnownWebhookEvent,
  type WebhookEvent,
} from '@highrise/sdk';

const bootstrapKey = 'hr_test_bootstrap_webhooks_0001';
const RETRY_BASE_MS = 150;
const DELIVERY: PlatformOptions['webhooks'] = { retryBaseMs: RETRY_BASE_MS, maxAttempts: 4, pollIntervalMs: 20, timeoutMs: 2000 };
/** The receivers here listen on loopback, which only an operator's opt-in allows. */
const WEBHOOKS: PlatformOptions['webhooks'] = { ...DELIVERY, allowPrivateDestinations: true };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1:0 that records every request and answers with `respond()`'s status. */
interface Receiver {
  url: string;
  received: Received[];
  /** Status for the next request; `'hang'` never answers. Default 200. */
  respond: () => number | 'hang';
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, respond: () => 200 as number | 'hang' } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = receiver.respond();
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Verifies every delivery a receiver got with the endpoint's secret and returns the events. */
async function eventsOf(receiver: Receiver, secret: string): Promise<WebhookEvent[]> {
  const events = await Promise.all(receiver.received.map((r) => verifyWebhook(r.body, r.headers['highrise-signature'], secret)));
  return events.map((event) => {
    if (!isKnownWebhookEvent(event)) throw new Error(`an event type this SDK does not know: ${event.type}`);
    return event;
  });
}

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let dataDir: string;
let hr: Highrise;
let receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  testPlatform = await startTestPlatform('webhooks', { bootstrapKey, webhooks: WEBHOOKS });
  ({ platform, dataDir } = testPlatform);
  hr = testPlatform.provider;
});

afterAll(async () => {
  await testPlatform?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

let slugs = 0;
const newTenant = async (extra: { resellerId?: string } = {}) =>
  hr.tenants.create({ name: 'Webhook Co', slug: `webhook-co-${++slugs}`, admin: { email: 'a@example.com', name: 'Admin' }, ...extra });

describe('webhook delivery', () => {
  it('posts tenant.created and extension.created to a provider endpoint, signed so verifyWebhook accepts them', async () => {
    const inbox = await receiver();
    const endpoint = await hr.webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.created', 'extension.created'], description: 'ops' });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.level).toBe('provider');

    const { tenant } = await newTenant();
    const extension = await hr.tenant(tenant.id).extensions.create({ number: '101', displayName: 'Reception' });

    await until('two deliveries', () => inbox.received.length >= 2);
    const events = await eventsOf(inbox, endpoint.secret);
    const created = events.find((e) => e.type === 'tenant.created' && e.data.id === tenant.id)!;
    expect(created.tenantId).toBe(tenant.id);
    // `data` is the resource exactly as the API presents it.
    expect(Tenant.parse(created.data)).toEqual(await hr.tenants.retrieve(tenant.id));
    const ext = events.find((e) => e.type === 'extension.created')!;
    expect(Extension.parse(ext.data)).toEqual(Extension.parse(extension));
    for (const r of inbox.received) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['highrise-event-id']).toBe(JSON.parse(r.body).id);
      expect(r.headers['highrise-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    // Another endpoint's secret does not verify them.
    await expect(verifyWebhook(inbox.received[0]!.body, String(inbox.received[0]!.headers['highrise-signature']), 'whsec_wrong')).rejects.toBeInstanceOf(WebhookVerificationError);

    const deliveries = (await hr.webhookEndpoints.deliveries.list(endpoint.id)).data;
    expect(deliveries.map((d) => [d.eventType, d.status, d.attempts.map((a) => a.statusCode)])).toEqual([
      ['tenant.created', 'delivered', [200]],
      ['extension.created', 'delivered', [200]],
    ]);
    await hr.webhookEndpoints.delete(endpoint.id);
  });

  it('gives a tenant endpoint only its own tenant’s events, a reseller endpoint its tenants’, a provider endpoint all', async () => {
    const providerInbox = await receiver();
    const resellerInbox = await receiver();
    const tenantInbox = await receiver();
    const provider = await hr.webhookEndpoints.create({ url: providerInbox.url, enabledEvents: ['*'] });

    const reseller = await hr.resellers.create({ name: 'Webhook Reseller' });
    const resellerKey = await hr.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId: reseller.id });
    const asReseller = new Highrise({ baseUrl: platform.url, apiKey: resellerKey.secret, maxRetries: 0 });
    const resellerEndpoint = await asReseller.webhookEndpoints.create({ url: resellerInbox.url, enabledEvents: ['extension.created'] });
    expect(resellerEndpoint).toMatchObject({ level: 'reseller', resellerId: reseller.id, tenantId: null });

    const a = await newTenant();
    const b = await newTenant({ resellerId: reseller.id });
    const asA = new Highrise({ baseUrl: platform.url, apiKey: a.adminKey!.secret, maxRetries: 0 });
    const tenantEndpoint = await asA.tenant(a.tenant.id).webhookEndpoints.create({ url: tenantInbox.url, enabledEvents: ['extension.created'] });
    expect(tenantEndpoint).toMatchObject({ level: 'tenant', tenantId: a.tenant.id });
    // The tenant's own key sees its endpoint; the provider's list is the provider's own endpoints only.
    expect((await asA.tenant(a.tenant.id).webhookEndpoints.list()).data.map((e) => e.id)).toEqual([tenantEndpoint.id]);
    expect((await hr.webhookEndpoints.list()).data.map((e) => e.id)).not.toContain(tenantEndpoint.id);

    await hr.tenant(a.tenant.id).extensions.create({ number: '201', displayName: 'A' });
    await hr.tenant(b.tenant.id).extensions.create({ number: '202', displayName: 'B' });

    const extensionEvents = async (inbox: Receiver, secret: string) => (await eventsOf(inbox, secret)).filter((e) => e.type === 'extension.created').map((e) => e.tenantId);
    await until('the provider endpoint gets both', async () => (await extensionEvents(providerInbox, provider.secret)).length === 2);
    await until('the tenant endpoint gets A’s', () => tenantInbox.received.length >= 1);
    await until('the reseller endpoint gets B’s', () => resellerInbox.received.length >= 1);
    await sleep(200); // several poll intervals: a wrongly queued delivery would have arrived by now
    expect((await extensionEvents(providerInbox, provider.secret)).sort()).toEqual([a.tenant.id, b.tenant.id].sort());
    expect(await extensionEvents(tenantInbox, tenantEndpoint.secret)).toEqual([a.tenant.id]);
    expect(await extensionEvents(resellerInbox, resellerEndpoint.secret)).toEqual([b.tenant.id]);
    // The provider's `*` also got both tenant.created events; the tenant endpoint subscribed to none.
    expect((await eventsOf(providerInbox, provider.secret)).filter((e) => e.type === 'tenant.created')).toHaveLength(2);

    // Another tenant's key cannot see or touch A's endpoint: it looks missing.
    const asB = new Highrise({ baseUrl: platform.url, apiKey: b.adminKey!.secret, maxRetries: 0 });
    await expect(asB.tenant(a.tenant.id).webhookEndpoints.retrieve(tenantEndpoint.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(asB.tenant(b.tenant.id).webhookEndpoints.retrieve(tenantEndpoint.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    for (const e of [provider.id]) await hr.webhookEndpoints.delete(e);
    await asReseller.webhookEndpoints.delete(resellerEndpoint.id);
  });

  it('retries a failing receiver with exponential backoff and logs every attempt', async () => {
    const inbox = await receiver();
    const statuses = [500, 503, 200];
    inbox.respond = () => statuses.shift() ?? 200;
    const { tenant } = await newTenant();
    const endpoint = await hr.tenant(tenant.id).webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.updated'] });
    await hr.tenant(tenant.id).update({ name: 'Renamed' });

    const delivery = await until('delivered after retries', async () => {
      const [d] = (await hr.tenant(tenant.id).webhookEndpoints.deliveries.list(endpoint.id)).data;
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 503, 200]);
    expect(delivery.attempts.map((a) => a.error)).toEqual(['http_error', 'http_error', null]);
    expect(delivery.nextAttemptAt).toBeNull();
    // Backoff doubles: the second retry waits about twice as long as the first.
    const [first, second, third] = inbox.received.map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(RETRY_BASE_MS - 10);
    expect(third! - second!).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS - 10);
    // Every attempt carried the same event.
    const events = await eventsOf(inbox, endpoint.secret);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    const renamed = events[0]!;
    expect(renamed.type === 'tenant.updated' && renamed.data.name).toBe('Renamed');
  });

  it('gives up after maxAttempts, and redeliver sends the same event again', async () => {
    const inbox = await receiver();
    inbox.respond = () => 500;
    const { tenant } = await newTenant();
    const endpoints = hr.tenant(tenant.id).webhookEndpoints;
    const endpoint = await endpoints.create({ url: inbox.url, enabledEvents: ['tenant.suspended'] });
    await hr.tenants.suspend(tenant.id);

    const failed = await until('failed', async () => {
      const [d] = (await endpoints.deliveries.list(endpoint.id)).data;
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.attempts).toHaveLength(4);

    inbox.respond = () => 204;
    const again = await endpoints.redeliver(endpoint.id, failed.id);
    expect(again).toMatchObject({ status: 'pending', eventId: failed.eventId, attempts: [] });
    await until('redelivered', async () => (await endpoints.deliveries.list(endpoint.id)).data.find((d) => d.id === again.id)?.status === 'delivered');
    const events = await eventsOf(inbox, endpoint.secret);
    expect(events).toHaveLength(5);
    expect(new Set(events.map((e) => e.id))).toEqual(new Set([failed.eventId]));

    // A disabled endpoint is not redelivered to.
    await endpoints.update(endpoint.id, { status: 'disabled' });
    await expect(endpoints.redeliver(endpoint.id, failed.id)).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(endpoints.redeliver(endpoint.id, 'whd_00000000000000000000000000')).rejects.toMatchObject({ status: 404 });
  });

  it('sends nothing to a disabled endpoint, nor events it did not subscribe to', async () => {
    const inbox = await receiver();
    const { tenant } = await newTenant();
    const endpoints = hr.tenant(tenant.id).webhookEndpoints;
    const disabled = await endpoints.create({ url: inbox.url, enabledEvents: ['*'], status: 'disabled' });
    await endpoints.create({ url: inbox.url, enabledEvents: ['extension.deleted'] });
    await hr.tenant(tenant.id).extensions.create({ number: '301', displayName: 'x' });
    await sleep(200);
    expect(inbox.received).toHaveLength(0);
    expect((await endpoints.deliveries.list(disabled.id)).data).toHaveLength(0);
  });

  it('signs with both secrets during a rotation’s grace period, and with the new one only after a plain rotation', async () => {
    const inbox = await receiver();
    const { tenant } = await newTenant();
    const endpoints = hr.tenant(tenant.id).webhookEndpoints;
    const created = await endpoints.create({ url: inbox.url, enabledEvents: ['extension.created'] });
    const rotated = await endpoints.rotateSecret(created.id, { gracePeriodSeconds: 3600 });
    expect(rotated.secret).not.toBe(created.secret);
    expect(await endpoints.retrieve(created.id)).not.toHaveProperty('secret');

    await hr.tenant(tenant.id).extensions.create({ number: '401', displayName: 'x' });
    await until('one delivery', () => inbox.received.length === 1);
    const { body, headers } = inbox.received[0]!;
    expect(String(headers['highrise-signature']).match(/v1=/g)).toHaveLength(2);
    expect((await verifyWebhook(body, String(headers['highrise-signature']), created.secret)).type).toBe('extension.created');
    expect((await verifyWebhook(body, String(headers['highrise-signature']), rotated.secret)).type).toBe('extension.created');

    const plain = await endpoints.rotateSecret(created.id);
    await hr.tenant(tenant.id).extensions.create({ number: '402', displayName: 'y' });
    await until('second delivery', () => inbox.received.length === 2);
    const second = inbox.received[1]!;
    expect(String(second.headers['highrise-signature']).match(/v1=/g)).toHaveLength(1);
    await verifyWebhook(second.body, String(second.headers['highrise-signature']), plain.secret);
    await expect(verifyWebhook(second.body, String(second.headers['highrise-signature']), rotated.secret)).rejects.toMatchObject({ reason: 'no_matching_signature' });
  });

  it('keeps signing secrets out of the database file in plain text', async () => {
    const { tenant } = await newTenant();
    const created = await hr.tenant(tenant.id).webhookEndpoints.create({ url: 'https://hooks.example.com/x', enabledEvents: ['*'], status: 'disabled' });
    const secretPart = created.secret.slice('whsec_'.length);
    if (testPlatform!.store.databaseUrl === undefined) {
      // The file itself, free pages and WAL included, not only what a query returns.
      const file = await readFile(join(dataDir, DATABASE_FILE));
      const wal = await readFile(join(dataDir, `${DATABASE_FILE}-wal`)).catch(() => Buffer.alloc(0));
      expect(file.includes(secretPart) || wal.includes(secretPart)).toBe(false);
    }
    const stored = await allStoredText(testPlatform!);
    expect(stored.some((value) => value.includes(created.url))).toBe(true);
    expect(stored.some((value) => value.includes(secretPart))).toBe(false);
  });

  it('audits every endpoint change without the secret, and documents the routes in /openapi.json', async () => {
    const { tenant } = await newTenant();
    const endpoints = hr.tenant(tenant.id).webhookEndpoints;
    const created = await endpoints.create({ url: 'https://hooks.example.com/a', enabledEvents: ['*'], status: 'disabled' });
    await endpoints.update(created.id, { description: 'billing' });
    const rotated = await endpoints.rotateSecret(created.id);
    await endpoints.delete(created.id);
    const actions: string[] = [];
    for await (const e of hr.tenant(tenant.id).auditEvents.list({ targetId: created.id })) actions.push(e.action);
    expect(actions).toEqual(['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.deleted']);
    const log = JSON.stringify((await hr.tenant(tenant.id).auditEvents.list({ targetId: created.id })).data);
    expect(log).not.toContain(created.secret);
    expect(log).not.toContain(rotated.secret);
    await expect(endpoints.retrieve(created.id)).rejects.toMatchObject({ status: 404 });

    const spec = (await (await fetch(`${platform.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/webhook-endpoints', '/v1/tenants/{tenantId}/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver']),
    );
  });

  it('refuses bad endpoint input with 400 and the field', async () => {
    const bad = async (params: unknown) => {
      const error = await hr.webhookEndpoints.create(params as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      return (error as BadRequestError).details?.map((d) => d.field);
    };
    expect(await bad({ url: 'https://user:pass@hooks.example.com/', enabledEvents: ['*'] })).toContain('url');
    expect(await bad({ url: 'ftp://hooks.example.com/', enabledEvents: ['*'] })).toContain('url');
    expect(await bad({ url: 'not a url', enabledEvents: ['*'] })).toContain('url');
    expect(await bad({ url: 'https://hooks.example.com/', enabledEvents: ['tenant.exploded'] })).toEqual(expect.arrayContaining([expect.stringMatching(/^enabledEvents/)]));
    expect(await bad({ url: 'https://hooks.example.com/', enabledEvents: [] })).toEqual(expect.arrayContaining([expect.stringMatching(/^enabledEvents/)]));
  });
});

describe('webhook failures and redelivery', () => {
  it('shows the tenant a failure class, never the socket error or a followed redirect', async () => {
    const { tenant } = await newTenant();
    const endpoints = hr.tenant(tenant.id).webhookEndpoints;
    // A port nothing listens on: the log used to say ECONNREFUSED here and a timeout elsewhere.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hooks`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await endpoints.create({ url: closedUrl, enabledEvents: ['tenant.updated'] });
    const redirecting = await receiver();
    redirecting.respond = () => 302;
    const redirected = await endpoints.create({ url: redirecting.url, enabledEvents: ['tenant.updated'] });
    await hr.tenant(tenant.id).update({ name: 'Failing' });

    const firstAttempt = (id: string) =>
      until(`an attempt for ${id}`, async () => (await endpoints.deliveries.list(id)).data[0]?.attempts[0]);
    expect(await firstAttempt(refused.id)).toMatchObject({ statusCode: null, error: 'connection_failed' });
    expect(await firstAttempt(redirected.id)).toMatchObject({ statusCode: 302, error: 'http_error' });
    expect(redirecting.received).toHaveLength(1);
    await endpoints.update(refused.id, { status: 'disabled' });
    await endpoints.update(redirected.id, { status: 'disabled' });
  });

  it('limits redeliveries per tenant: past ten a minute, 429 rate_limited with Retry-After, other tenants unaffected', async () => {
    const inbox = await receiver();
    const a = await newTenant();
    const asA = new Highrise({ baseUrl: platform.url, apiKey: a.adminKey!.secret, maxRetries: 0 });
    const endpoints = asA.tenant(a.tenant.id).webhookEndpoints;
    const endpoint = await endpoints.create({ url: inbox.url, enabledEvents: ['tenant.updated'] });
    const second = await endpoints.create({ url: inbox.url, enabledEvents: ['tenant.updated'] });
    await hr.tenant(a.tenant.id).update({ name: 'Redelivered' });
    const delivered = (id: string) => until(`delivered to ${id}`, async () => (await endpoints.deliveries.list(id)).data.find((d) => d.status === 'delivered'));
    const original = await delivered(endpoint.id);
    const originalOfSecond = await delivered(second.id);

    for (let i = 0; i < 10; i++) expect((await endpoints.redeliver(endpoint.id, original.id)).status).toBe('pending');
    const limited = await expectApiError(endpoints.redeliver(endpoint.id, original.id));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.code).toBe('rate_limited');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Another endpoint of the same tenant does not buy more redeliveries.
    expect((await expectApiError(endpoints.redeliver(second.id, originalOfSecond.id))).status).toBe(429);

    const b = await newTenant();
    const other = await hr.tenant(b.tenant.id).webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.updated'] });
    await hr.tenant(b.tenant.id).update({ name: 'Unaffected' });
    const otherDelivery = await until('delivered to B', async () => (await hr.tenant(b.tenant.id).webhookEndpoints.deliveries.list(other.id)).data.find((d) => d.status === 'delivered'));
    expect((await hr.tenant(b.tenant.id).webhookEndpoints.redeliver(other.id, otherDelivery.id)).status).toBe('pending');
  });

  it('holds the limit under 20 parallel redeliveries: exactly ten queued, ten 429; a refused one gives its slot back', async () => {
    const inbox = await receiver();
    const a = await newTenant();
    const asA = new Highrise({ baseUrl: platform.url, apiKey: a.adminKey!.secret, maxRetries: 0 });
    const endpoints = asA.tenant(a.tenant.id).webhookEndpoints;
    const endpoint = await endpoints.create({ url: inbox.url, enabledEvents: ['tenant.updated'] });
    await hr.tenant(a.tenant.id).update({ name: 'Parallel' });
    const original = await until('delivered', async () => (await endpoints.deliveries.list(endpoint.id)).data.find((d) => d.status === 'delivered'));

    // Unknown deliveries are refused with 404 and must not use up the allowance.
    for (let i = 0; i < 3; i++) expect((await expectApiError(endpoints.redeliver(endpoint.id, 'whd_00000000000000000000000000'))).status).toBe(404);

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => endpoints.redeliver(endpoint.id, original.id)));
    const queued = outcomes.filter((o) => o.status === 'fulfilled');
    const limited = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof RateLimitError);
    expect(queued).toHaveLength(10);
    expect(limited).toHaveLength(10);
    // What the tenant sees agrees: the original plus ten redeliveries.
    expect((await endpoints.deliveries.list(endpoint.id, { limit: 100 })).data).toHaveLength(11);
  });
});

describe('webhook destinations', () => {
  /** The platform as an operator runs it by default: private destinations refused. */
  let guarded: TestPlatform;
  let tenantId: string;
  let admin: Highrise;
  let publicEndpointId: string;

  beforeAll(async () => {
    guarded = await startTestPlatform('webhook-destinations', { webhooks: DELIVERY });
    const created = await guarded.createTenant('destinations', 'Destinations');
    tenantId = created.created.tenant.id;
    admin = created.admin;
    publicEndpointId = (await admin.tenant(tenantId).webhookEndpoints.create({ url: 'https://hooks.example.com/a', enabledEvents: ['*'], status: 'disabled' })).id;
  });
  afterAll(() => guarded?.close());

  const FORBIDDEN = [
    'http://127.0.0.1:6379/',
    'http://127.0.0.1:22/probe',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0x7f.0.0.1/',
    'http://0177.0.0.1/',
    'http://localhost:8080/',
    'http://LocalHost./',
    'http://api.localhost/',
    'http://[::1]:8080/',
    'http://[::]/',
    'http://0.0.0.0:5432/',
    'http://0/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://100.64.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://198.18.0.1/',
    'http://224.0.0.1/',
    'http://240.0.0.1/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::127.0.0.1]/',
    'http://[64:ff9b::a00:1]/',
  ];

  it.each(FORBIDDEN)('refuses %s on create and on update with 400 webhook_url_forbidden on `url`', async (url) => {
    const onCreate = await expectApiError(admin.tenant(tenantId).webhookEndpoints.create({ url, enabledEvents: ['*'] }));
    expect([onCreate.status, onCreate.code, onCreate.details?.map((d) => d.field)]).toEqual([400, 'webhook_url_forbidden', ['url']]);
    const onUpdate = await expectApiError(admin.tenant(tenantId).webhookEndpoints.update(publicEndpointId, { url }));
    expect([onUpdate.status, onUpdate.code, onUpdate.details?.map((d) => d.field)]).toEqual([400, 'webhook_url_forbidden', ['url']]);
  });

  it('refuses them at the provider level too, and keeps other schemes and credentials in the URL a validation error', async () => {
    const provider = await expectApiError(guarded.provider.webhookEndpoints.create({ url: 'http://169.254.169.254/', enabledEvents: ['*'] }));
    expect([provider.status, provider.code]).toEqual([400, 'webhook_url_forbidden']);
    for (const url of ['ftp://hooks.example.com/', 'file:///etc/passwd', 'gopher://127.0.0.1:25/', 'https://user:pw@hooks.example.com/']) {
      const error = await expectApiError(admin.tenant(tenantId).webhookEndpoints.create({ url, enabledEvents: ['*'] }));
      expect([error.status, error.code, error.details?.map((d) => d.field)], url).toEqual([400, 'validation_error', ['url']]);
    }
    expect((await admin.tenant(tenantId).webhookEndpoints.retrieve(publicEndpointId)).url).toBe('https://hooks.example.com/a');
  });

  it.each(['https://hooks.example.com/highrise', 'http://8.8.8.8:8080/x', 'http://[2606:4700:4700::1111]/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b::808:808]/'])(
    'accepts the public destination %s',
    async (url) => {
      const endpoint = await admin.tenant(tenantId).webhookEndpoints.create({ url, enabledEvents: ['*'], status: 'disabled' });
      expect(endpoint.url).toBe(url);
      await admin.tenant(tenantId).webhookEndpoints.delete(endpoint.id);
    },
  );
});

describe('webhook delivery across a restart', () => {
  it('delivers after a restart what was pending, including an attempt cut off mid-flight', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-webhooks-restart-'));
    const inbox = await receiver();
    inbox.respond = () => 'hang';
    let first: Platform | undefined = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, webhooks: WEBHOOKS });
    let second: Platform | undefined;
    try {
      const client = new Highrise({ baseUrl: first.url, apiKey: bootstrapKey, maxRetries: 0 });
      const endpoint = await client.webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.created'] });
      const { tenant } = await client.tenants.create({ name: 'Restart', slug: 'restart-co' });
      await until('the attempt started', () => inbox.received.length === 1);
      await first.close(); // the receiver never answered: the attempt is cut off
      first = undefined;

      inbox.respond = () => 200;
      second = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, webhooks: WEBHOOKS });
      const again = new Highrise({ baseUrl: second.url, apiKey: bootstrapKey, maxRetries: 0 });
      const delivery = await until('delivered after the restart', async () => {
        const [d] = (await again.webhookEndpoints.deliveries.list(endpoint.id)).data;
        return d?.status === 'delivered' ? d : undefined;
      });
      // The interrupted attempt left no outcome; the one after the restart is the logged one.
      expect(delivery.attempts.map((a) => a.statusCode)).toEqual([200]);
      const events = await eventsOf(inbox, endpoint.secret);
      expect(events.map((e) => (e.type.startsWith('tenant.limit_') ? undefined : (e.data as { id: string }).id))).toEqual([tenant.id, tenant.id]);
    } finally {
      await first?.close();
      await second?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses at delivery an endpoint stored while private destinations were allowed, once the operator stops allowing them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-webhooks-optout-'));
    const inbox = await receiver();
    let first: Platform | undefined = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, webhooks: WEBHOOKS });
    let second: Platform | undefined;
    try {
      const client = new Highrise({ baseUrl: first.url, apiKey: bootstrapKey, maxRetries: 0 });
      const byAddress = await client.webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.created'] });
      // A name, so the refusal comes from the address it resolves to when the delivery connects.
      const byName = await client.webhookEndpoints.create({ url: inbox.url.replace('127.0.0.1', 'localhost'), enabledEvents: ['tenant.created'] });
      await first.close();
      first = undefined;

      second = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, webhooks: DELIVERY });
      const again = new Highrise({ baseUrl: second.url, apiKey: bootstrapKey, maxRetries: 0 });
      await again.tenants.create({ name: 'Opted out', slug: 'opted-out-co' });
      for (const endpoint of [byAddress, byName]) {
        const attempt = await until(`an attempt for ${endpoint.url}`, async () => (await again.webhookEndpoints.deliveries.list(endpoint.id)).data[0]?.attempts[0]);
        expect(attempt, endpoint.url).toMatchObject({ statusCode: null, error: 'destination_forbidden' });
      }
      expect(inbox.received).toHaveLength(0);
    } finally {
      await first?.close();
      await second?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does no delivery work after close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-webhooks-close-'));
    const inbox = await receiver();
    inbox.respond = () => 500;
    const p = await startPlatform({ port: 0, dataDir: dir, bootstrapKey, webhooks: WEBHOOKS });
    try {
      const client = new Highrise({ baseUrl: p.url, apiKey: bootstrapKey, maxRetries: 0 });
      await client.webhookEndpoints.create({ url: inbox.url, enabledEvents: ['tenant.created'] });
      await client.tenants.create({ name: 'Closing', slug: 'closing-co' });
      await until('first attempt', () => inbox.received.length >= 1);
    } finally {
      await p.close();
    }
    const count = inbox.received.length;
    await sleep(RETRY_BASE_MS * 3);
    expect(inbox.received.length).toBe(count);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('verifyWebhook', () => {
  const secret = 'whsec_unitTestSecret0000000000000000';
  const body = JSON.stringify({ id: 'evt_01JD8X3E5Q7R2T4V6W8Y0Z1A2B', type: 'tenant.created', createdAt: '2026-11-28T10:00:00.000Z', tenantId: null, data: { id: 'x' } });
  const now = 1_790_000_000;

  it('returns the event for a body signed with the secret, given as text or bytes', async () => {
    const header = await buildWebhookSignatureHeader(body, secret, { timestamp: now });
    expect((await verifyWebhook(body, header, secret, { now: now * 1000 })).type).toBe('tenant.created');
    expect((await verifyWebhook(new TextEncoder().encode(body), header, secret, { now: new Date(now * 1000) })).id).toMatch(/^evt_/);
  });

  it('refuses a tampered body', async () => {
    const header = await buildWebhookSignatureHeader(body, secret, { timestamp: now });
    await expect(verifyWebhook(body.replace('tenant.created', 'tenant.updated'), header, secret, { now: now * 1000 })).rejects.toMatchObject({
      name: 'WebhookVerificationError',
      reason: 'no_matching_signature',
    });
  });

  it('refuses the wrong secret', async () => {
    const header = await buildWebhookSignatureHeader(body, 'whsec_other', { timestamp: now });
    await expect(verifyWebhook(body, header, secret, { now: now * 1000 })).rejects.toMatchObject({ reason: 'no_matching_signature' });
  });

  it('refuses a timestamp outside the tolerance, either way, and honours a custom tolerance', async () => {
    const header = await buildWebhookSignatureHeader(body, secret, { timestamp: now });
    await expect(verifyWebhook(body, header, secret, { now: (now + 301) * 1000 })).rejects.toMatchObject({ reason: 'timestamp_out_of_tolerance' });
    await expect(verifyWebhook(body, header, secret, { now: (now - 301) * 1000 })).rejects.toMatchObject({ reason: 'timestamp_out_of_tolerance' });
    expect((await verifyWebhook(body, header, secret, { now: (now + 900) * 1000, toleranceSeconds: 1000 })).type).toBe('tenant.created');
    // Re-signing a stale body with a fresh timestamp is impossible without the secret: the timestamp is signed.
    const forged = header.replace(`t=${now}`, `t=${now + 1000}`);
    await expect(verifyWebhook(body, forged, secret, { now: (now + 1000) * 1000 })).rejects.toMatchObject({ reason: 'no_matching_signature' });
  });

  it('accepts any one of several v1 signatures (secret rotation)', async () => {
    const old = await buildWebhookSignatureHeader(body, 'whsec_old', { timestamp: now });
    const fresh = await buildWebhookSignatureHeader(body, secret, { timestamp: now });
    const both = `${old},${fresh.split(',')[1]}`;
    expect((await verifyWebhook(body, both, secret, { now: now * 1000 })).type).toBe('tenant.created');
    expect((await verifyWebhook(body, both, 'whsec_old', { now: now * 1000 })).type).toBe('tenant.created');
  });

  it('refuses malformed headers and bodies that are not events', async () => {
    for (const header of ['', 'garbage', `t=${now}`, 'v1=' + 'a'.repeat(64), `t=abc,v1=${'a'.repeat(64)}`, `t=${now},v1=xyz`]) {
      await expect(verifyWebhook(body, header, secret, { now: now * 1000 }), header).rejects.toMatchObject({ reason: 'malformed_header' });
    }
    const notJson = 'hello';
    await expect(verifyWebhook(notJson, await buildWebhookSignatureHeader(notJson, secret, { timestamp: now }), secret, { now: now * 1000 })).rejects.toMatchObject({ reason: 'malformed_body' });
    const notEvent = '{"hello":1}';
    await expect(verifyWebhook(notEvent, await buildWebhookSignatureHeader(notEvent, secret, { timestamp: now }), secret, { now: now * 1000 })).rejects.toMatchObject({ reason: 'malformed_body' });
  });
});
