/**
 * The Kamailio edge's routing endpoint (`POST /internal/sip/route`, issue 10) on the real platform:
 * tenants, extensions, dial rules and ring groups made through the SDK, the edge secret in the
 * settings row `highrise kamailio-config` writes, and the decisions read over plain HTTP exactly as
 * Kamailio's http_client asks. Kamailio executing them is test/kamailio-routing.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { SipRoutingDecision, type SipRoutingRequest } from '@highrise/sdk';
import { systemScope, type Store } from '@highrise/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { openPlatformStore, startTestPlatform, type TestPlatform } from './support/platform';
import { testStoreIsPostgres } from './support/postgres';

const KEY = 'hr_test_bootstrap_key_sip_route_ep_01';
let tp: TestPlatform;
/** What tp logged (the outbox drain among it). */
const tpLines: string[] = [];
let secondStore: Store;
const edgeSecret = randomBytes(32).toString('base64url');

interface Tenant {
  id: string;
  sipDomain: string;
  adminKey: string;
}
let acme: Tenant;
let globex: Tenant;

async function tenant(slug: string): Promise<Tenant> {
  const { created } = await tp.createTenant(slug, slug);
  const api = tp.provider.tenant(created.tenant.id);
  for (const number of ['101', '102', '103']) await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: `pw-${slug}-${number}-long` });
  return { id: created.tenant.id, sipDomain: created.tenant.sipDomain, adminKey: created.adminKey!.secret };
}

