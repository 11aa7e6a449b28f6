import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  Highrise,
  HighriseError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ResponseValidationError,
  SDK_VERSION,
  Tenant,
  UnsupportedMediaTypeError,
  isPayloadTooLargeError,
  type Extension,
} from './index';

// A scripted HTTP server on loopback: it stands in for the network (status codes, headers,
// delays, broken bodies), not for the platform, which test/sdk.test.ts uses for real.

interface Reply {
  status: number;
  body?: unknown;
  /** Sent as-is instead of JSON. */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}
interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
});

async function scripted(replies: Reply[]) {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
    const reply = replies[requests.length - 1] ?? { status: 599, body: { error: { code: 'script_exhausted', message: 'no more replies', requestId: 'x' } } };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status, { 'content-type': reply.raw ? 'text/html' : 'application/json', ...reply.headers });
    res.end(payload);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, client: (options: Partial<ConstructorParameters<typeof Highrise>[0]> = {}) => new Highrise({ baseUrl: url, apiKey: 'hr_test_key', ...options }) };
}

const now = '2026-11-28T10:00:00.000Z';
const tenant: Tenant = {
  id: 'ten_01JD8X3E5Q7R2T4V6W8Y0Z1A2B',
  object: 'tenant',
  name: 'Acme Dental',
  slug: 'acme-dental',
  status: 'active',
  sipDomain: 'acme-dental.sip.localhost',
  resellerId: null,
  limits: { extensions: 100, channels: 10, messagesPerMinute: 600, storageBytes: 104857600, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 },
  createdAt: now,
  updatedAt: now,
  deletedAt: null,
  purgeAt: null,
};
const extension: Extension = {
  id: 'ext_01JD8X3E5Q7R2T4V6W8Y0Z1A2C',
  object: 'extension',
  tenantId: tenant.id,
  number: '101',
  displayName: 'Reception',
  sipUri: 'sip:101@acme-dental.sip.localhost',
  createdAt: now,
  updatedAt: now,
};
const failure = (code: string, message = code) => ({ error: { code, message, requestId: `req_${code}` } });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requests', () => {
  it('sends the key, the API version and a JSON body, and parses the response with the contract', async () => {
    const { client, requests } = await scripted([{ status: 201, body: { tenant } }]);
    const created = await client().tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
    expect(created).toEqual({ tenant });
    const [sent] = requests;
    expect(sent).toMatchObject({ method: 'POST', url: '/v1/tenants', body: { name: 'Acme Dental', slug: 'acme-dental' } });
    expect(sent!.headers).toMatchObject({
      authorization: 'Bearer hr_test_key',
      'highrise-version': API_VERSION,
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(sent!.headers['idempotency-key']).toMatch(uuid);
  });

  it('sends no Idempotency-Key on reads', async () => {
    const { client, requests } = await scripted([{ status: 200, body: tenant }]);
    await client().tenants.retrieve(tenant.id);
    expect(requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('gives every SDK call its own Idempotency-Key', async () => {
    const { client, requests } = await scripted([{ status: 201, body: { tenant } }, { status: 201, body: { tenant } }]);
    const hr = client();
    await hr.tenants.create({ name: 'A', slug: 'a1' });
    await hr.tenants.create({ name: 'A', slug: 'a1' });
    expect(requests[0]!.headers['idempotency-key']).not.toBe(requests[1]!.headers['idempotency-key']);
  });

  it('lets a caller pin the version, add headers, and override them per request', async () => {
    const { client, requests } = await scripted([{ status: 200, body: tenant }]);
    const hr = client({ version: '2027-01-01', headers: { 'x-reseller-ref': 'shop-9', 'x-trace': 'client' } });
    await hr.tenants.retrieve(tenant.id, { headers: { 'x-trace': 'call' } });
    expect(requests[0]!.headers).toMatchObject({ 'highrise-version': '2027-01-01', 'x-reseller-ref': 'shop-9', 'x-trace': 'call' });
  });

  it('percent-encodes ids so they cannot change the route', async () => {
    const { client, requests } = await scripted([{ status: 200, body: extension }]);
    await client().tenant('ten_1/../x').extensions.retrieve('ext_1?admin=1');
    expect(requests[0]!.url).toBe('/v1/tenants/ten_1%2F..%2Fx/extensions/ext_1%3Fadmin%3D1');
  });

  it('routes every resource method to its path and verb', async () => {
    const token = { token: 't', expiresAt: now, sipUri: extension.sipUri, wsUrl: 'ws://127.0.0.1/sip', iceServers: [] };
    const { client, requests } = await scripted([
      { status: 200, body: { ...tenant, name: 'Acme' } },
      { status: 200, body: tenant },
      { status: 201, body: { ...extension, sipPassword: 'correct-horse-battery' } },
      { status: 200, body: { ...extension, displayName: 'Front desk' } },
      { status: 200, body: { id: extension.id, object: 'extension', deleted: true } },
      { status: 201, body: token },
    ]);
    const acme = client().tenant(tenant.id);
    expect((await acme.update({ name: 'Acme' })).name).toBe('Acme');
    await acme.retrieve();
    expect((await acme.extensions.create({ number: '101', displayName: 'Reception' })).sipPassword).toBe('correct-horse-battery');
    await acme.extensions.update(extension.id, { displayName: 'Front desk' });
    expect(await acme.extensions.delete(extension.id)).toEqual({ id: extension.id, object: 'extension', deleted: true });
    expect(await acme.softphoneTokens.create({ extension: '101', ttlSeconds: 600 })).toEqual(token);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PATCH /v1/tenants/${tenant.id}`,
      `GET /v1/tenants/${tenant.id}`,
      `POST /v1/tenants/${tenant.id}/extensions`,
      `PATCH /v1/tenants/${tenant.id}/extensions/${extension.id}`,
      `DELETE /v1/tenants/${tenant.id}/extensions/${extension.id}`,
      `POST /v1/tenants/${tenant.id}/softphone-tokens`,
    ]);
    expect(requests[5]!.body).toEqual({ extension: '101', ttlSeconds: 600 });
  });

  it('scopes to a tenant by making a new object, leaving the client as it was', () => {
    const hr = new Highrise({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
    const a = hr.tenant('ten_a');
    const b = hr.tenant('ten_b');
    expect([a.id, b.id, a.extensions.tenantId]).toEqual(['ten_a', 'ten_b', 'ten_a']);
    expect(Object.keys(hr)).not.toContain('extensions');
    const slower = hr.withOptions({ timeout: 60_000 });
    expect([hr.timeout, slower.timeout]).toEqual([30_000, 60_000]);
  });

  it('refuses a client without a key or with a relative base URL', () => {
    expect(() => new Highrise({ baseUrl: 'http://127.0.0.1', apiKey: '' })).toThrow(HighriseError);
    expect(() => new Highrise({ baseUrl: '/api', apiKey: 'k' })).toThrow(/baseUrl/);
    expect(() => new Highrise({ baseUrl: 'http://127.0.0.1', apiKey: 'k', maxRetries: -1 })).toThrow(/maxRetries/);
  });
});

describe('errors from responses', () => {
  it('throws the class of the status with the envelope fields', async () => {
    const { client } = await scripted([
      { status: 409, body: { error: { code: 'extension_exists', message: 'Extension 101 already exists', requestId: 'req_9' } } },
    ]);
    const error = await client().tenant(tenant.id).extensions.create({ number: '101', displayName: 'Dup' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: 'extension_exists', message: 'Extension 101 already exists', requestId: 'req_9' });
  });

  it('rejects a 2xx body that breaks the contract with ResponseValidationError', async () => {
    const { sipDomain: _, ...withoutSipDomain } = tenant;
    const { client } = await scripted([{ status: 200, body: withoutSipDomain, headers: { 'request-id': 'req_shape' } }]);
    const error = await client().tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 200, requestId: 'req_shape', body: withoutSipDomain });
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['sipDomain']]);
    expect((error as Error).message).toContain('sipDomain');
  });

  it('rejects a 2xx body that is not JSON with ResponseValidationError', async () => {
    const { client } = await scripted([{ status: 200, raw: '<html>captive portal</html>' }]);
    await expect(client().tenants.retrieve(tenant.id)).rejects.toBeInstanceOf(ResponseValidationError);
  });
});

describe('retries', () => {
  it('retries a failed POST with the same Idempotency-Key and returns the eventual answer', async () => {
    const { client, requests } = await scripted([
      { status: 503, body: failure('internal_error'), headers: { 'retry-after': '0' } },
      { status: 500, body: failure('internal_error'), headers: { 'retry-after': '0' } },
      { status: 201, body: { tenant } },
    ]);
    const created = await client().tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
    expect(created.tenant.id).toBe(tenant.id);
    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(uuid);
  });

  it('uses the caller’s idempotencyKey on every attempt', async () => {
    const { client, requests } = await scripted([
      { status: 429, body: failure('rate_limited'), headers: { 'retry-after': '0' } },
      { status: 201, body: { tenant } },
    ]);
    await client().tenants.create({ name: 'Acme Dental', slug: 'acme-dental' }, { idempotencyKey: 'order-4711' });
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['order-4711', 'order-4711']);
  });

  it('retries 409 idempotency_key_in_use but not a real conflict', async () => {
    const inUse = await scripted([
      { status: 409, body: failure('idempotency_key_in_use'), headers: { 'retry-after': '0' } },
      { status: 201, body: { tenant } },
    ]);
    await expect(inUse.client().tenants.create({ name: 'A', slug: 'acme' })).resolves.toEqual({ tenant });
    expect(inUse.requests).toHaveLength(2);

    const taken = await scripted([{ status: 409, body: failure('tenant_exists') }, { status: 201, body: { tenant } }]);
    await expect(taken.client().tenants.create({ name: 'A', slug: 'acme' })).rejects.toMatchObject({ code: 'tenant_exists' });
    expect(taken.requests).toHaveLength(1);
  });

  it('does not retry what will fail again (400, 401, 404)', async () => {
    const { client, requests } = await scripted([
      { status: 400, body: failure('validation_error') },
      { status: 401, body: failure('unauthenticated') },
      { status: 404, body: failure('not_found') },
    ]);
    const hr = client();
    await expect(hr.tenants.create({ name: '', slug: 'x' })).rejects.toBeInstanceOf(BadRequestError);
    await expect(hr.tenants.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(hr.tenants.retrieve('ten_x')).rejects.toBeInstanceOf(NotFoundError);
    expect(requests).toHaveLength(3);
  });

  it('honours Retry-After before trying again', async () => {
    const { client, requests } = await scripted([
      { status: 429, body: failure('rate_limited'), headers: { 'retry-after': '1' } },
      { status: 200, body: tenant },
    ]);
    const started = performance.now();
    await client().tenants.retrieve(tenant.id);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
  });

  it('backs off on its own when the server gives no Retry-After', async () => {
    const { client } = await scripted([{ status: 502, body: failure('internal_error') }, { status: 200, body: tenant }]);
    const started = performance.now();
    await client().tenants.retrieve(tenant.id);
    // First retry waits 500 ms less up to 25% jitter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const busy = { status: 429, body: failure('rate_limited'), headers: { 'retry-after': '0' } };
    const { client, requests } = await scripted([busy, busy, busy, busy]);
    const error = await client({ maxRetries: 1 }).tenants.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ requestId: 'req_rate_limited' });
    expect(requests).toHaveLength(2);
  });

  it('takes maxRetries per request', async () => {
    const { client, requests } = await scripted([{ status: 500, body: failure('internal_error') }]);
    await expect(client().tenants.retrieve(tenant.id, { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
  });
});

describe('connection failures', () => {
  it('turns a slow answer into APIConnectionTimeoutError after retrying', async () => {
    const slow = { status: 200, body: tenant, delayMs: 2_000 };
    const { client, requests } = await scripted([slow, slow]);
    const error = await client({ timeout: 100, maxRetries: 1 }).tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(requests).toHaveLength(2);
  });

  it('takes the timeout per request', async () => {
    const { client } = await scripted([{ status: 200, body: tenant, delayMs: 2_000 }]);
    await expect(client().tenants.retrieve(tenant.id, { timeout: 50, maxRetries: 0 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('turns a refused connection into APIConnectionError', async () => {
    const { url } = await scripted([]);
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const error = await new Highrise({ baseUrl: url, apiKey: 'k', maxRetries: 0 }).tenants.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toContain(url);
  });

  it('stops at once when the caller aborts, also while waiting to retry', async () => {
    const { client, requests } = await scripted([
      { status: 200, body: tenant, delayMs: 2_000 },
      { status: 503, body: failure('internal_error'), headers: { 'retry-after': '30' } },
    ]);
    const inFlight = new AbortController();
    setTimeout(() => inFlight.abort(), 50);
    await expect(client().tenants.retrieve(tenant.id, { signal: inFlight.signal })).rejects.toBeInstanceOf(APIUserAbortError);

    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 200);
    const started = performance.now();
    await expect(client().tenants.retrieve(tenant.id, { signal: waiting.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(requests).toHaveLength(2);
  });
});

describe('aborting after an answer', () => {
  it('leaves no unhandled rejection when the signal aborts after the call succeeded or while a retry waits', async () => {
    const { client } = await scripted([
      { status: 200, body: tenant },
      { status: 503, body: failure('internal_error'), headers: { 'retry-after': '30' } },
    ]);
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const done = new AbortController();
      await client({ onResponse: () => {} }).tenants.retrieve(tenant.id, { signal: done.signal });
      done.abort(); // a component unmounting after its request finished
      const waiting = new AbortController();
      setTimeout(() => waiting.abort(), 100);
      await expect(client({ onResponse: () => {} }).tenants.retrieve(tenant.id, { signal: waiting.signal })).rejects.toBeInstanceOf(APIUserAbortError);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('portability', () => {
  it('imports nothing Node-only outside tests, so the SDK runs in browsers', async () => {
    const root = new URL('.', import.meta.url).pathname;
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = await readFile(join(root, file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      expect(imports.filter((name) => !name.startsWith('.') && name !== 'zod' && name !== 'ky'), file).toEqual([]);
    }
  });
});

describe('forward compatibility of responses', () => {
  const fromNewerPlatform = { ...tenant, status: 'archived', region: 'eu-west', limits: { ...tenant.limits, extensions: 5_000_000 } };

  it('accepts by default a new enum value, a raised bound and new fields, and keeps the new fields', async () => {
    const { client } = await scripted([{ status: 200, body: fromNewerPlatform }]);
    const got = await client().tenants.retrieve(tenant.id);
    expect(got).toEqual(fromNewerPlatform);
    const status: Tenant['status'] = got.status; // typed 'active' | 'suspended' | (string & {})
    expect(status).toBe('archived');
    expect((got as unknown as { region: string }).region).toBe('eu-west');
  });

  it('still rejects by default a missing field or a wrong type', async () => {
    const { client } = await scripted([{ status: 200, body: { ...fromNewerPlatform, name: 42 } }]);
    const error = await client().tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['name']]);
  });

  it("validateResponses: 'strict' rejects the unknown enum value and drops unknown fields of a valid body", async () => {
    const { client } = await scripted([{ status: 200, body: fromNewerPlatform }, { status: 200, body: { ...tenant, region: 'eu-west' } }]);
    const hr = client({ validateResponses: 'strict' });
    await expect(hr.tenants.retrieve(tenant.id)).rejects.toBeInstanceOf(ResponseValidationError);
    expect(await hr.tenants.retrieve(tenant.id)).toEqual(tenant);
  });

  it("validateResponses: 'warn' logs the mismatch and returns the body as received", async () => {
    const broken = { ...fromNewerPlatform, name: 42 };
    const { client } = await scripted([{ status: 200, body: broken, headers: { 'request-id': 'req_warn' } }]);
    const warnings: unknown[][] = [];
    const got = await client({ validateResponses: 'warn', logger: { warn: (...args: unknown[]) => warnings.push(args) } }).tenants.retrieve(tenant.id);
    expect(got).toEqual(broken);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]![0])).toContain('name');
    expect(warnings[0]![1]).toEqual({ requestId: 'req_warn' });
  });

  it("validateResponses: 'off' checks nothing", async () => {
    const { client } = await scripted([{ status: 200, body: { anything: true } }]);
    expect(await client({ validateResponses: 'off' }).tenants.retrieve(tenant.id)).toEqual({ anything: true });
  });

  it('refuses an unknown validateResponses mode', () => {
    expect(() => new Highrise({ baseUrl: 'http://x.test', apiKey: 'k', validateResponses: 'loose' as never })).toThrow(HighriseError);
  });
});

describe('response metadata', () => {
  it('puts the request id and the replay flag on every result, out of JSON', async () => {
    const { client } = await scripted([
      { status: 201, body: { tenant }, headers: { 'request-id': 'req_first' } },
      { status: 201, body: { tenant }, headers: { 'request-id': 'req_again', 'idempotent-replayed': 'true' } },
    ]);
    const hr = client();
    const first = await hr.tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
    expect(first._requestId).toBe('req_first');
    expect(first._idempotentReplayed).toBe(false);
    const again = await hr.tenants.create({ name: 'Acme Dental', slug: 'acme-dental' });
    expect(again._requestId).toBe('req_again');
    expect(again._idempotentReplayed).toBe(true);
    expect(Object.keys(again)).toEqual(['tenant']);
    expect(JSON.parse(JSON.stringify(again))).toEqual({ tenant });
  });

  it('withResponse() gives the data with the Response; asResponse() the Response alone, unread and unvalidated', async () => {
    const { client } = await scripted([
      { status: 200, body: tenant, headers: { 'request-id': 'req_w', 'x-extra': 'yes' } },
      { status: 200, body: { not: 'a tenant' } },
    ]);
    const hr = client();
    const { data, response, requestId, idempotentReplayed } = await hr.tenants.retrieve(tenant.id).withResponse();
    expect(data).toEqual(tenant);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(requestId).toBe('req_w');
    expect(idempotentReplayed).toBe(false);
    const raw = await hr.tenants.retrieve(tenant.id).asResponse();
    expect(raw.bodyUsed).toBe(false);
    expect(await raw.json()).toEqual({ not: 'a tenant' });
  });

  it('rejects withResponse() and asResponse() with the same typed error on a failure', async () => {
    const { client } = await scripted([{ status: 404, body: failure('not_found') }, { status: 404, body: failure('not_found') }]);
    const hr = client();
    await expect(hr.tenants.retrieve(tenant.id).withResponse()).rejects.toBeInstanceOf(NotFoundError);
    await expect(hr.tenants.retrieve(tenant.id).asResponse()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is a real Promise', async () => {
    const { client } = await scripted([{ status: 200, body: tenant }]);
    const call = client().tenants.retrieve(tenant.id);
    expect(call).toBeInstanceOf(Promise);
    const plain: Promise<Tenant> = call;
    expect((await plain).id).toBe(tenant.id);
  });
});

describe('logging, hooks and identification', () => {
  it('calls onRequest before and onResponse after every attempt, retries included, and lets onRequest add headers', async () => {
    const { client, requests } = await scripted([
      { status: 503, body: failure('internal_error'), headers: { 'retry-after': '0' } },
      { status: 200, body: tenant, headers: { 'request-id': 'req_ok' } },
    ]);
    const seen: string[] = [];
    const debug: string[] = [];
    await client({
      onRequest: (e) => {
        seen.push(`request ${e.method} ${new URL(e.url).pathname} #${e.attempt}`);
        e.headers.set('x-trace-id', `trace-${e.attempt}`);
      },
      onResponse: (e) => void seen.push(`response ${e.response.status} #${e.attempt} ${e.requestId}`),
      logger: { debug: (message) => debug.push(message) },
    }).tenants.retrieve(tenant.id);
    expect(seen).toEqual([
      `request GET /v1/tenants/${tenant.id} #0`,
      'response 503 #0 null',
      `request GET /v1/tenants/${tenant.id} #1`,
      'response 200 #1 req_ok',
    ]);
    expect(requests.map((r) => r.headers['x-trace-id'])).toEqual(['trace-0', 'trace-1']);
    expect(debug).toEqual([`highrise: GET /v1/tenants/${tenant.id} 503`, `highrise: GET /v1/tenants/${tenant.id} 200`]);
  });

  it('sends a User-Agent naming the SDK and Node, and SDK_VERSION is the package version', async () => {
    const { client, requests } = await scripted([{ status: 200, body: tenant }]);
    await client().tenants.retrieve(tenant.id);
    expect(requests[0]!.headers['user-agent']).toBe(`highrise-sdk-js/${SDK_VERSION} node/${process.versions.node}`);
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(manifest.version);
  });

  it('reads HIGHRISE_API_KEY and HIGHRISE_BASE_URL from the environment when not given', async () => {
    const { url, requests } = await scripted([{ status: 200, body: tenant }]);
    const saved = { key: process.env.HIGHRISE_API_KEY, base: process.env.HIGHRISE_BASE_URL };
    process.env.HIGHRISE_API_KEY = 'hr_test_fromenv';
    process.env.HIGHRISE_BASE_URL = url;
    try {
      const hr = new Highrise();
      expect(hr.baseUrl).toBe(url);
      await hr.tenants.retrieve(tenant.id);
      expect(requests[0]!.headers.authorization).toBe('Bearer hr_test_fromenv');
      // An explicit option wins over the environment.
      expect(new Highrise({ baseUrl: 'http://explicit.test' }).baseUrl).toBe('http://explicit.test');
    } finally {
      for (const [name, value] of [['HIGHRISE_API_KEY', saved.key], ['HIGHRISE_BASE_URL', saved.base]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses to start in a browser unless dangerouslyAllowBrowser says so', () => {
    const g = globalThis as Record<string, unknown>;
    const saved = { window: g.window, document: g.document, process: g.process };
    g.window = {};
    g.document = {};
    // A browser has no `process`; remove it for the duration (restored below).
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    try {
      expect(() => new Highrise({ baseUrl: 'https://pbx.example.com', apiKey: 'hr_live_secret' })).toThrow(/browser/);
      expect(new Highrise({ baseUrl: 'https://pbx.example.com', apiKey: 'hr_live_secret', dangerouslyAllowBrowser: true }).baseUrl).toBe(
        'https://pbx.example.com',
      );
    } finally {
      Object.defineProperty(globalThis, 'process', { value: saved.process, configurable: true, writable: true });
      if (saved.window === undefined) delete g.window;
      if (saved.document === undefined) delete g.document;
    }
  });
});

describe('retry control', () => {
  it('never retries a 429 the platform marks x-should-retry: false (a failed-authentication throttle)', async () => {
    const { client, requests } = await scripted([
      // 50 s, under the cap: a client that waited it out would run past the test's timeout.
      { status: 429, body: failure('rate_limited'), headers: { 'retry-after': '50', 'x-should-retry': 'false' } },
      { status: 200, body: tenant },
    ]);
    const error = await client().tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(50);
    expect(requests).toHaveLength(1);
  });

  it('retries what x-should-retry: true asks for, even a status it would not retry', async () => {
    const { client, requests } = await scripted([
      { status: 400, body: failure('validation_error'), headers: { 'x-should-retry': 'true', 'retry-after': '0' } },
      { status: 200, body: tenant },
    ]);
    expect((await client().tenants.retrieve(tenant.id)).id).toBe(tenant.id);
    expect(requests).toHaveLength(2);
  });

  it('gives up at once when Retry-After exceeds the cap, with retryAfter on the error', async () => {
    const { client, requests } = await scripted([
      { status: 429, body: failure('rate_limited'), headers: { 'retry-after': '3600' } },
      { status: 200, body: tenant },
    ]);
    // At once: a client that waited out the hour would run past the test's timeout.
    const error = await client().tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(3600);
    expect(requests).toHaveLength(1);
  });

  it('maps 413 and 415 to their own classes', async () => {
    const { client } = await scripted([
      { status: 413, body: failure('payload_too_large') },
      { status: 415, body: failure('unsupported_media_type') },
    ]);
    const hr = client();
    const tooLarge = await hr.tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
    expect(isPayloadTooLargeError(tooLarge)).toBe(true);
    const wrongType = await hr.tenants.retrieve(tenant.id).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(wrongType).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });
});
