/**
 * Credentials reaching SIP sockets that are already open (issue 8, findings 4, 8 and 15): what a
 * socket proved stops counting the moment the credentials behind it change, a captured digest
 * answer is worth nothing on another socket or a second time, and a suspended tenant's sockets
 * close with its calls ended. Every socket here is opened and registered BEFORE the change.
 * Real platform, real sip.js phones, raw frames where a test needs to see or forge the exact bytes.
 */
import { join } from 'node:path';
import type { Highrise, TrunkWithPassword } from '@highrise/sdk';
import { type Platform } from '@highrise/platform';
// A change written by another process on the same database sends the edge no notice: the
// platform's own domain code, on a second connection to the file, makes one.
import { DEFAULT_AUDIT_KEY_FILE, loadAuditKeyFile } from '../packages/platform/src/domain/audit-key';
import { updateExtension } from '../packages/platform/src/domain/extensions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { accessTenant } from '../packages/platform/src/domain/tenants';
import { openSourceStore, PROVIDER } from './support/source-store';
import { createNodePhone, digestAuthorization, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_sip_credentials_01';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
const sockets: RawSip[] = [];
let slugs = 0;
let dids = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-credentials', { bootstrapKey: KEY });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all([...phones.splice(0).map((phone) => phone.stop()), ...sockets.splice(0).map((raw) => raw.close())]);
});

afterAll(async () => {
  await testPlatform?.close();
});

interface TestTenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  /** Extension ids by number. */
  ids: Map<string, string>;
}

async function tenantWith(name: string, numbers = ['101', '102']): Promise<TestTenant> {
  const slug = `cred-${name}-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  const api = hr.tenant(tenant.id);
  const ids = new Map<string, string>();
  for (const number of numbers) ids.set(number, (await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: `old-${slug}-${number}` })).id);
  return { id: tenant.id, sipDomain: tenant.sipDomain, api, ids };
}

const oldPassword = (tenant: TestTenant, number: string) => `old-${tenant.sipDomain.split('.')[0]!}-${number}`;

async function phone(tenant: TestTenant, number: string, password = oldPassword(tenant, number)): Promise<NodePhone> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: tenant.sipDomain, number, password });
  phones.push(p);
  await p.start();
  await p.register();
  return p;
}

async function raw(query = ''): Promise<RawSip> {
  const socket = await openRawSip(`${platform.wsUrl}${query}`);
  sockets.push(socket);
  return socket;
}

async function tokenSocket(tenant: TestTenant, number: string): Promise<RawSip> {
  const { token } = await tenant.api.softphoneTokens.create({ extension: number, ttlSeconds: 600 });
  return raw(`?token=${encodeURIComponent(token)}`);
}

/** The carrier side of a trunk, as in sip-dial-plan: sip.js registered with the trunk's credentials. */
async function carrier(trunk: TrunkWithPassword): Promise<NodePhone> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: trunk.realm, number: trunk.username, password: trunk.password });
  const deliver = p.userAgent.transport.onMessage;
  // sip.js answers 404 unless the request-URI user is its own; a carrier takes calls for any number.
  p.userAgent.transport.onMessage = (message: string) => deliver?.(message.replace(/^INVITE sip:[^@\s]+@/, `INVITE sip:${trunk.username}@`));
  phones.push(p);
  await p.start();
  await p.register();
  return p;
}

async function did(tenant: TestTenant, target: string): Promise<string> {
  const number = `+1415556${String(100 + ++dids).padStart(4, '0')}`;
  await hr.numbers.create({ number });
  const assigned = await tenant.api.numbers.assign({ number });
  await tenant.api.numbers.update(assigned.id, { routing: { type: 'extension', target } });
  return assigned.number;
}

const registrations = async (tenant: TestTenant) => (await tenant.api.usage.retrieve()).registrations.used;
const contact = (name: string) => `Contact: <sip:${name}@raw.invalid;transport=ws>`;
const register = (domain: string, number: string, headers: string[]) =>
  rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:${number}@${domain}`, to: `sip:${number}@${domain}`, headers });
const message = (domain: string, from: string, to: string) =>
  rawRequest({ method: 'MESSAGE', uri: `sip:${to}@${domain}`, from: `sip:${from}@${domain}`, to: `sip:${to}@${domain}`, body: 'hello' });