/** `authorization: null` sends no Authorization header at all. */
const post = (body: unknown, authorization: string | null = `Bearer ${edgeSecret}`) =>
  fetch(`${tp.platform.url}/internal/sip/route`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const ask = (t: Tenant, to: string, extra: Partial<SipRoutingRequest> = {}): SipRoutingRequest => ({
  tenantId: t.id,
  callId: `c-${randomBytes(4).toString('hex')}`,
  source: 'extension',
  from: '101',
  to,
  domain: t.sipDomain,
  ...extra,
});

async function decide(request: SipRoutingRequest): Promise<SipRoutingDecision> {
  const response = await post(request);
  expect(response.status).toBe(200);
  return SipRoutingDecision.parse(await response.json());
}

beforeAll(async () => {
  tp = await startTestPlatform('sip-route-endpoint', { bootstrapKey: KEY, log: (l) => tpLines.push(l) });
  acme = await tenant('acme-route');
  globex = await tenant('globex-route');
  secondStore = await openPlatformStore(tp);
});

afterAll(async () => {
  await secondStore?.close();
  await tp?.close();
});

describe('POST /internal/sip/route', () => {
  it('is refused to everyone until an edge secret exists, then to anything but that secret: tenant and provider API keys included', async () => {
    // No Kamailio edge configured: nothing opens it, not even the provider owner.
    expect((await post(ask(acme, '102'), `Bearer ${KEY}`)).status).toBe(401);
    expect((await post(ask(acme, '102'), `Bearer ${edgeSecret}`)).status).toBe(401);

    // What `highrise kamailio-config` writes on its first render.
    expect(await secondStore.settings.getOrInsert('kamailio.edge_secret', edgeSecret)).toBe(edgeSecret);
    await vi.waitFor(async () => expect((await post(ask(acme, '102'))).status).toBe(200), { timeout: 5000, interval: 200 });

    // The same secret as HTTP Basic with user `kamailio` (what Kamailio's named http_client connections send).
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect((await post(ask(acme, '102'), basic('kamailio', edgeSecret))).status).toBe(200);
    // One wrong Basic only (the user is part of the credential): every refusal below counts against this address's allowance (20 a minute).
    const wrong = [basic('admin', edgeSecret)];
    for (const authorization of [null, '', `Bearer ${acme.adminKey}`, `Bearer ${KEY}`, `Bearer ${edgeSecret}x`, `Bearer ${edgeSecret.slice(0, -1)}`, edgeSecret, `Basic ${edgeSecret}`, ...wrong]) {
      const response = await post(ask(acme, '102'), authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="sip-edge"');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    // Not part of the public API: the OpenAPI document does not list it.
    const spec = (await (await fetch(`${tp.platform.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).filter((p) => p.includes('internal'))).toEqual([]);
  });

  it('answers bad input with 400 naming the field, never a 500', async () => {
    const response = await post({ ...ask(acme, '102'), source: 'phone', extra: 1 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.code).toBe('validation_error');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['extra', 'source']);
    const malformed = await post('{"tenantId":');
    expect(malformed.status).toBe(400);
    expect((await post('x'.repeat(5000))).status).toBe(413);
  });

  it('answers as every route does: a Request-Id, named in an error body; a body of unstated length is refused, as one too large', async () => {
    const routed = await post(ask(acme, '102'));
    expect(routed.status).toBe(200);
    expect(routed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(routed.headers.get('request-id')).toMatch(/^req_/);
    const bad = await post({ ...ask(acme, '102'), to: 5 });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; requestId: string; details: { field: string }[] } };
    expect(body.error).toMatchObject({ code: 'validation_error', requestId: bad.headers.get('request-id'), details: [{ field: 'to' }] });
    // Streamed (chunked, no Content-Length): the length is not known before reading, so it is not read.
    const streamed = await fetch(`${tp.platform.url}/internal/sip/route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${edgeSecret}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify(ask(acme, '102'))));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it("routes an extension, a dial rule, a ring group and a reject from the tenant's own dial plan", async () => {
    const api = tp.provider.tenant(acme.id);
    await api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '102' } });
    await api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'premium numbers barred' } });
    await api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['101', '102', '103'] });
    await api.ringGroups.create({ number: '650', name: 'Support', strategy: 'sequential', memberTimeoutSeconds: 7, members: ['102', '103'] });
    const aor = (n: string) => ({ uri: `sip:${n}@${acme.sipDomain}` });

    expect(await decide(ask(acme, '102'))).toEqual({ action: 'route', version: '1.0', routing: 'serial', routes: [aor('102')] });
    expect(await decide(ask(acme, '555'))).toEqual({ action: 'route', version: '1.0', routing: 'serial', routes: [aor('102')] });
    // The caller is a member: it does not ring itself.
    expect(await decide(ask(acme, '600'))).toEqual({ action: 'route', version: '1.0', routing: 'parallel', routes: [aor('102'), aor('103')] });
    expect(await decide(ask(acme, '650'))).toEqual({
      action: 'route',
      version: '1.0',
      routing: 'serial',
      routes: [
        { ...aor('102'), fr_inv_timer: 7000, fr_timer: 7000 },
        { ...aor('103'), fr_inv_timer: 7000, fr_timer: 7000 },
      ],
    });
    expect(await decide(ask(acme, '777'))).toEqual({ action: 'reject', status: 403, reason: 'premium numbers barred' });
    expect(await decide(ask(acme, '999'))).toEqual({ action: 'reject', status: 404, reason: 'Not Found' });
    // Globex has none of Acme's rules: its 555 is nobody.
    expect(await decide(ask(globex, '555'))).toEqual({ action: 'reject', status: 404, reason: 'Not Found' });
  });

  it("keeps a reject's reason safe for a reason phrase and a quoted header", async () => {
    await tp.provider.tenant(acme.id).dialRules.create({ pattern: '_8XX', action: { type: 'reject', status: 486, reason: 'busy"\r\nX-Injected: 1\\' } });
    const decision = await decide(ask(acme, '888'));
    expect(decision).toMatchObject({ action: 'reject', status: 486 });
    expect(decision.action === 'reject' && decision.reason).toBe('busy   X-Injected: 1');
  });

  it('never names a target outside the caller\'s tenant, and refuses unknown, mismatched and suspended tenants', async () => {
    // The tenant named and the domain must be one tenant: Acme's id with Globex's domain is refused.
    expect(await decide(ask(acme, '102', { domain: globex.sipDomain }))).toEqual({ action: 'reject', status: 403, reason: 'unknown domain' });
    expect(await decide(ask(acme, '102', { domain: 'nowhere.sip.localhost' }))).toEqual({ action: 'reject', status: 403, reason: 'unknown domain' });
    expect(await decide(ask(acme, '102', { tenantId: 'ten_nonexistent' }))).toEqual({ action: 'reject', status: 403, reason: 'unknown domain' });
    // A caller that is not an extension of the tenant, and a trunk username that is not its trunk.
    expect(await decide(ask(acme, '102', { from: '199' }))).toEqual({ action: 'reject', status: 403, reason: 'caller not found' });
    expect(await decide(ask(acme, '102', { source: 'trunk', from: 'trunk-nope' }))).toEqual({ action: 'reject', status: 403, reason: 'trunk not found' });
    // Whatever Globex dials, every target is in Globex's own domain.
    await tp.provider.tenant(globex.id).ringGroups.create({ number: '600', name: 'All', strategy: 'simultaneous', members: ['101', '102', '103'] });
    for (const to of ['101', '102', '600', `102@${acme.sipDomain}`]) {
      const decision = SipRoutingDecision.parse(await (await post(ask(globex, to, { from: '103' }))).json());
      if (decision.action === 'route') for (const route of decision.routes) expect(route.uri).toMatch(new RegExp(`@${globex.sipDomain.replace(/\./g, '\\.')}$`));
    }

    await tp.provider.tenants.suspend(globex.id);
    await vi.waitFor(async () => expect(await decide(ask(globex, '102', { from: '103' }))).toEqual({ action: 'reject', status: 403, reason: 'tenant suspended' }));
  });
});

