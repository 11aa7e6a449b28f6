/**
 * One dial plan, not two (issue 10): Kamailio 5.6 (Debian) as the SIP edge in front of the real
 * platform on PostgreSQL. The platform is started on a fresh database and provisioned through the
 * SDK; `highrise kamailio-config --platform-url <the platform>` renders the edge without any
 * routing fallback, so every INVITE Kamailio relays went where the platform's dial plan said
 * (POST /internal/sip/route, executed with rtjson), and sip.js phones talk to Kamailio only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Highrise, TrunkWithPassword } from '@highrise/sdk';
import { createTestPostgresDatabase, type TestPostgresDatabase } from './support/postgres';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { freePort, KAMAILIO_BIN, startKamailio, type RunningKamailio } from './support/kamailio';
import { createNodePhone, headerOf, withTimeout, type NodePhone } from './support/sip-node';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../packages/platform/dist/cli.js', import.meta.url));
const KEY = 'hr_test_bootstrap_key_kamailio_routing';

interface Tenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  adminKey: string;
  password: (number: string) => string;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');
const requestUriOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n')).split(' ')[1]!;

/** Every response frame a phone receives, to read a Reason header. */
function capture(p: NodePhone): string[] {
  const raw: string[] = [];
  const deliver = p.userAgent.transport.onMessage;
  p.userAgent.transport.onMessage = (message: string) => {
    if (message.startsWith('SIP/2.0')) raw.push(message);
    deliver?.(message);
  };
  return raw;
}

