// The HTTP API of the real platform, spoken to with raw fetch: started in-process on a free
// loopback port with a fresh SQLite directory. Every response is parsed with the SDK's schema.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { routeTable, startPlatform, type Platform } from '@highrise/platform';
import {
  Deleted,
  ErrorBody,
  Extension,
  ExtensionList,
  ExtensionWithPassword,
  Reseller,
  ResellerList,
  SoftphoneToken,
  Tenant,
  TenantCreateResponse,
  TenantList,
} from '@highrise/sdk/schemas';

const bootstrapKey = 'hr_test_bootstrap_api_integration_0001';
const MISSING_TENANT = 'ten_00000000000000000000000000';
const MISSING_EXTENSION = 'ext_00000000000000000000000000';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let dataDir: string;
/** Every body the platform sent during this file, checked for leaked stack traces at the end. */
const bodies: string[] = [];

interface Call {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(method: string, path: string, options: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? bootstrapKey : options.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${platform.url}${path}`, { method, headers, body });
  const text = await response.text();
  bodies.push(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  expect(response.headers.get('Request-Id'), `${method} ${path} has a Request-Id`).toMatch(/^req_/);
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts the error envelope and returns its `error`. */
function expectError(result: Call, status: number, code: string) {
  expect(result.status, result.text).toBe(status);
  const { error } = ErrorBody.parse(result.json);
  expect(error.code).toBe(code);
  expect(error.requestId).toBe(result.headers.get('Request-Id'));
  return error;
}

async function createTenant(slug: string, extra: Record<string, unknown> = {}) {
  const result = await call('POST', '/v1/tenants', { body: { name: `Tenant ${slug}`, slug, ...extra } });
  expect(result.status, result.text).toBe(201);
  return TenantCreateResponse.parse(result.json);
}

async function createExtension(tenantId: string, number: string, key: string = bootstrapKey) {
  const result = await call('POST', `/v1/tenants/${tenantId}/extensions`, { key, body: { number, displayName: `Ext ${number}` } });
  expect(result.status, result.text).toBe(201);
  return ExtensionWithPassword.parse(result.json);
}

beforeAll(async () => {
  testPlatform = await startTestPlatform('api', { bootstrapKey });
  ({ platform, dataDir } = testPlatform);
});

afterAll(async () => {
  await testPlatform?.close();
});

describe('basics', () => {
  it('answers /healthz', async () => {
    const result = await call('GET', '/healthz', { key: null });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ ok: true });
  });

  it('listens on a real port and says where the SIP edge is', () => {
    expect(platform.port).toBeGreaterThan(0);
    expect(platform.url).toBe(`http://127.0.0.1:${platform.port}`);
    expect(platform.wsUrl).toBe(`ws://127.0.0.1:${platform.port}/sip`);
  });

  it('serves an OpenAPI document that lists every route of the table', async () => {
    const result = await call('GET', '/openapi.json', { key: null });
    expect(result.status).toBe(200);
    expect(result.json.openapi).toBe('3.1.0');
    for (const route of routeTable) {
      const operation = result.json.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.operationId);
    }
    const operations = Object.values(result.json.paths as Record<string, object>).flatMap((p) => Object.keys(p));
    expect(operations).toHaveLength(routeTable.length);
    const { schemas } = result.json.components;
    expect(schemas.Tenant.properties.sipDomain).toBeDefined();
    expect(JSON.stringify(result.json)).not.toMatch(/"\$id"|"\$schema"/);
    // Every $ref points at a component that exists.
    for (const [, id] of JSON.stringify(result.json).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(schemas, id).toHaveProperty(id!);
    // Request bodies are documented as sent: a defaulted field is optional.
    expect(schemas.SoftphoneTokenCreateParams.required).toEqual(['extension']);
    expect(result.json.paths['/v1/tenants'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TenantCreateParams' });
  });

  it('lists each operation\'s own error codes, grouped by status', async () => {
    const { paths } = (await call('GET', '/openapi.json', { key: null })).json;
    const codesAt = (operation: { responses: Record<string, any> }, status: string): string[] =>
      operation.responses[status]?.content['application/json'].schema.allOf[1].properties.error.properties.code.enum ?? [];
    const create = paths['/v1/tenants/{tenantId}/extensions'].post;
    expect(codesAt(create, '409').sort()).toEqual(['extension_exists', 'idempotency_key_in_use']);
    expect(codesAt(create, '413')).toEqual(['payload_too_large']);
    expect(codesAt(create, '404')).toEqual(['not_found']);
    expect(create.responses['409'].description).toMatch(/`extension_exists`: /);
    // idempotency_key_in_use comes with Retry-After; a 404 has none.
    expect(Object.keys(create.responses['409'].headers)).toContain('Retry-After');
    expect(Object.keys(create.responses['404'].headers)).not.toContain('Retry-After');
    // A read has no body, so no 413, and no idempotency, so no 409.
    const read = paths['/v1/tenants/{tenantId}/extensions/{extensionId}'].get;
    expect(Object.keys(read.responses).sort()).toEqual(['200', '400', '401', '403', '404', '429', '500']);
    // A public route outside /v1 answers no authentication errors.
    expect(Object.keys(paths['/healthz'].get.responses).sort()).toEqual(['200', '400', '500']);
  });

  it('answers an unknown route with 404 route_not_found and a wrong method with 405', async () => {
    expectError(await call('GET', '/v1/nothing-here'), 404, 'route_not_found');
    expectError(await call('GET', '/nothing-here', { key: null }), 404, 'route_not_found');
    const wrongMethod = await call('PUT', '/v1/tenants');
    expectError(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('Allow')).toBe('POST, GET');
    expectError(await call('GET', '/v1/tenants/'), 404, 'route_not_found');
  });

  it('honours Highrise-Version and refuses a malformed or unknown one', async () => {
    const latest = await call('GET', '/v1/tenants');
    expect(latest.headers.get('Highrise-Version')).toBe('2026-12-01');
    const pinned = await call('GET', '/v1/tenants', { headers: { 'Highrise-Version': '2026-11-01' } });
    expect(pinned.headers.get('Highrise-Version')).toBe('2026-11-01');
    const bad = expectError(await call('GET', '/v1/tenants', { headers: { 'Highrise-Version': '2026-13-45' } }), 400, 'validation_error');
    expect(bad.details?.[0]?.field).toBe('header.Highrise-Version');
    // A well-formed date that names no version is refused, not rounded to the one before it.
    for (const unknown of ['1999-01-01', '2026-11-15', '2099-01-01']) {
      const refused = expectError(await call('GET', '/v1/tenants', { headers: { 'Highrise-Version': unknown } }), 400, 'api_version_unknown');
      expect(refused.details).toEqual([{ field: 'header.Highrise-Version', issue: 'must be one of 2026-11-01, 2026-12-01' }]);
    }
  });
});