describe('POST /internal/sip/call-record', () => {
  const record = (url: string, body: unknown, authorization: string | null = `Bearer ${edgeSecret}`) =>
    fetch(`${tp.platform.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) }, body: JSON.stringify(body) });
  const now = Date.now() / 1000;
  const ended = (t: Tenant, extra: Record<string, unknown> = {}) => ({
    tenantId: t.id,
    callId: `rec-${randomBytes(4).toString('hex')}`,
    from: '101',
    to: '102',
    direction: 'internal',
    startedAt: now - 30,
    answeredAt: now - 25.4,
    endedAt: now,
    sipStatus: 200,
    ...extra,
  });

  it("stores how a routed call ended as the tenant's call record, to the edge secret only", async () => {
    await secondStore.settings.getOrInsert('kamailio.edge_secret', edgeSecret);
    for (const authorization of [null, `Bearer ${acme.adminKey}`, `Bearer ${KEY}`]) expect((await record('/internal/sip/call-record', ended(acme), authorization)).status).toBe(401);
    const answered = ended(acme);
    const missed = ended(acme, { to: '103', answeredAt: null, sipStatus: 487, cancelled: true });
    const limited = ended(acme, { to: '555', answeredAt: null, sipStatus: 403, limit: true });
    for (const body of [answered, missed, limited]) expect((await record('/internal/sip/call-record', body)).status).toBe(202);

    const calls = tp.client(acme.adminKey).tenant(acme.id).calls;
    await vi.waitFor(async () => expect((await calls.list({ limit: 100 })).data.filter((c) => c.callId.startsWith('rec-'))).toHaveLength(3));
    const list = (await calls.list({ limit: 100 })).data;
    expect(list.find((c) => c.callId === answered.callId)).toMatchObject({ from: '101', to: '102', direction: 'internal', disposition: 'answered', durationSeconds: 25, sipStatus: 200 });
    expect(list.find((c) => c.callId === missed.callId)).toMatchObject({ disposition: 'cancelled', durationSeconds: 0, answeredAt: null, sipStatus: 487 });
    expect(list.find((c) => c.callId === limited.callId)).toMatchObject({ disposition: 'limit', sipStatus: 403 });
    // Nothing of it in another tenant.
    const other = await tenant('initech-route');
    expect((await tp.client(other.adminKey).tenant(other.id).calls.list({ limit: 100 })).data).toEqual([]);
  });

  it('never stores an answer before the call started, as whole-second dialog times from Kamailio can read', async () => {
    await secondStore.settings.getOrInsert('kamailio.edge_secret', edgeSecret);
    const early = ended(acme, { callId: 'rec-early-answer' });
    early.answeredAt = Math.floor(early.startedAt) - 0.5;
    expect((await record('/internal/sip/call-record', early)).status).toBe(202);
    const calls = tp.client(acme.adminKey).tenant(acme.id).calls;
    await vi.waitFor(async () => expect((await calls.list({ limit: 100 })).data.find((c) => c.callId === 'rec-early-answer')).toBeDefined());
    const stored = (await calls.list({ limit: 100 })).data.find((c) => c.callId === 'rec-early-answer')!;
    expect(Date.parse(stored.answeredAt!)).toBe(Date.parse(stored.startedAt));
    expect(stored.durationSeconds).toBe(30);
  });

  it.runIf(testStoreIsPostgres())("stores what Kamailio left in its outbox while no node answered, and drops what can never be a record", async () => {
    // Every node on the database drains the outbox (tp too, every 250 ms): a drop is logged by either.
    const lines: string[] = [];
    const tpFrom = tpLines.length;
    const node = await startTestPlatform('sip-route-outbox', { databaseUrl: tp.store.databaseUrl, kamailio: { outboxIntervalMs: 100 }, log: (l) => lines.push(l) });
    try {
      const good = { ...ended(acme), callId: 'rec-outbox-good' };
      const bodies = [JSON.stringify(good), '{"not":"a record"}', JSON.stringify({ ...ended(acme), callId: 'rec-outbox-foreign', tenantId: 'ten_00000000000000000000000000' })];
      const client = new pg.Client({ connectionString: tp.store.databaseUrl });
      await client.connect();
      try {
        for (const body of bodies) await client.query('INSERT INTO kamailio_call_outbox (body) VALUES ($1)', [body]);
        await vi.waitFor(async () => expect(Number((await client.query('SELECT COUNT(*) AS n FROM kamailio_call_outbox')).rows[0].n)).toBe(0), { timeout: 10_000, interval: 100 });
      } finally {
        await client.end();
      }
      const calls = (await tp.client(acme.adminKey).tenant(acme.id).calls.list({ limit: 100 })).data;
      expect(calls.filter((c) => c.callId.startsWith('rec-outbox-')).map((c) => c.callId)).toEqual(['rec-outbox-good']);
      expect([...lines, ...tpLines.slice(tpFrom)].filter((l) => l.includes('kamailio outbox: dropped'))).toHaveLength(2);
    } finally {
      await node.close();
    }
  });

  it.runIf(testStoreIsPostgres())('stores a record the edge wrote to its outbox within moments (the drain runs every 250 ms)', async () => {
    // kamailio.cfg's own statement (route CALL_RECORD).
    const body = JSON.stringify({ ...ended(acme), callId: 'rec-outbox-written' });
    const client = new pg.Client({ connectionString: tp.store.databaseUrl });
    await client.connect();
    try {
      const inserted = Date.now();
      await client.query('INSERT INTO kamailio_call_outbox (body) VALUES ($1)', [body]);
      const calls = tp.client(acme.adminKey).tenant(acme.id).calls;
      await vi.waitFor(async () => expect((await calls.list({ limit: 100 })).data.find((c) => c.callId === 'rec-outbox-written')).toBeDefined(), { timeout: 1500, interval: 50 });
      expect(Date.now() - inserted).toBeLessThan(1500);
      expect(Number((await client.query('SELECT COUNT(*) AS n FROM kamailio_call_outbox')).rows[0].n)).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses an unknown tenant (404) and bad input (400 naming the field)', async () => {
    const unknown = await record('/internal/sip/call-record', ended(acme, { tenantId: 'ten_nonexistent' }));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await record('/internal/sip/call-record', ended(acme, { sipStatus: 99, direction: 'sideways' }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field).sort()).toEqual(['direction', 'sipStatus']);
  });

  it("records the calls the dial plan refuses itself, since the edge relays nothing", async () => {
    const calls = tp.client(acme.adminKey).tenant(acme.id).calls;
    const request = ask(acme, '999', { from: '102' });
    expect(await decide(request)).toEqual({ action: 'reject', status: 404, reason: 'Not Found' });
    await vi.waitFor(async () => expect((await calls.list({ limit: 100 })).data.find((c) => c.callId === request.callId)).toMatchObject({ from: '102', to: '999', disposition: 'failed', sipStatus: 404 }));
    // A refusal before the dial plan (the domain is not the tenant's) is nobody's call.
    const foreign = ask(acme, '102', { domain: globex.sipDomain });
    await decide(foreign);
    const route = ask(acme, '101', { from: '103' });
    await decide(route);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = (await calls.list({ limit: 100 })).data.map((c) => c.callId);
    expect(ids).not.toContain(foreign.callId);
    // A routed call is recorded when the edge reports how it ended, not when it is routed.
    expect(ids).not.toContain(route.callId);
  });
});

describe('call records acknowledged to the edge', () => {
  it('answers 202 only once a record is stored: it is listed at once, and every acknowledged record survives a stop right after', async () => {
    const own = await startTestPlatform('sip-call-record-stop');
    try {
      const store = await openPlatformStore(own);
      try {
        await store.settings.getOrInsert('kamailio.edge_secret', edgeSecret);
      } finally {
        await store.close();
      }
      const { created } = await own.createTenant('stop-route', 'Stop');
      const tenantId = created.tenant.id;
      const at = Date.now() / 1000;
      let n = 0;
      const body = () => ({ tenantId, callId: `ack-${++n}`, from: '101', to: '102', direction: 'internal', startedAt: at - 10, answeredAt: at - 8, endedAt: at, sipStatus: 200 });
      const send = (b: unknown) =>
        fetch(`${own.platform.url}/internal/sip/call-record`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${edgeSecret}` }, body: JSON.stringify(b) });
      // The platform reads a missing edge secret again after a second.
      const first = body();
      await vi.waitFor(async () => expect((await send(first)).status).toBe(202), { timeout: 5000, interval: 250 });
      const calls = own.client(created.adminKey!.secret).tenant(tenantId).calls;
      // No waiting: the 202 came after the commit.
      expect((await calls.list({ limit: 10 })).data.map((c) => c.callId)).toEqual([first.callId]);

      // A burst from many edge workers at once, then a clean stop as soon as the last is answered.
      const burst = Array.from({ length: 200 }, body);
      expect(new Set((await Promise.all(burst.map(send))).map((r) => r.status))).toEqual(new Set([202]));
      await own.platform.close();
      const after = await openPlatformStore(own);
      try {
        const kept = await after.tenant(systemScope('test fixture', tenantId)).calls.list({ limit: 1000 });
        expect(kept.items.map((c) => c.callId).sort()).toEqual([first, ...burst].map((b) => b.callId).sort());
        // Their hour's rollup counts every one of them.
        const hour = `${new Date((at - 10) * 1000).toISOString().slice(0, 13)}:00:00.000Z`;
        const next = new Date(Date.parse(hour) + 3_600_000).toISOString();
        expect((await after.tenant(systemScope('test fixture', tenantId)).calls.hourly(hour, next)).map((h) => h.calls)).toEqual([201]);
      } finally {
        await after.close();
      }
    } finally {
      await own.close();
    }
  });
});