describe('Kamailio executing the platform’s dial plan', () => {
  let database: TestPostgresDatabase;
  let tp: TestPlatform;
  let kamailio: RunningKamailio | undefined;
  let wsUrl: string;
  const outDir = mkdtempSync(join(tmpdir(), 'highrise-kamailio-routing-'));
  const phones: NodePhone[] = [];
  let acme: Tenant;
  let globex: Tenant;
  let dids = 0;

  async function tenant(slug: string): Promise<Tenant> {
    const { created } = await tp.createTenant(slug, slug);
    const api = tp.provider.tenant(created.tenant.id);
    const password = (number: string) => `pw-${slug}-${number}-kamailio`;
    for (const number of ['101', '102', '103', '104']) await api.extensions.create({ number, displayName: `${slug} ${number}`, sipPassword: password(number) });
    return { id: created.tenant.id, sipDomain: created.tenant.sipDomain, api, adminKey: created.adminKey!.secret, password };
  }

  async function phone(t: Tenant, number: string, password = t.password(number)): Promise<NodePhone> {
    const p = createNodePhone({ wsUrl, domain: t.sipDomain, number, password });
    phones.push(p);
    await p.start();
    await p.register();
    return p;
  }

  beforeAll(async () => {
    if (!existsSync(KAMAILIO_BIN)) throw new Error(`${KAMAILIO_BIN} is missing: apt-get install kamailio kamailio-websocket-modules kamailio-postgres-modules … (see .ci/run)`);
    if (!existsSync(cli)) throw new Error('packages/platform/dist/cli.js is missing: npm run build');
    database = await createTestPostgresDatabase();
    tp = await startTestPlatform('kamailio-routing', { bootstrapKey: KEY, databaseUrl: database.url });
    acme = await tenant('acme');
    globex = await tenant('globex');
    const port = await freePort();
    const rendered = await run(
      process.execPath,
      [cli, 'kamailio-config', '--database-url', database.url, '--platform-url', tp.platform.url, '--listen', `127.0.0.1:${port}`, '--out', outDir, ...(process.env.KAMAILIO_DEBUG ? ['--debug', process.env.KAMAILIO_DEBUG] : [])],
      { timeout: 30_000 },
    );
    expect(rendered.stdout).toContain(`ws://127.0.0.1:${port}/`);
    kamailio = await startKamailio(join(outDir, 'kamailio.cfg'), port);
    console.log(`kamailio (pid ${kamailio.pid}) on 127.0.0.1:${port} after ${kamailio.startupMs} ms, routing through ${tp.platform.url}`);
    wsUrl = `ws://127.0.0.1:${port}/`;
  }, 60_000);

  afterEach(async (context) => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    if (!kamailio) return;
    // KAMAILIO_LOG_FILE keeps the whole log after every test, passed or not.
    if (process.env.KAMAILIO_LOG_FILE) writeFileSync(process.env.KAMAILIO_LOG_FILE, kamailio.log());
    if (context.task.result?.state === 'fail') console.log(`--- kamailio log (the last 20,000 characters) ---\n${kamailio.log().slice(-20_000)}`);
  });

  afterAll(async () => {
    await kamailio?.stop();
    await tp?.close();
    await database?.drop();
    rmSync(outDir, { recursive: true, force: true });
  }, 30_000);

  it("puts a call through by the caller's own dial rule, and never into the other tenant with the same numbers and rule", async () => {
    await acme.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '102' } });
    await globex.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '103' } });
    const [a101, a102, a103, g102, g103] = [await phone(acme, '101'), await phone(acme, '102'), await phone(acme, '103'), await phone(globex, '102'), await phone(globex, '103')];

    const call = a101.call('555');
    const incoming = await a102.nextIncoming(5000);
    await withTimeout(call.ringing, 5000, 'no 180 reached the caller');
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no final answer')).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not reach 102');
    for (const p of [a103, g102, g103]) expect(invites(p)).toEqual([]);

    // Globex's rule sends its 555 to its own 103.
    const g101 = await phone(globex, '101');
    const theirs = g101.call('555');
    const theirIncoming = await g103.nextIncoming(5000);
    await theirIncoming.reject(486);
    expect(await withTimeout(theirs.outcome, 5000, 'no final answer')).toBe(486);
    expect(invites(a102)).toHaveLength(1);
    expect(invites(a103)).toEqual([]);
  });

  it('forks a simultaneous ring group to every member in the tenant, and cancels the rest on the answer', async () => {
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [a101, a102, a103, g102, g103] = [await phone(acme, '101'), await phone(acme, '102'), await phone(acme, '103'), await phone(globex, '102'), await phone(globex, '103')];
    const call = a101.call('600');
    const [ringing102, ringing103] = await Promise.all([a102.nextIncoming(5000), a103.nextIncoming(5000)]);
    await ringing103.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await withTimeout(ringing102.ended, 5000, 'the other branch was not cancelled');
    await call.hangup();
    await withTimeout(ringing103.ended, 5000, 'no BYE');
    for (const p of [g102, g103]) expect(invites(p)).toEqual([]);
  });

  it('rings a sequential ring group member by member, each for its time', async () => {
    await acme.api.ringGroups.create({ number: '650', name: 'Support', strategy: 'sequential', memberTimeoutSeconds: 5, members: ['102', '103'] });
    const [a101, a102, a103] = [await phone(acme, '101'), await phone(acme, '102'), await phone(acme, '103')];
    const started = Date.now();
    const call = a101.call('650');
    const first = await a102.nextIncoming(5000);
    expect(invites(a103)).toEqual([]);
    // 102 lets it ring: after its 5 s the next member rings and 102 is cancelled.
    const second = await a103.nextIncoming(10_000);
    const waited = Date.now() - started;
    console.log(`sequential ring group: the second member rang ${waited} ms after the call started`);
    // Its own 5 s, not Kamailio's default 10 s final-response timer.
    expect(waited).toBeGreaterThanOrEqual(4500);
    expect(waited).toBeLessThan(9000);
    await withTimeout(first.ended, 5000, "102's ringing was not ended");
    await second.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await call.hangup();
    await withTimeout(second.ended, 5000, 'no BYE');
  }, 30_000);

  it("answers a dial plan's reject with its status and Reason, and an unknown number with 404", async () => {
    await acme.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'premium numbers barred' } });
    const [a101, a102] = [await phone(acme, '101'), await phone(acme, '102')];
    const frames = capture(a101);
    expect(await withTimeout(a101.call('777').outcome, 5000, 'no answer')).toBe(403);
    const refused = frames.find((f) => f.startsWith('SIP/2.0 403'))!;
    expect(headerOf(refused, 'Reason')).toBe('SIP;cause=403;text="premium numbers barred"');
    expect(await withTimeout(a101.call('999').outcome, 5000, 'no answer')).toBe(404);
    expect(invites(a102)).toEqual([]);
  });

  it("cannot reach another tenant's phone: not by its domain, not by a number only the other tenant routes", async () => {
    await globex.api.ringGroups.create({ number: '680', name: 'Globex only', strategy: 'simultaneous', members: ['101', '102'] });
    const [a101, g101, g102] = [await phone(acme, '101'), await phone(globex, '101'), await phone(globex, '102')];
    expect(await withTimeout(a101.call(`sip:680@${globex.sipDomain}`).outcome, 5000, 'no answer')).toBe(403);
    expect(await withTimeout(a101.call('680').outcome, 5000, 'no answer')).toBe(404);
    expect(await withTimeout(a101.call(`sip:102@${globex.sipDomain}`).outcome, 5000, 'no answer')).toBe(403);
    for (const p of [g101, g102]) expect(invites(p)).toEqual([]);
  });

  it('sends a call out on the tenant’s trunk with the rule’s digits and the tenant’s DID as caller id', async () => {
    const own = `+1415555${String(300 + ++dids).padStart(4, '0')}`;
    await tp.provider.numbers.create({ number: own });
    const assigned = await acme.api.numbers.assign({ number: own });
    await acme.api.numbers.update(assigned.id, { routing: { type: 'extension', target: '101' } });
    const trunk: TrunkWithPassword = await acme.api.trunks.create({ name: 'Carrier' });
    await acme.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
    // The carrier: a UA registered with the trunk's credentials; it answers any number it is sent.
    const carrier = createNodePhone({ wsUrl, domain: trunk.realm, number: trunk.username, password: trunk.password });
    const sent: string[] = [];
    const deliver = carrier.userAgent.transport.onMessage;
    carrier.userAgent.transport.onMessage = (message: string) => {
      if (!message.startsWith('INVITE ')) return deliver?.(message);
      sent.push(message);
      deliver?.(message.replace(/^INVITE sip:[^@\s]+@/, `INVITE sip:${trunk.username}@`));
    };
    phones.push(carrier);
    await carrier.start();
    await carrier.register();
    const a101 = await phone(acme, '101');

    const call = a101.call('94155550123');
    const incoming = await carrier.nextIncoming(5000);
    const invite = sent[0]!;
    expect(requestUriOf(invite)).toMatch(/^sip:\+14155550123@/);
    expect(headerOf(invite, 'From')).toContain(`<sip:${own}@${acme.sipDomain}>`);
    expect(headerOf(invite, 'P-Asserted-Identity')).toBe(`<sip:${own}@${acme.sipDomain}>`);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not reach the carrier');
  });

  it("takes a carrier's call on the tenant's trunk to a DID (From is the caller's number, not the trunk login), and nothing else from it", async () => {
    const t = await tenant('inbound');
    const number = `+1415555${String(300 + ++dids).padStart(4, '0')}`;
    await tp.provider.numbers.create({ number });
    const assigned = await t.api.numbers.assign({ number });
    await t.api.numbers.update(assigned.id, { routing: { type: 'extension', target: '102' } });
    const trunk: TrunkWithPassword = await t.api.trunks.create({ name: 'Carrier' });
    const carrier = createNodePhone({ wsUrl, domain: trunk.realm, number: trunk.username, password: trunk.password });
    phones.push(carrier);
    await carrier.start();
    await carrier.register();
    const m102 = await phone(t, '102');

    const call = carrier.call(`sip:${number}@${t.sipDomain}`, { params: { fromUri: `sip:+16505550199@${t.sipDomain}` } });
    const incoming = await m102.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the BYE did not reach the extension');
    await vi.waitFor(
      async () => expect((await t.api.calls.list({ limit: 100 })).data.find((c) => c.to === number)).toMatchObject({ from: '+16505550199', direction: 'inbound', disposition: 'answered' }),
      { timeout: 5000, interval: 200 },
    );

    // The trunk reaches its own tenant's DIDs only: another tenant's number is unknown here.
    const foreign = `+1415555${String(300 + ++dids).padStart(4, '0')}`;
    await tp.provider.numbers.create({ number: foreign });
    const theirs = await globex.api.numbers.assign({ number: foreign });
    await globex.api.numbers.update(theirs.id, { routing: { type: 'extension', target: '101' } });
    const g101 = await phone(globex, '101');
    const crossing = carrier.call(`sip:${foreign}@${t.sipDomain}`, { params: { fromUri: `sip:+16505550199@${t.sipDomain}` } });
    expect(await withTimeout(crossing.outcome, 5000, 'no answer')).toBe(404);
    expect(invites(g101)).toHaveLength(0);

    // An extension may not do the same: its From must be its own number.
    const spoofer = await phone(t, '103');
    const spoofed = spoofer.call(`sip:102@${t.sipDomain}`, { params: { fromUri: `sip:101@${t.sipDomain}` } });
    expect(await withTimeout(spoofed.outcome, 5000, 'no answer')).toBe(403);
  });

  it('keeps the call records of calls placed through Kamailio, as calls.list shows them for the embedded edge', async () => {
    const t = await tenant('recorded');
    await t.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'barred' } });
    const [r101, r102, r103] = [await phone(t, '101'), await phone(t, '102'), await phone(t, '103')];

    const answered = r101.call('102');
    const incoming = await r102.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(answered.outcome, 5000, 'no answer')).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await answered.hangup();
    await withTimeout(incoming.ended, 5000, 'no BYE');

    const busy = r101.call('103');
    await (await r103.nextIncoming(5000)).reject(486);
    expect(await withTimeout(busy.outcome, 5000, 'no answer')).toBe(486);

    const cancelled = r102.call('103');
    await r103.nextIncoming(5000);
    await withTimeout(cancelled.ringing, 5000, 'no ringing');
    await cancelled.cancel();
    expect(await withTimeout(cancelled.outcome, 5000, 'no answer')).toBe(487);

    expect(await withTimeout(r101.call('777').outcome, 5000, 'no answer')).toBe(403);
    expect(await withTimeout(r101.call('104').outcome, 5000, 'no answer')).toBe(480);

    const byCallId = (id: string | undefined) => (call: { callId: string }) => call.callId === id;
    await vi.waitFor(async () => expect((await t.api.calls.list({ limit: 100 })).data).toHaveLength(5), { timeout: 10_000 });
    const calls = (await t.api.calls.list({ limit: 100 })).data;
    const record = calls.find(byCallId(answered.inviter.request.callId))!;
    expect(record).toMatchObject({ from: '101', to: '102', direction: 'internal', disposition: 'answered', sipStatus: 200 });
    expect(record.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(Date.parse(record.answeredAt!)).toBeGreaterThanOrEqual(Date.parse(record.startedAt) - 1000);
    expect(calls.find(byCallId(busy.inviter.request.callId))).toMatchObject({ from: '101', to: '103', disposition: 'busy', sipStatus: 486, answeredAt: null });
    expect(calls.find(byCallId(cancelled.inviter.request.callId))).toMatchObject({ from: '102', to: '103', disposition: 'cancelled', sipStatus: 487 });
    expect(calls.filter((c) => c.to === '777')).toMatchObject([{ from: '101', disposition: 'rejected', sipStatus: 403 }]);
    expect(calls.filter((c) => c.to === '104')).toMatchObject([{ from: '101', disposition: 'no_answer', sipStatus: 480 }]);
    // Only this tenant's calls: Acme's and Globex's are in theirs.
    expect(calls.every((c) => ['101', '102'].includes(c.from))).toBe(true);
  }, 30_000);

  it('is the only one the platform answers: a tenant API key or no secret gets 401 at the routing endpoint', async () => {
    const body = JSON.stringify({ tenantId: acme.id, callId: 'x', source: 'extension', from: '101', to: '102', domain: acme.sipDomain });
    const post = (authorization?: string) => fetch(`${tp.platform.url}/internal/sip/route`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${acme.adminKey}`)).status).toBe(401);
    expect((await post(`Bearer ${KEY}`)).status).toBe(401);
    const secret = (await database.query("SELECT value FROM settings WHERE key = 'kamailio.edge_secret'")).rows[0] as { value: string };
    await vi.waitFor(async () => expect((await post(`Bearer ${secret.value}`)).status).toBe(200));
  });

  // Last: it stops the platform node Kamailio was pointed at.
  it('keeps a call record in the outbox while no platform node answers, and a node that comes back stores it', async () => {
    const t = await tenant('outbox');
    const [o101, o102] = [await phone(t, '101'), await phone(t, '102')];
    const call = o101.call('102');
    const incoming = await o102.nextIncoming(5000);
    await incoming.answer();
    expect(await withTimeout(call.outcome, 5000, 'no answer')).toBe(200);

    // Every platform node is down; the call itself lives in Kamailio and ends normally.
    await tp.close();
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'no BYE');
    await vi.waitFor(async () => expect(Number((await database.query('SELECT COUNT(*) AS n FROM kamailio_call_outbox')).rows[0].n)).toBe(1), { timeout: 5000, interval: 100 });

    // A node comes back on the same database: the record is stored once, and the outbox is empty.
    tp = await startTestPlatform('kamailio-routing-back', { bootstrapKey: KEY, databaseUrl: database.url, kamailio: { outboxIntervalMs: 200 } });
    const calls = tp.provider.tenant(t.id).calls;
    await vi.waitFor(async () => expect((await calls.list({ limit: 100 })).data).toHaveLength(1), { timeout: 5000, interval: 100 });
    expect((await calls.list({ limit: 100 })).data[0]).toMatchObject({ from: '101', to: '102', direction: 'internal', disposition: 'answered', sipStatus: 200 });
    expect(Number((await database.query('SELECT COUNT(*) AS n FROM kamailio_call_outbox')).rows[0].n)).toBe(0);
  });
});