describe('authentication', () => {
  it('refuses a missing, unknown or malformed key with 401 unauthenticated', async () => {
    expectError(await call('GET', '/v1/tenants', { key: null }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/tenants', { key: 'hr_live_wrongwrongwrong' }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/tenants', { key: null, headers: { Authorization: 'Basic abc' } }), 401, 'unauthenticated');
    expectError(await call('POST', '/v1/tenants', { key: null, body: { name: 'X', slug: 'nokey' } }), 401, 'unauthenticated');
  });
});

describe('tenants', () => {
  it('creates a tenant with limits, a SIP domain and a tenant admin key shown once', async () => {
    const created = await createTenant('acme-dental', { admin: { email: 'it@acme.test', name: 'IT' }, limits: { channels: 4 } });
    expect(created.tenant).toMatchObject({ object: 'tenant', slug: 'acme-dental', sipDomain: 'acme-dental.sip.localhost', status: 'active', resellerId: null, limits: { extensions: 100, channels: 4 } });
    expect(created.adminKey?.secret).toMatch(/^hr_live_[0-9A-Za-z]+_[0-9A-Za-z]{32}$/);

    const own = await call('GET', '/v1/tenants', { key: created.adminKey!.secret });
    expect(TenantList.parse(own.json).data.map((t) => t.id)).toEqual([created.tenant.id]);
    expect(JSON.stringify(own.json)).not.toContain(created.adminKey!.secret);
  });

  it('refuses a taken slug with 409 tenant_exists', async () => {
    await createTenant('taken');
    const error = expectError(await call('POST', '/v1/tenants', { body: { name: 'Again', slug: 'taken' } }), 409, 'tenant_exists');
    expect(error.details).toEqual([{ field: 'slug', issue: 'already taken' }]);
  });

  it('reads and updates a tenant', async () => {
    const { tenant } = await createTenant('patchme');
    const read = await call('GET', `/v1/tenants/${tenant.id}`);
    expect(Tenant.parse(read.json)).toEqual(tenant);
    const patched = await call('PATCH', `/v1/tenants/${tenant.id}`, { body: { name: 'Renamed', limits: { extensions: 7 } } });
    expect(patched.status).toBe(200);
    expect(Tenant.parse(patched.json)).toMatchObject({ name: 'Renamed', limits: { extensions: 7, channels: 10 } });
  });

  it('answers 404 not_found for an unknown or malformed tenant id', async () => {
    expectError(await call('GET', `/v1/tenants/${MISSING_TENANT}`), 404, 'not_found');
    expectError(await call('GET', '/v1/tenants/not-an-id'), 404, 'not_found');
    expectError(await call('GET', `/v1/tenants/${MISSING_TENANT}/extensions`), 404, 'not_found');
  });

  it('does not let a tenant key create tenants or resellers, or raise its own limits', async () => {
    const { tenant, adminKey } = await createTenant('limited', { admin: { email: 'a@limited.test', name: 'A' } });
    const key = adminKey!.secret;
    expectError(await call('POST', '/v1/tenants', { key, body: { name: 'Sneaky', slug: 'sneaky' } }), 403, 'permission_denied');
    expectError(await call('POST', '/v1/resellers', { key, body: { name: 'Sneaky' } }), 403, 'permission_denied');
    expectError(await call('GET', '/v1/resellers', { key }), 403, 'permission_denied');
    expectError(await call('PATCH', `/v1/tenants/${tenant.id}`, { key, body: { limits: { extensions: 100000 } } }), 403, 'permission_denied');
    const renamed = await call('PATCH', `/v1/tenants/${tenant.id}`, { key, body: { name: 'Our new name' } });
    expect(Tenant.parse(renamed.json).name).toBe('Our new name');
  });

  it('pages through tenants with limit and cursor', async () => {
    for (const slug of ['page-a', 'page-b', 'page-c']) await createTenant(slug);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result = await call('GET', `/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page = TenantList.parse(result.json);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((t) => t.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    const all = TenantList.parse((await call('GET', '/v1/tenants?limit=100')).json);
    expect(seen).toEqual(all.data.map((t) => t.id));
  });
});

describe('bad input', () => {
  it('answers malformed JSON with 400 validation_error on the body', async () => {
    const error = expectError(await call('POST', '/v1/tenants', { raw: '{"name": "Acme", ' }), 400, 'validation_error');
    expect(error.details).toEqual([{ field: 'body', issue: expect.stringMatching(/^malformed JSON: /) }]);
  });

  it('names every wrong field, with dotted paths', async () => {
    const error = expectError(
      await call('POST', '/v1/tenants', { body: { name: 'Acme', slug: 'Not A Slug', admin: { email: 'nope', name: 'X' }, colour: 'red' } }),
      400,
      'validation_error',
    );
    const fields = error.details!.map((d) => d.field).sort();
    expect(fields).toEqual(['admin.email', 'colour', 'slug']);
    expect(error.message).toContain('slug');
  });

  it('names missing fields of an empty body', async () => {
    const error = expectError(await call('POST', '/v1/tenants', { raw: '' }), 400, 'validation_error');
    expect(error.details!.map((d) => d.field).sort()).toEqual(['name', 'slug']);
  });

  it('validates query parameters', async () => {
    const error = expectError(await call('GET', '/v1/tenants?limit=0'), 400, 'validation_error');
    expect(error.details!.map((d) => d.field)).toEqual(['query.limit']);
  });

  it('refuses a body that is JSON but not an object', async () => {
    const error = expectError(await call('POST', '/v1/tenants', { raw: '[1,2]' }), 400, 'validation_error');
    expect(error.details!.length).toBeGreaterThan(0);
  });

  it('refuses an oversized body with 413', async () => {
    expectError(await call('POST', '/v1/tenants', { raw: JSON.stringify({ name: 'x'.repeat(1_100_000), slug: 'big' }) }), 413, 'payload_too_large');
  });
});

describe('extensions', () => {
  let acmeId: string;
  let globexId: string;

  beforeAll(async () => {
    acmeId = (await createTenant('ext-acme')).tenant.id;
    globexId = (await createTenant('ext-globex')).tenant.id;
  });

  it('creates 101 in two tenants, each in its own namespace', async () => {
    const a = await createExtension(acmeId, '101');
    const b = await createExtension(globexId, '101');
    expect(a.sipUri).toBe('sip:101@ext-acme.sip.localhost');
    expect(b.sipUri).toBe('sip:101@ext-globex.sip.localhost');
    expect(a.id).not.toBe(b.id);
    expect(a.sipPassword.length).toBeGreaterThanOrEqual(12);
  });

  it('refuses a second 101 in one tenant with 409 extension_exists', async () => {
    const error = expectError(await call('POST', `/v1/tenants/${acmeId}/extensions`, { body: { number: '101', displayName: 'Again' } }), 409, 'extension_exists');
    expect(error.details?.[0]?.field).toBe('number');
  });

  it('shows the SIP password on create only', async () => {
    const created = await call('POST', `/v1/tenants/${acmeId}/extensions`, { body: { number: '102', displayName: 'Reception', sipPassword: 'my-very-own-password' } });
    const extension = ExtensionWithPassword.parse(created.json);
    expect(extension.sipPassword).toBe('my-very-own-password');
    const read = await call('GET', `/v1/tenants/${acmeId}/extensions/${extension.id}`);
    expect(read.text).not.toContain('my-very-own-password');
    expect(Extension.strict().parse(read.json)).toMatchObject({ object: 'extension', number: '102', tenantId: acmeId });
  });

  it('names a bad number and a short password', async () => {
    const error = expectError(await call('POST', `/v1/tenants/${acmeId}/extensions`, { body: { number: '0123', displayName: 'X', sipPassword: 'short' } }), 400, 'validation_error');
    expect(error.details!.map((d) => d.field).sort()).toEqual(['number', 'sipPassword']);
  });

  it('updates, lists, pages and deletes', async () => {
    const extension = await createExtension(acmeId, '150');
    const patched = await call('PATCH', `/v1/tenants/${acmeId}/extensions/${extension.id}`, { body: { displayName: 'Back office' } });
    expect(Extension.parse(patched.json).displayName).toBe('Back office');

    const first = ExtensionList.parse((await call('GET', `/v1/tenants/${acmeId}/extensions?limit=1`)).json);
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const rest = ExtensionList.parse((await call('GET', `/v1/tenants/${acmeId}/extensions?limit=100&cursor=${first.nextCursor}`)).json);
    expect([...first.data, ...rest.data].map((e) => e.number)).toEqual(['101', '102', '150']);

    const deleted = await call('DELETE', `/v1/tenants/${acmeId}/extensions/${extension.id}`);
    expect(Deleted.parse(deleted.json)).toEqual({ id: extension.id, object: 'extension', deleted: true });
    expectError(await call('GET', `/v1/tenants/${acmeId}/extensions/${extension.id}`), 404, 'not_found');
    expectError(await call('DELETE', `/v1/tenants/${acmeId}/extensions/${extension.id}`), 404, 'not_found');
  });

  it('answers 404 not_found for an unknown extension', async () => {
    expectError(await call('GET', `/v1/tenants/${acmeId}/extensions/${MISSING_EXTENSION}`), 404, 'not_found');
    expectError(await call('PATCH', `/v1/tenants/${acmeId}/extensions/${MISSING_EXTENSION}`, { body: { displayName: 'X' } }), 404, 'not_found');
  });
});

describe('softphone tokens', () => {
  it('issues a token for an extension with the edge URL and no ICE servers by default', async () => {
    const { tenant } = await createTenant('phones');
    await createExtension(tenant.id, '101');
    const result = await call('POST', `/v1/tenants/${tenant.id}/softphone-tokens`, { body: { extension: '101', ttlSeconds: 300 } });
    expect(result.status).toBe(201);
    const token = SoftphoneToken.parse(result.json);
    expect(token).toMatchObject({ sipUri: 'sip:101@phones.sip.localhost', wsUrl: platform.wsUrl, iceServers: [] });
    const ttl = Date.parse(token.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expectError(await call('POST', `/v1/tenants/${tenant.id}/softphone-tokens`, { body: { extension: '999' } }), 404, 'not_found');
  });
});

describe('resellers', () => {
  it('are created, listed and read by the provider', async () => {
    const created = Reseller.parse((await call('POST', '/v1/resellers', { body: { name: 'Northwind Telecom' } })).json);
    expect(created).toMatchObject({ object: 'reseller', name: 'Northwind Telecom', status: 'active' });
    expect(Reseller.parse((await call('GET', `/v1/resellers/${created.id}`)).json)).toEqual(created);
    expect(ResellerList.parse((await call('GET', '/v1/resellers')).json).data.map((r) => r.id)).toContain(created.id);
    expectError(await call('GET', '/v1/resellers/res_00000000000000000000000000'), 404, 'not_found');

    const { tenant } = await createTenant('resold', { resellerId: created.id });
    expect(tenant.resellerId).toBe(created.id);
    const error = expectError(await call('POST', '/v1/tenants', { body: { name: 'X', slug: 'orphan', resellerId: 'res_00000000000000000000000000' } }), 400, 'validation_error');
    expect(error.details).toEqual([{ field: 'resellerId', issue: 'no such reseller' }]);
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and body', async () => {
    const headers = { 'Idempotency-Key': 'create-idem-tenant-1' };
    const body = { name: 'Idem', slug: 'idem-one' };
    const first = await call('POST', '/v1/tenants', { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    // An honest retry resends the same bytes; the fingerprint is over the raw body.
    const second = await call('POST', '/v1/tenants', { body, headers });
    expect(second.status).toBe(201);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expect(second.json).toEqual(first.json);
    const all = TenantList.parse((await call('GET', '/v1/tenants?limit=100')).json);
    expect(all.data.filter((t) => t.slug === 'idem-one')).toHaveLength(1);
  });

  it('refuses the same key with a different body: 422 idempotency_key_reused', async () => {
    const headers = { 'Idempotency-Key': 'create-idem-tenant-2' };
    await call('POST', '/v1/tenants', { body: { name: 'Idem', slug: 'idem-two' }, headers });
    expectError(await call('POST', '/v1/tenants', { body: { name: 'Idem', slug: 'idem-other' }, headers }), 422, 'idempotency_key_reused');
  });

  it('keeps keys apart per API key', async () => {
    const { adminKey, tenant } = await createTenant('idem-keys', { admin: { email: 'a@idem.test', name: 'A' } });
    const headers = { 'Idempotency-Key': 'same-key-two-callers' };
    const body = { number: '101', displayName: 'A' };
    const byProvider = await call('POST', `/v1/tenants/${tenant.id}/extensions`, { body, headers });
    expect(byProvider.status).toBe(201);
    const byTenant = await call('POST', `/v1/tenants/${tenant.id}/extensions`, { key: adminKey!.secret, body, headers });
    expect(byTenant.headers.get('Idempotent-Replayed')).toBeNull();
    expectError(byTenant, 409, 'extension_exists');
  });

  it('does not store failures, so a corrected retry can still succeed', async () => {
    const { tenant } = await createTenant('idem-retry');
    const headers = { 'Idempotency-Key': 'retry-after-failure' };
    await createExtension(tenant.id, '101');
    expectError(await call('POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: '101', displayName: 'A' }, headers }), 409, 'extension_exists');
    await call('DELETE', `/v1/tenants/${tenant.id}/extensions/${(ExtensionList.parse((await call('GET', `/v1/tenants/${tenant.id}/extensions`)).json)).data[0]!.id}`);
    const retried = await call('POST', `/v1/tenants/${tenant.id}/extensions`, { body: { number: '101', displayName: 'A' }, headers });
    expect(retried.status).toBe(201);
  });

  it('lets exactly one of many concurrent requests with one key run', async () => {
    const headers = { 'Idempotency-Key': 'concurrent-key' };
    const body = { name: 'Concurrent', slug: 'concurrent' };
    const results = await Promise.all(Array.from({ length: 8 }, () => call('POST', '/v1/tenants', { body, headers })));
    const original = results.filter((r) => r.status === 201 && !r.headers.get('Idempotent-Replayed'));
    expect(original).toHaveLength(1);
    for (const r of results) {
      if (r.status === 409) expectError(r, 409, 'idempotency_key_in_use');
      else expect(r.json).toEqual(original[0]!.json);
    }
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const error = expectError(await call('POST', '/v1/tenants', { body: { name: 'X', slug: 'badkey' }, headers: { 'Idempotency-Key': 'has spaces' } }), 400, 'validation_error');
    expect(error.details?.[0]?.field).toBe('header.Idempotency-Key');
  });
});

describe('restart', () => {
  it('keeps its data and ignores a different bootstrap key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-restart-'));
    try {
      const first = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: 'first-bootstrap-key' });
      const created = await fetch(`${first.url}/v1/tenants`, {
        method: 'POST',
        headers: { Authorization: 'Bearer first-bootstrap-key', 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Survivor', slug: 'survivor' }),
      });
      expect(created.status).toBe(201);
      await first.close();

      const second = await startPlatform({ port: 0, dataDir: dir, bootstrapKey: 'second-bootstrap-key' });
      try {
        const withSecond = await fetch(`${second.url}/v1/tenants`, { headers: { Authorization: 'Bearer second-bootstrap-key' } });
        expect(withSecond.status).toBe(401);
        const withFirst = await fetch(`${second.url}/v1/tenants`, { headers: { Authorization: 'Bearer first-bootstrap-key' } });
        expect(TenantList.parse(await withFirst.json()).data.map((t) => t.slug)).toEqual(['survivor']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('static site', () => {
  it('serves the root, mounts and generated files after the API, with content types and no traversal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-site-'));
    await mkdir(join(dir, 'root', 'css'), { recursive: true });
    await mkdir(join(dir, 'lib'), { recursive: true });
    await writeFile(join(dir, 'root', 'index.html'), '<h1>reseller</h1>');
    await writeFile(join(dir, 'root', 'css', 'site.css'), 'h1{}');
    await writeFile(join(dir, 'lib', 'phone.js'), 'export {}');
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    const site = await startPlatform({
      port: 0,
      dataDir: join(dir, 'data'),
      site: { root: join(dir, 'root'), mounts: { '/softphone/': join(dir, 'lib') }, files: { '/demo-config.json': () => '{"demo":true}' } },
    });
    try {
      const get = async (path: string) => {
        const r = await fetch(`${site.url}${path}`);
        return { status: r.status, type: r.headers.get('Content-Type'), text: await r.text() };
      };
      expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', text: '<h1>reseller</h1>' });
      expect(await get('/css/site.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
      expect(await get('/softphone/phone.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', text: 'export {}' });
      expect(await get('/demo-config.json')).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', text: '{"demo":true}' });
      expect((await get('/healthz')).text).toBe('{"ok":true}');
      for (const path of ['/%2e%2e/secret.txt', '/softphone/%2e%2e/secret.txt', '/..%2fsecret.txt', '/css/..%2f..%2fsecret.txt', '/nope.html']) {
        const r = await get(path);
        expect(r.status, path).toBe(404);
        expect(r.text, path).not.toContain('do not serve');
      }
    } finally {
      await site.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('error bodies', () => {
  it('never contain a stack trace', () => {
    expect(bodies.length).toBeGreaterThan(50);
    for (const body of bodies) {
      expect(body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|Error: /);
    }
  });
});
