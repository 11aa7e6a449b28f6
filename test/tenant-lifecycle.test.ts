/**
 * The tenant life cycle (issue 9): deletion with a retention period, restore, the purge, the JSON
 * Lines export, and the dated API version that shows a deleted tenant to clients of the version
 * before. Real platform (SQLite, or PostgreSQL in the integration-postgres project), real SDK, real
 * sip.js phones and a real webhook receiver.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_VERSION, ConflictError, Highrise, NotFoundError, PermissionDeniedError, UnprocessableEntityError, verifyWebhook, type TenantExportRecord } from '@highrise/sdk';
import { Tenant as TenantSchema, TenantExportRecord as TenantExportRecordSchema, TenantRestoreResponse } from '@highrise/sdk/schemas';
import { systemScope } from '@highrise/platform';
import { allStoredRows, expectApiError, openPlatformStore, startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, md5, openRawSip, withTimeout, type NodePhone } from './support/sip-node';

const DAY_MS = 86_400_000;
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

let tp: TestPlatform;
let hr: Highrise;
const phones: NodePhone[] = [];
let slugs = 0;
let dids = 0;

beforeAll(async () => {
  // No porting tick during the suite: the open-orders case cancels a `submitted` order, which a tick
  // would queue for review (no longer cancellable by the tenant) on a slow machine (seen in CI).
  tp = await startTestPlatform('tenant-lifecycle', { webhooks: { allowPrivateDestinations: true, pollIntervalMs: 20 }, porting: { tickMs: 3_600_000 } });
  hr = tp.provider;
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await tp?.close();
});

async function tenantWith(name: string, options: { resellerId?: string } = {}) {
  const slug = `life-${name}-${++slugs}`;
  const created = await hr.tenants.create({ name: slug, slug, admin: { email: `admin@${slug}.test`, name: 'Admin' }, ...options });
  const api = hr.tenant(created.tenant.id);
  await api.extensions.create({ number: '101', displayName: 'Front desk', sipPassword: `pw-${slug}-101` });
  await api.extensions.create({ number: '102', displayName: 'Back office', sipPassword: `pw-${slug}-102` });
  return { tenant: created.tenant, api, adminKey: created.adminKey!.secret, password: (n: string) => `pw-${slug}-${n}` };
}

async function did(api: Highrise['tenant'] extends (id: string) => infer C ? C : never, target: string | null): Promise<string> {
  const number = `+1628555${String(1000 + ++dids).padStart(4, '0')}`;
  await hr.numbers.create({ number });
  const assigned = await api.numbers.assign({ number });
  if (target) await api.numbers.update(assigned.id, { routing: { type: 'extension', target } });
  return number;
}

const portOrder = (number: string) => ({
  numbers: [number],
  losingCarrier: { name: 'Old Telco', accountNumber: 'ACCT-SECRET-98765', pin: '4321' },
  authorisedPerson: { name: 'Owner' },
  serviceAddress: { line1: '1 Main St', city: 'New York', postalCode: '10001', country: 'US' },
  requestedFocDate: '2030-01-15',
  defaultDestination: { type: 'extension' as const, target: '101' },
});

describe('DELETE /v1/tenants/{id}', () => {
  it('answers with the tenant as deleted, purgeAt 30 days on, and lists it only under status=deleted', async () => {
    const { tenant } = await tenantWith('shape');
    const before = Date.now();
    const deleted = await hr.tenants.delete(tenant.id);
    expect(TenantSchema.parse(deleted)).toMatchObject({ id: tenant.id, status: 'deleted' });
    expect(Date.parse(deleted.deletedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(deleted.purgeAt!) - Date.parse(deleted.deletedAt!)).toBe(30 * DAY_MS);

    expect(await hr.tenants.retrieve(tenant.id)).toEqual(deleted);
    const listed = async (params: Parameters<Highrise['tenants']['list']>[0]) => (await hr.tenants.list({ limit: 100, ...params }).toArray()).map((t) => t.id);
    expect(await listed({})).not.toContain(tenant.id);
    expect(await listed({ status: 'active' })).not.toContain(tenant.id);
    expect(await listed({ status: 'suspended' })).not.toContain(tenant.id);
    expect(await listed({ status: 'deleted' })).toContain(tenant.id);
    // A tenant that is not deleted is never under `deleted`.
    const { tenant: alive } = await tenantWith('alive');
    expect(await listed({ status: 'deleted' })).not.toContain(alive.id);
    expect(await listed({})).toContain(alive.id);
  });

  it("refuses the tenant's keys at once (403 tenant_deleted), and again after any cache", async () => {
    const { tenant, adminKey } = await tenantWith('keys');
    const admin = tp.client(adminKey);
    expect((await admin.tenants.retrieve(tenant.id)).status).toBe('active');
    await hr.tenants.delete(tenant.id);
    for (let i = 0; i < 2; i++) {
      const error = await expectApiError(admin.tenant(tenant.id).extensions.list());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error.code).toBe('tenant_deleted');
    }
  });

  it("closes the tenant's open SIP sockets, refuses new registrations and softphone tokens", async () => {
    const { tenant, api, password } = await tenantWith('sip');
    const { token } = await api.softphoneTokens.create({ extension: '102', ttlSeconds: 600 });
    const phone = createNodePhone({ wsUrl: tp.platform.wsUrl, domain: tenant.sipDomain, number: '101', password: password('101') });
    phones.push(phone);
    await phone.start();
    await phone.register();
    const socket = (phone.userAgent.transport as unknown as { ws: import('ws').WebSocket }).ws;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

    await hr.tenants.delete(tenant.id);

    expect(await withTimeout(closed, 3000, "the deleted tenant's socket stayed open")).toEqual({ code: 4403, reason: 'tenant_suspended' });
    const again = createNodePhone({ wsUrl: tp.platform.wsUrl, domain: tenant.sipDomain, number: '101', password: password('101') });
    phones.push(again);
    await again.start();
    await expect(again.register()).rejects.toThrow();
    // The token issued before the deletion opens nothing any more.
    const raw = await openRawSip(`${tp.platform.wsUrl}?token=${encodeURIComponent(token)}`);
    try {
      expect(await withTimeout(raw.closed, 3000, 'the token socket stayed open')).toMatchObject({ code: 4403 });
    } finally {
      await raw.close();
    }
  });

  it('returns its numbers to the inventory, unassigned and unrouted', async () => {
    const { tenant, api } = await tenantWith('numbers');
    const routed = await did(api, '101');
    const plain = await did(api, null);
    await hr.tenants.delete(tenant.id);
    const inventory = await hr.numbers.list({ limit: 100, assigned: false }).toArray();
    for (const number of [routed, plain]) expect(inventory.find((n) => n.number === number)).toMatchObject({ tenantId: null, routing: null });
    expect((await api.numbers.list().toArray()).length).toBe(0);
    // Another tenant can take one at once.
    const other = await tenantWith('taker');
    expect((await other.api.numbers.assign({ number: routed })).number).toBe(routed);
  });

  it('is refused with 409 port_orders_open naming every open order, and goes through once they are cancelled', async () => {
    const { tenant, api } = await tenantWith('porting');
    const draft = await api.portOrders.create(portOrder('+16465550101'));
    const submitted = await api.portOrders.create(portOrder('+16465550102'));
    await api.portOrders.documents.upload(submitted.id, { kind: 'loa', data: PDF, contentType: 'application/pdf', filename: 'loa.pdf' });
    await api.portOrders.documents.upload(submitted.id, { kind: 'bill', data: PNG, contentType: 'image/png', filename: 'bill.png' });
    await api.portOrders.submit(submitted.id);

    const error = await expectApiError(hr.tenants.delete(tenant.id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('port_orders_open');
    expect(error.details).toEqual(
      [draft.id, submitted.id].sort().map((id) => ({ field: 'portOrders', issue: `${id} is open` })),
    );
    expect(error.message).toContain(draft.id);
    expect((await hr.tenants.retrieve(tenant.id)).status).toBe('active');

    await api.portOrders.cancel(draft.id);
    expect((await expectApiError(hr.tenants.delete(tenant.id))).details).toEqual([{ field: 'portOrders', issue: `${submitted.id} is open` }]);
    await api.portOrders.cancel(submitted.id);
    expect((await hr.tenants.delete(tenant.id)).status).toBe('deleted');
  });

  it('keeps the data readable by the provider but refuses every change but a restore (422 invalid_state)', async () => {
    const { tenant, api } = await tenantWith('frozen');
    await hr.tenants.delete(tenant.id);
    expect((await api.extensions.list().toArray()).map((e) => e.number)).toEqual(['101', '102']);
    for (const change of [
      () => hr.tenants.update(tenant.id, { name: 'Renamed' }),
      () => hr.tenants.suspend(tenant.id),
      () => hr.tenants.resume(tenant.id),
      () => hr.tenants.delete(tenant.id),
      () => api.extensions.create({ number: '103', displayName: 'New' }),
      () => api.softphoneTokens.create({ extension: '101', ttlSeconds: 60 }),
    ]) {
      const error = await expectApiError(change());
      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(error.code).toBe('invalid_state');
      expect(error.details).toContainEqual({ field: 'allowedActions', issue: 'restore' });
    }
    expect((await api.extensions.list().toArray()).length).toBe(2);
  });

  it('is for the provider and the reseller that sells the tenant, not the tenant itself', async () => {
    const reseller = await hr.resellers.create({ name: 'Lifecycle Reseller' });
    const resellerAdmin = tp.client((await hr.apiKeys.create({ name: 'reseller admin', roleId: 'rol_resellerAdmin', resellerId: reseller.id })).secret);
    const { tenant, adminKey } = await tenantWith('resold', { resellerId: reseller.id });
    const ownerError = await expectApiError(tp.client(adminKey).tenants.delete(tenant.id));
    expect(ownerError).toBeInstanceOf(PermissionDeniedError);
    expect(ownerError.code).toBe('permission_denied');
    expect((await resellerAdmin.tenants.delete(tenant.id)).status).toBe('deleted');
    expect((await resellerAdmin.tenants.list({ status: 'deleted' }).toArray()).map((t) => t.id)).toEqual([tenant.id]);
    // The scoped client reaches the same routes.
    expect((await resellerAdmin.tenant(tenant.id).restore()).tenant.status).toBe('active');
    expect((await resellerAdmin.tenant(tenant.id).delete()).status).toBe('deleted');
    const records = resellerAdmin.tenant(tenant.id).export();
    const first = await records.next();
    await records.return(undefined);
    expect(first.value).toMatchObject({ type: 'tenant', data: { id: tenant.id, status: 'deleted' } });
  });
});

describe('POST /v1/tenants/{id}/restore', () => {
  it('brings back the status, the keys, SIP and the numbers still free with their routing; a number taken meanwhile stays with its new owner and is reported', async () => {
    const { tenant, api, adminKey, password } = await tenantWith('restore');
    const kept = await did(api, '102');
    const lost = await did(api, '101');
    await hr.tenants.delete(tenant.id);
    const taker = await tenantWith('thief');
    await taker.api.numbers.assign({ number: lost });

    const outcome = await hr.tenants.restore(tenant.id);
    expect(TenantRestoreResponse.parse(outcome)).toEqual({
      tenant: expect.objectContaining({ id: tenant.id, status: 'active', deletedAt: null, purgeAt: null }),
      restoredNumbers: [kept],
      unavailableNumbers: [lost],
    });
    expect((await api.numbers.list().toArray()).map((n) => [n.number, n.routing])).toEqual([[kept, { type: 'extension', target: '102' }]]);
    expect((await taker.api.numbers.list().toArray()).map((n) => n.number)).toEqual([lost]);

    expect((await tp.client(adminKey).tenants.retrieve(tenant.id)).status).toBe('active');
    const phone = createNodePhone({ wsUrl: tp.platform.wsUrl, domain: tenant.sipDomain, number: '101', password: password('101') });
    phones.push(phone);
    await phone.start();
    await phone.register();

    const audit = await api.auditEvents.list({ limit: 100 }).toArray();
    const deletedEvent = audit.find((e) => e.action === 'tenant.deleted');
    const restoredEvent = audit.find((e) => e.action === 'tenant.restored');
    expect(deletedEvent?.target).toMatchObject({ id: tenant.id });
    expect(JSON.stringify(restoredEvent?.changes)).toContain(lost);
  });

  it('puts a tenant suspended before its deletion back as suspended', async () => {
    const { tenant, adminKey } = await tenantWith('was-suspended');
    await hr.tenants.suspend(tenant.id);
    await hr.tenants.delete(tenant.id);
    expect((await hr.tenants.restore(tenant.id)).tenant.status).toBe('suspended');
    expect((await expectApiError(tp.client(adminKey).tenants.retrieve(tenant.id))).code).toBe('tenant_suspended');
  });

  it('refuses a tenant that is not deleted (422 invalid_state)', async () => {
    const { tenant } = await tenantWith('not-deleted');
    const error = await expectApiError(hr.tenants.restore(tenant.id));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.code).toBe('invalid_state');
  });
});

describe('webhook events', () => {
  it('sends tenant.deleted and tenant.restored to a subscribed endpoint', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = await hr.webhookEndpoints.create({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, enabledEvents: ['tenant.deleted', 'tenant.restored'] });
      const { tenant } = await tenantWith('webhooks');
      await hr.tenants.delete(tenant.id);
      await hr.tenants.restore(tenant.id);
      await vi.waitFor(() => expect(received.length).toBe(2), { timeout: 5000 });
      const events = await Promise.all(received.map((r) => verifyWebhook(r.body, r.headers['highrise-signature'], endpoint.secret)));
      expect(events.map((e) => [e.type, (e.data as { id: string; status: string }).id, (e.data as { status: string }).status])).toEqual([
        ['tenant.deleted', tenant.id, 'deleted'],
        ['tenant.restored', tenant.id, 'active'],
      ]);
      await hr.webhookEndpoints.update(endpoint.id, { status: 'disabled' });
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});

describe('GET /v1/tenants/{id}/export', () => {
  it('streams every record type as JSON Lines in API shapes, without any secret, ending with the counts', async () => {
    const { tenant, api } = await tenantWith('export');
    const number = await did(api, '101');
    await api.dialRules.create({ pattern: '_9X.', action: { type: 'reject', status: 403 }, position: 0 });
    await api.ringGroups.create({ number: '600', name: 'Everyone', members: ['101', '102'] });
    const trunk = await api.trunks.create({ name: 'Carrier' });
    await api.roles.create({ name: 'auditor', permissions: ['audit:read'] });
    const key = await api.apiKeys.create({ name: 'integration', roleId: 'rol_tenantSupport' });
    const endpoint = await api.webhookEndpoints.create({ url: 'http://127.0.0.1:9/export', enabledEvents: ['*'], status: 'disabled' });
    await api.portOrders.create(portOrder('+16465550199'));

    const response = await hr.tenants.exportStream(tenant.id);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain(`${tenant.slug}-export.jsonl`);
    const text = await response.text();
    const lines = text.trimEnd().split('\n').map((line) => TenantExportRecordSchema.parse(JSON.parse(line)));
    const types = lines.map((l) => l.type);
    expect([...new Set(types)]).toEqual(['tenant', 'extension', 'number', 'dial_rule', 'ring_group', 'trunk', 'role', 'api_key', 'webhook_endpoint', 'port_order', 'audit_event', 'end']);
    expect(lines[0]!.data).toMatchObject({ object: 'tenant', id: tenant.id });
    expect(lines.find((l) => l.type === 'number')!.data).toMatchObject({ number, routing: { type: 'extension', target: '101' } });
    const end = lines.at(-1)!;
    const counts = Object.fromEntries([...new Set(types.slice(0, -1))].map((t) => [t, types.filter((x) => x === t).length]));
    expect(end.data).toEqual({ tenantId: tenant.id, counts });
    expect(counts.extension).toBe(2);

    // No secret of any kind, in any form the platform holds it.
    const ha1 = md5(`101:${tenant.sipDomain}:pw-${tenant.slug}-101`);
    for (const secret of ['pw-', ha1, trunk.password, key.secret, endpoint.secret, 'ACCT-SECRET-98765', '4321', 'whsec_']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('comes to the SDK record by record, pages through more calls than one page holds, and may be left early', async () => {
    const { tenant } = await tenantWith('export-sdk');
    // Call records as the SIP edge writes them, through a second connection to the platform's store.
    const store = await openPlatformStore({ dataDir: tp.dataDir, store: tp.store });
    const at = new Date(Date.now() - 3_600_000).toISOString();
    try {
      for (let i = 0; i < 450; i++) {
        await store.tenant(systemScope('test fixture', tenant.id)).calls.insert({
          id: `cal_${tenant.id.slice(4, 20)}${String(i).padStart(10, '0')}`,
          callId: `export-${i}`,
          from: '101',
          to: '102',
          direction: 'internal',
          startedAt: at,
          answeredAt: at,
          endedAt: at,
          durationSeconds: 1,
          disposition: 'answered',
          sipStatus: 200,
        });
      }
    } finally {
      await store.close();
    }
    const records: TenantExportRecord[] = [];
    for await (const record of hr.tenants.export(tenant.id)) records.push(record);
    const calls = records.filter((r) => r.type === 'call');
    expect(calls).toHaveLength(450);
    expect(new Set(calls.map((c) => (c.data as { callId: string }).callId)).size).toBe(450);
    expect(records.at(-1)).toEqual({ type: 'end', data: { tenantId: tenant.id, counts: expect.objectContaining({ call: 450, extension: 2 }) } });

    let taken = 0;
    for await (const _record of hr.tenants.export(tenant.id)) if (++taken === 2) break;
    expect(taken).toBe(2);
  });

  it('is readable for a deleted tenant, and needs tenants:export (not held by a support key)', async () => {
    const { tenant, api, adminKey } = await tenantWith('export-perm');
    const support = tp.client((await api.apiKeys.create({ name: 'helpdesk', roleId: 'rol_tenantSupport' })).secret);
    const error = await expectApiError(support.tenants.exportStream(tenant.id));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.details).toEqual([{ field: 'permissions', issue: 'missing tenants:export' }]);
    // The tenant's own admin exports while the tenant is live.
    expect((await (await tp.client(adminKey).tenants.exportStream(tenant.id)).text()).split('\n')[0]).toContain('"type":"tenant"');
    await hr.tenants.delete(tenant.id);
    const records = [];
    for await (const record of hr.tenants.export(tenant.id)) records.push(record);
    expect(records[0]!.data).toMatchObject({ status: 'deleted' });
  });
});

describe('Highrise-Version', () => {
  it('the SDK sends the version it was built for on every request, the export included', async () => {
    const seen: (string | null)[] = [];
    const client = new Highrise({ baseUrl: tp.platform.url, apiKey: tp.bootstrapKey, maxRetries: 0, onRequest: ({ headers }) => void seen.push(headers.get('Highrise-Version')) });
    const { tenant } = await tenantWith('version-sdk');
    await client.tenants.retrieve(tenant.id);
    await client.tenants.list().toArray();
    await (await client.tenants.exportStream(tenant.id)).text();
    await client.tenants.delete(tenant.id);
    await client.tenants.restore(tenant.id);
    // The SDK's version is the platform's latest: what a request naming none is served with.
    const unversioned = await fetch(`${tp.platform.url}/v1/tenants`, { headers: { Authorization: `Bearer ${tp.bootstrapKey}` } });
    expect(API_VERSION).toBe(unversioned.headers.get('Highrise-Version'));
    expect(API_VERSION).toBe('2026-12-01');
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen)).toEqual(new Set([API_VERSION]));
  });

  it('shows a deleted tenant to a client pinned to 2026-11-01 as suspended, without deletedAt and purgeAt, everywhere a tenant appears', async () => {
    const old = new Highrise({ baseUrl: tp.platform.url, apiKey: tp.bootstrapKey, maxRetries: 0, version: '2026-11-01' });
    const { tenant } = await tenantWith('version-old');
    const deletedOld = (await old.tenants.delete(tenant.id)) as unknown as Record<string, unknown>;
    expect(deletedOld.status).toBe('suspended');
    expect(deletedOld).not.toHaveProperty('deletedAt');
    expect(deletedOld).not.toHaveProperty('purgeAt');
    const retrievedOld = (await old.tenants.retrieve(tenant.id)) as unknown as Record<string, unknown>;
    expect(retrievedOld).toEqual(deletedOld);
    const listedOld = (await old.tenants.list({ status: 'deleted' }).toArray()) as Record<string, unknown>[];
    expect(listedOld.find((t) => t.id === tenant.id)).toEqual(deletedOld);
    const exported: Record<string, unknown>[] = [];
    for await (const record of old.tenants.export(tenant.id)) exported.push(record.data);
    expect(exported[0]).toEqual(deletedOld);
    // Active tenants read the same in both, but for the two fields.
    const { tenant: alive } = await tenantWith('version-alive');
    const { deletedAt, purgeAt, ...aliveNow } = await hr.tenants.retrieve(alive.id);
    expect([deletedAt, purgeAt]).toEqual([null, null]);
    expect(await old.tenants.retrieve(alive.id)).toEqual(aliveNow);
    // The latest version sees the deletion as it is.
    expect((await hr.tenants.retrieve(tenant.id)).status).toBe('deleted');
    // A restore's nested tenant is shimmed too.
    const restoredOld = (await old.tenants.restore(tenant.id)) as { tenant: Record<string, unknown> };
    expect(restoredOld.tenant).not.toHaveProperty('deletedAt');
  });
});

describe('OpenAPI', () => {
  it('describes the new routes, the deleted status and the export as JSON Lines', async () => {
    const doc = (await (await fetch(`${tp.platform.url}/openapi.json`)).json()) as any;
    expect(doc.info.version).toBe('2026-12-01');
    expect(doc.paths['/v1/tenants/{tenantId}'].delete).toMatchObject({ operationId: 'deleteTenant', 'x-highrise-permission': 'tenants:delete' });
    expect(doc.paths['/v1/tenants/{tenantId}/restore'].post).toMatchObject({ operationId: 'restoreTenant', 'x-highrise-permission': 'tenants:delete' });
    const exportOp = doc.paths['/v1/tenants/{tenantId}/export'].get;
    expect(exportOp).toMatchObject({ operationId: 'exportTenant', 'x-highrise-permission': 'tenants:export' });
    expect(exportOp.responses['200'].content).toEqual({ 'application/x-ndjson': { schema: { $ref: '#/components/schemas/TenantExportRecord' } } });
    expect(doc.components.schemas.Tenant.properties.status.enum).toEqual(['active', 'suspended', 'deleted']);
    expect(doc.components.schemas.Tenant.required).toEqual(expect.arrayContaining(['deletedAt', 'purgeAt']));
    expect(doc.paths['/v1/tenants'].get.parameters.map((p: { name?: string }) => p.name)).toContain('status');
    expect(doc.components.parameters.HighriseVersion.description).toContain('2026-11-01');
  });
});

describe('the purge', () => {
  let short: TestPlatform;
  beforeAll(async () => {
    // Retention 0: a deleted tenant is due at once, and the job looks every 50 ms.
    short = await startTestPlatform('tenant-purge', { tenants: { retentionDays: 0, purgeIntervalMs: 50 }, webhooks: { allowPrivateDestinations: true } });
  });
  afterAll(async () => {
    await short?.close();
  });

  it("deletes every row the tenant owned and its porting documents' files; audit events stay, and a restore is too late", async () => {
    const p = short.provider;
    const { tenant } = await p.tenants.create({ name: 'Purged', slug: 'purged', admin: { email: 'a@purged.test', name: 'A' } });
    const api = p.tenant(tenant.id);
    await api.extensions.create({ number: '101', displayName: 'Desk' });
    await p.numbers.create({ number: '+16285559999' });
    await api.numbers.assign({ number: '+16285559999' });
    await api.trunks.create({ name: 'Carrier' });
    await api.roles.create({ name: 'custom', permissions: ['calls:read'] });
    await api.webhookEndpoints.create({ url: 'http://127.0.0.1:9/x', enabledEvents: ['*'], status: 'disabled' });
    const order = await api.portOrders.create(portOrder('+16465550177'));
    await api.portOrders.documents.upload(order.id, { kind: 'loa', data: PDF, contentType: 'application/pdf', filename: 'loa.pdf' });
    await api.portOrders.cancel(order.id);
    const documents = join(short.dataDir, 'documents', tenant.id);
    expect(existsSync(documents)).toBe(true);
    // A bystander whose rows must all stay.
    const { tenant: bystander } = await p.tenants.create({ name: 'Bystander', slug: 'bystander' });
    await p.tenant(bystander.id).extensions.create({ number: '101', displayName: 'Desk' });

    const deleted = await p.tenants.delete(tenant.id);
    expect(deleted.purgeAt).toBe(deleted.deletedAt);
    await vi.waitFor(async () => expect((await expectApiError(p.tenants.retrieve(tenant.id))).status).toBe(404), { timeout: 5000, interval: 50 });

    // The files go once the purge has committed (rows first, so a failed purge loses no file): on
    // PostgreSQL the 404 can be seen a moment before that.
    await vi.waitFor(() => expect(existsSync(documents)).toBe(false), { timeout: 5000, interval: 20 });
    expect((await p.tenants.list({ status: 'deleted' }).toArray()).map((t) => t.id)).not.toContain(tenant.id);
    expect(await expectApiError(p.tenants.restore(tenant.id))).toBeInstanceOf(NotFoundError);
    const rows = await allStoredRows({ dataDir: short.dataDir, store: short.store });
    for (const [table, list] of rows) {
      const owned = list.filter((r) => JSON.stringify(r).includes(tenant.id));
      if (table === 'audit_events') continue;
      expect(owned, `${table} holds nothing of the purged tenant`).toEqual([]);
    }
    expect(rows.get('extensions')!.filter((r) => r.tenant_id === bystander.id)).toHaveLength(1);
    expect(rows.get('numbers')!.find((r) => r.number === '+16285559999')).toMatchObject({ tenant_id: null });
    // The audit trail outlives the tenant: its creation, deletion and the purge itself, through the provider's log.
    const audit = await p.auditEvents.list({ limit: 100, targetId: tenant.id }).toArray();
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['tenant.created', 'tenant.deleted', 'tenant.purged']));
  });
});