/** A digest REGISTER on a raw socket; returns the final answer and the Authorization line it used. */
async function digestRegister(socket: RawSip, domain: string, number: string, password: string, name = `r${number}`) {
  socket.send(register(domain, number, [contact(name)]));
  const challenge = await socket.next();
  expect(statusOf(challenge)).toBe(401);
  const authorization = digestAuthorization(headerOf(challenge, 'WWW-Authenticate')!, { username: number, password, method: 'REGISTER', uri: `sip:${domain}` });
  socket.send(register(domain, number, [contact(name), authorization]));
  return { answer: await socket.next(), authorization };
}

/** The close code and reason of a sip.js phone's WebSocket, whenever it closes. */
function socketClosed(p: NodePhone): Promise<{ code: number; reason: string }> {
  const socket = (p.userAgent.transport as unknown as { ws: import('ws').WebSocket }).ws;
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe("an extension's password changes while its old sockets are open", () => {
  it('the old socket places no call without a challenge and receives no call; the new password does both', async () => {
    const acme = await tenantWith('password');
    const old101 = await raw();
    expect(statusOf((await digestRegister(old101, acme.sipDomain, '101', oldPassword(acme, '101'))).answer)).toBe(200);
    const m102 = await phone(acme, '102');
    // Before the change, the registered socket's MESSAGE goes through unchallenged.
    old101.send(message(acme.sipDomain, '101', '102'));
    await vi.waitFor(() => expect(m102.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(1));
    expect(statusOf(await old101.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100))).toBe(200);
    expect(await registrations(acme)).toBe(2);

    await acme.api.extensions.update(acme.ids.get('101')!, { sipPassword: 'a-brand-new-password-101' });

    old101.send(message(acme.sipDomain, '101', '102'));
    expect(statusOf(await old101.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100))).toBe(407);
    const call = m102.call('101');
    expect(await call.outcome).toBe(480);
    expect(old101.frames.filter((f) => f.startsWith('INVITE '))).toEqual([]);
    expect(await registrations(acme)).toBe(1);

    const new101 = await phone(acme, '101', 'a-brand-new-password-101');
    const again = m102.call('101');
    const incoming = await new101.nextIncoming();
    await incoming.answer();
    expect(await again.outcome).toBe(200);
    await again.hangup();
    expect(old101.frames.filter((f) => f.startsWith('INVITE '))).toEqual([]);
    expect(m102.received.filter((r) => r.method === 'MESSAGE')).toHaveLength(1);
  });
});

describe('a password changed by another process on the same database (no in-process notice reaches the edge)', () => {
  it("is met on the old socket's next request once the database's change counter is seen (≤ 100 ms), and that request voids its registration", async () => {
    const acme = await tenantWith('elsewhere');
    const old101 = await raw();
    expect(statusOf((await digestRegister(old101, acme.sipDomain, '101', oldPassword(acme, '101'))).answer)).toBe(200);
    const m102 = await phone(acme, '102');

    const store = await openSourceStore(testPlatform!);
    try {
      // The other process keys the audit chain with the same key file, as a second node would.
      const auditKey = loadAuditKeyFile(join(testPlatform!.dataDir, DEFAULT_AUDIT_KEY_FILE), () => {});
      const ctx = { store, baseSipDomain: 'sip.localhost', auditKey, now: () => new Date() };
      const access = await accessTenant(ctx, PROVIDER, acme.id);
      const actor = { principal: { kind: 'provider' as const, keyId: 'key_elsewhere', roleId: 'rol_elsewhere', permissions: new Set<never>() }, requestId: null };
      await updateExtension(ctx, actor, access, acme.ids.get('101')!, { sipPassword: 'changed-elsewhere-101' });
    } finally {
      await store.close();
    }
    // The edge answers from its in-memory directory; a commit by another connection reaches it
    // through SQLite's data_version. Probed without authenticating (a failed authentication from
    // this address would count against its rate limit) and without reaching 102: a MESSAGE to a
    // number that does not exist gets a plain refusal while the old identity stands, and the
    // challenge once the change has arrived.
    await vi.waitFor(
      async () => {
        old101.send(message(acme.sipDomain, '101', '199'));
        expect(statusOf(await old101.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100))).toBe(407);
      },
      { timeout: 10_000, interval: 50 },
    );

    old101.send(message(acme.sipDomain, '101', '102'));
    expect(statusOf(await old101.next((f) => statusOf(f) !== undefined && statusOf(f) !== 100))).toBe(407);
    expect(await m102.call('101').outcome).toBe(480);
    expect(old101.frames.filter((f) => f.startsWith('INVITE '))).toEqual([]);
    expect(m102.received.filter((r) => r.method === 'MESSAGE')).toEqual([]);
  });
});