describe('wrong edge secrets', () => {
  it('count against the address like wrong API keys: audited, then 429 with Retry-After for either credential', async () => {
    const limited = await startTestPlatform('sip-route-limited', { authFailureLimit: { maxFailures: 3, windowSeconds: 60 } });
    const store = await openPlatformStore(limited);
    try {
      await store.settings.getOrInsert('kamailio.edge_secret', edgeSecret);
      const route = (authorization: string) =>
        fetch(`${limited.platform.url}/internal/sip/route`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: '{}' });
      await vi.waitFor(async () => expect((await route(`Bearer ${edgeSecret}`)).status).toBe(400), { timeout: 5000, interval: 200 });

      for (let i = 0; i < 2; i++) expect((await route(`Bearer guess-${i}`)).status).toBe(401);
      // A wrong API key from the same address takes the last failure of the same allowance.
      expect((await fetch(`${limited.platform.url}/v1/tenants`, { headers: { authorization: 'Bearer hr_test_wrong_key' } })).status).toBe(401);
      for (const refused of [await route('Bearer guess-3'), await fetch(`${limited.platform.url}/v1/tenants`, { headers: { authorization: 'Bearer hr_test_wrong_key' } })]) {
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      }
      // The right secret still works from that address: only failures are refused.
      expect((await route(`Bearer ${edgeSecret}`)).status).toBe(400);

      const events = [];
      for await (const e of limited.provider.auditEvents.list({ limit: 100 })) events.push(e);
      const edgeFailures = events.filter((e) => e.action === 'auth.failed.edge_secret');
      expect(edgeFailures).toHaveLength(2);
      expect(edgeFailures[0]).toMatchObject({ tenantId: null, target: { id: 'sip_edge' } });
    } finally {
      await store.close();
      await limited.close();
    }
  });
});