describe('an extension deleted and created again for someone else', () => {
  it("leaves the old digest socket no way to call, and none of the new 101's calls", async () => {
    const acme = await tenantWith('recreated');
    const old101 = await phone(acme, '101');
    const m102 = await phone(acme, '102');

    await acme.api.extensions.delete(acme.ids.get('101')!);
    // Someone else's 101, with (as it happens) the very same password.
    await acme.api.extensions.create({ number: '101', displayName: 'New person', sipPassword: oldPassword(acme, '101') });

    // Until the new person registers, 101 is simply not there: the old phone never rings.
    expect(await withTimeout(m102.call('101').outcome, 5000, 'the call to 101 rang somewhere')).toBe(480);
    expect(old101.incoming).toEqual([]);
    expect(await registrations(acme)).toBe(1);
    // The old phone is challenged again before it may call anyone.
    const call = old101.call('102');
    await vi.waitFor(() => expect(old101.responses).toContain(407), { timeout: 10_000 });
    await call.cancel().catch(() => {});
  });

  it('refuses a token minted for the old 101, at the upgrade and on a socket opened before the deletion', async () => {
    const acme = await tenantWith('token');
    const { token } = await acme.api.softphoneTokens.create({ extension: '101', ttlSeconds: 600 });
    const before = await raw(`?token=${encodeURIComponent(token)}`);
    before.send(register(acme.sipDomain, '101', [contact('tok')]));
    expect(statusOf(await before.next())).toBe(200);
    expect(await registrations(acme)).toBe(1);

    await acme.api.extensions.delete(acme.ids.get('101')!);
    await acme.api.extensions.create({ number: '101', displayName: 'New person', sipPassword: 'new-person-password' });

    // The socket opened with the old 101's token is closed, its registration gone with it.
    expect(await withTimeout(before.closed, 3000, 'the old token socket stayed open')).toEqual({ code: 4404, reason: 'extension_not_found' });
    expect(await registrations(acme)).toBe(0);
    // A new socket with the same token is refused as the upgrade completes.
    const after = await raw(`?token=${encodeURIComponent(token)}`);
    expect((await withTimeout(after.closed, 3000, 'the old token was accepted')).reason).toBe('extension_not_found');
    expect(await registrations(acme)).toBe(0);
  });
});

describe("a trunk's password is rotated while the carrier's socket is open", () => {
  it('the carrier must prove the new password before it may call in, and is sent no calls meanwhile', async () => {
    const acme = await tenantWith('trunk');
    const number = await did(acme, '101');
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    await acme.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
    const pstn = await carrier(trunk);
    const m101 = await phone(acme, '101');
    expect(await registrations(acme)).toBe(2);

    const rotated = await acme.api.trunks.update(trunk.id, { rotatePassword: true });
    expect(rotated.password).toBeTruthy();
    expect(await registrations(acme)).toBe(1);

    // Outbound: the trunk is no longer registered as far as the edge is concerned.
    expect(await m101.call('94155550100').outcome).toBe(480);
    // Inbound: challenged, and the old password it answers with is refused; 101 never rings.
    const inbound = pstn.call(`sip:${number}@${acme.sipDomain}`, { params: { fromUri: `sip:+16505550199@${acme.sipDomain}` } });
    expect(await inbound.outcome).toBe(403);
    expect(pstn.responses).toContain(407);
    expect(m101.incoming).toEqual([]);
  });
});

describe('a captured REGISTER Authorization (digest replay)', () => {
  it('is refused on another socket and a second time on its own, with a fresh challenge (stale=true)', async () => {
    const acme = await tenantWith('replay');
    const victim = await raw();
    const { answer, authorization } = await digestRegister(victim, acme.sipDomain, '101', oldPassword(acme, '101'), 'victim');
    expect(statusOf(answer)).toBe(200);

    const attacker = await raw();
    attacker.send(register(acme.sipDomain, '101', [contact('attacker'), authorization]));
    const elsewhere = await attacker.next();
    expect(statusOf(elsewhere)).toBe(401);
    expect(headerOf(elsewhere, 'WWW-Authenticate')).toContain('stale=true');

    victim.send(register(acme.sipDomain, '101', [contact('attacker'), authorization]));
    const again = await victim.next();
    expect(statusOf(again)).toBe(401);
    expect(headerOf(again, 'WWW-Authenticate')).toContain('stale=true');

    // Only the victim's own contact is bound: a call to 101 goes there.
    const m102 = await phone(acme, '102');
    m102.call('101');
    const invite = await victim.next((f) => f.startsWith('INVITE '));
    expect(invite).toMatch(/^INVITE sip:victim@raw\.invalid/);
    expect(attacker.frames.filter((f) => f.startsWith('INVITE '))).toEqual([]);
  });

  it("is refused when its digest uri is not the request's Request-URI", async () => {
    const acme = await tenantWith('uri');
    const socket = await raw();
    socket.send(register(acme.sipDomain, '101', [contact('u')]));
    const challenge = headerOf(await socket.next(), 'WWW-Authenticate')!;
    // A right answer, computed for another URI than the one this request is sent to.
    const authorization = digestAuthorization(challenge, { username: '101', password: oldPassword(acme, '101'), method: 'REGISTER', uri: 'sip:elsewhere.invalid' });
    socket.send(register(acme.sipDomain, '101', [contact('u'), authorization]));
    expect(statusOf(await socket.next())).toBe(403);
    expect(await registrations(acme)).toBe(0);
  });
});

describe('suspending a tenant whose sockets are open and registered', () => {
  it('closes its digest, token and trunk sockets, drops their registrations and ends its calls with a BYE to the carrier', async () => {
    const acme = await tenantWith('suspend');
    const number = await did(acme, '101');
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const pstn = await carrier(trunk);
    const m101 = await phone(acme, '101');
    const token102 = await tokenSocket(acme, '102');
    token102.send(register(acme.sipDomain, '102', [contact('tok102')]));
    expect(statusOf(await token102.next())).toBe(200);
    expect(await registrations(acme)).toBe(3);

    // A PSTN call in progress, answered by 101.
    const call = pstn.call(`sip:${number}@${acme.sipDomain}`, { params: { fromUri: `sip:+16505550199@${acme.sipDomain}` } });
    const incoming = await m101.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    const callId = call.inviter.request.callId;
    const closes = [socketClosed(m101), socketClosed(pstn), token102.closed];

    await hr.tenants.suspend(acme.id);

    const closed = await withTimeout(Promise.all(closes), 3000, "the suspended tenant's sockets stayed open");
    expect(closed).toEqual([
      { code: 4403, reason: 'tenant_suspended' },
      { code: 4403, reason: 'tenant_suspended' },
      { code: 4403, reason: 'tenant_suspended' },
    ]);
    // The carrier heard a BYE for the call before its own socket closed: it does not hold the PSTN leg up.
    expect(pstn.received.filter((r) => r.method === 'BYE' && headerOf(r.raw, 'Call-ID') === callId)).toHaveLength(1);
    expect(await registrations(acme)).toBe(0);
    expect((await acme.api.usage.retrieve()).channels.used).toBe(0);
    await vi.waitFor(async () => {
      const record = (await acme.api.calls.list({ limit: 10 })).data.find((c) => c.direction === 'inbound');
      expect(record).toMatchObject({ disposition: 'answered', to: number });
      expect(record?.endedAt).toBeTruthy();
    });

    // Nothing of the tenant's can come back until it is resumed.
    const retry = await raw();
    expect(statusOf((await digestRegister(retry, acme.sipDomain, '101', oldPassword(acme, '101'))).answer)).toBe(403);
  });
});
