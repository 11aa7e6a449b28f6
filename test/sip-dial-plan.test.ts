/**
 * The SIP edge routing through each tenant's dial plan, against the real platform: provisioning
 * through the SDK, sip.js phones, and a "carrier" that is a sip.js UA registered with a trunk's
 * digest credentials. Each test gets tenants of its own, so one test's rules never reach another.
 */
import { Highrise, type Call, type TrunkWithPassword } from '@highrise/sdk';
import { ManualClock, type Platform } from '@highrise/platform';
import { Messager, UserAgent } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import {
  createNodePhone,
  openRawSip,
  rawDialogOf,
  rawInDialog,
  rawRequest,
  SipRejected,
  statusOf,
  withTimeout,
  type NodePhone,
} from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_dial_plan_sip_01';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
let slugs = 0;
let dids = 0;

/** The edge's timers (ring group member timeouts among them) move only when a test advances this. */
const clock = new ManualClock();

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-dial-plan', { bootstrapKey: KEY, sipTimers: { clock } });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
});

afterAll(async () => {
  await testPlatform?.close();
});

interface TestTenant {
  id: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
  password: (number: string) => string;
}

/** A fresh tenant with extensions 101–104. */
async function tenantWith(name: string): Promise<TestTenant> {
  const slug = `plan-${name}-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  const api = hr.tenant(tenant.id);
  const password = (number: string) => `dial-plan-${slug}-${number}`;
  for (const number of ['101', '102', '103', '104']) await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: password(number) });
  return { id: tenant.id, sipDomain: tenant.sipDomain, api, password };
}

async function phone(tenant: TestTenant, number: string): Promise<NodePhone> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: tenant.sipDomain, number, password: tenant.password(number) });
  phones.push(p);
  await p.start();
  await p.register();
  return p;
}

interface Carrier extends NodePhone {
  /** INVITEs exactly as the edge sent them. */
  sent: string[];
}

/**
 * The carrier side of a trunk: a sip.js UA registered with the trunk's digest credentials. A real
 * carrier takes calls for any number it is sent; sip.js answers 404 unless the request-URI user is
 * its own, so the raw INVITE is kept and then readdressed to the UA before sip.js sees it.
 */
async function carrier(trunk: TrunkWithPassword, password = trunk.password): Promise<Carrier> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: trunk.realm, number: trunk.username, password });
  const sent: string[] = [];
  const deliver = p.userAgent.transport.onMessage;
  p.userAgent.transport.onMessage = (message: string) => {
    if (!message.startsWith('INVITE ')) return deliver?.(message);
    sent.push(message);
    deliver?.(message.replace(/^INVITE sip:[^@\s]+@/, `INVITE sip:${trunk.username}@`));
  };
  phones.push(p);
  await p.start();
  await p.register();
  return Object.assign(p, { sent });
}

/** A DID from inventory, assigned to the tenant and routed as given. */
async function did(tenant: TestTenant, routing: { type: 'extension' | 'ring_group' | 'dial_rule'; target: string } | null): Promise<string> {
  const number = `+1415555${String(200 + ++dids).padStart(4, '0')}`;
  await hr.numbers.create({ number });
  const assigned = await tenant.api.numbers.assign({ number });
  if (routing) await tenant.api.numbers.update(assigned.id, { routing });
  return assigned.number;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');
const cancels = (p: NodePhone) => p.received.filter((r) => r.method === 'CANCEL');
const headerOf = (raw: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw)?.[1]?.trim();
const requestUriOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n')).split(' ')[1]!;

/** The final status a caller heard and the raw response, to read its Reason header. */
function capture(p: NodePhone): string[] {
  const raw: string[] = [];
  const deliver = p.userAgent.transport.onMessage;
  p.userAgent.transport.onMessage = (message: string) => {
    if (message.startsWith('SIP/2.0')) raw.push(message);
    deliver?.(message);
  };
  return raw;
}

async function recordOf(tenant: TestTenant, predicate: (call: Call) => boolean): Promise<Call> {
  let found: Call | undefined;
  await vi.waitFor(async () => {
    found = (await tenant.api.calls.list({ limit: 100 })).data.find(predicate);
    expect(found).toBeDefined();
  });
  return found!;
}

let markers = 0;
/**
 * Sends a MESSAGE from `from` to `to` (the same phone is fine) and waits until `to` has it. The
 * edge forwards to a socket in order, so whatever it sent `to` before handling this MESSAGE has
 * arrived by then: "nobody rang" is checked after a positive sign, not after a guessed delay.
 */
async function markerReached(from: NodePhone, to: NodePhone): Promise<void> {
  const body = `marker ${++markers}`;
  await new Messager(from.userAgent, UserAgent.makeURI(to.aor)!, body).message();
  await vi.waitFor(() => expect(to.received.some((r) => r.method === 'MESSAGE' && r.raw.endsWith(body))).toBe(true), { timeout: 10_000 });
}

describe('dial rules at the edge', () => {
  it('routes the same pattern in two tenants to each tenant’s own target', async () => {
    const acme = await tenantWith('acme');
    const globex = await tenantWith('globex');
    await acme.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '102' } });
    await globex.api.dialRules.create({ pattern: '_5XX', action: { type: 'extension', target: '103' } });
    const [acme101, acme102, acme103, globex101, globex102, globex103] = await Promise.all([
      phone(acme, '101'),
      phone(acme, '102'),
      phone(acme, '103'),
      phone(globex, '101'),
      phone(globex, '102'),
      phone(globex, '103'),
    ]);

    const acmeCall = acme101.call('555');
    await (await acme102.nextIncoming()).answer();
    expect(await acmeCall.outcome).toBe(200);
    const globexCall = globex101.call('555');
    await (await globex103.nextIncoming()).answer();
    expect(await globexCall.outcome).toBe(200);

    await Promise.all([markerReached(acme101, acme103), markerReached(globex101, globex102)]);
    expect(invites(acme103)).toHaveLength(0);
    expect(invites(globex102)).toHaveLength(0);
    await acmeCall.hangup();
    await globexCall.hangup();
  });

  it('answers a reject rule with its status and reason, and records it', async () => {
    const acme = await tenantWith('reject');
    await acme.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'premium numbers barred' } });
    const caller = await phone(acme, '101');
    const responses = capture(caller);
    const call = caller.call('777');
    expect(await call.outcome).toBe(403);
    const final = responses.find((r) => r.startsWith('SIP/2.0 403'))!;
    expect(headerOf(final, 'Reason')).toBe('SIP;cause=403;text="premium numbers barred"');
    const record = await recordOf(acme, (c) => c.to === '777');
    expect(record).toMatchObject({ disposition: 'rejected', sipStatus: 403, direction: 'internal' });
  });

  it('answers 404 for a string nothing in the tenant answers to', async () => {
    const acme = await tenantWith('nothing');
    const caller = await phone(acme, '101');
    expect(await caller.call('4242').outcome).toBe(404);
  });

  // The edge keeps each tenant's rules compiled between calls; a change must still reach the next call.
  it('follows a changed, moved or deleted rule from the very next call', async () => {
    const acme = await tenantWith('change');
    const rule = await acme.api.dialRules.create({ pattern: '_7XX', action: { type: 'reject', status: 403, reason: 'barred' } });
    const caller = await phone(acme, '101');
    expect(await caller.call('777').outcome).toBe(403);

    await acme.api.dialRules.update(rule.id, { action: { type: 'reject', status: 486, reason: 'busy here' } });
    expect(await caller.call('777').outcome).toBe(486);

    const exact = await acme.api.dialRules.create({ pattern: '777', action: { type: 'reject', status: 404, reason: 'no such service' } });
    expect(await caller.call('777').outcome).toBe(486);
    await acme.api.dialRules.update(exact.id, { position: 0 });
    expect(await caller.call('777').outcome).toBe(404);

    await acme.api.dialRules.delete(exact.id);
    await acme.api.dialRules.update(rule.id, { pattern: '_8XX' });
    const m102 = await phone(acme, '102');
    await acme.api.dialRules.create({ pattern: '777', action: { type: 'extension', target: '102' } });
    const call = caller.call('777');
    await (await m102.nextIncoming()).answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
  });
});

describe('ring groups', () => {
  it('simultaneous: every member rings, the first to answer gets the call, the others get CANCEL', async () => {
    const acme = await tenantWith('simul');
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);

    const call = caller.call('600');
    const [ring102, ring103] = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    expect(await acme.api.usage.retrieve()).toMatchObject({ channels: { used: 1 } });
    await ring103.answer();
    expect(await call.outcome).toBe(200);
    await vi.waitFor(() => expect(cancels(m102)).toHaveLength(1));
    await withTimeout(ring102.ended, 3000, 'the losing member kept ringing');
    // One group call holds one channel, whichever members rang.
    expect(await acme.api.usage.retrieve()).toMatchObject({ channels: { used: 1 } });

    await call.hangup();
    await withTimeout(ring103.ended, 3000, 'the BYE did not reach the member');
    const record = await recordOf(acme, (c) => c.callId === headerOf(invites(m103)[0]!.raw, 'Call-ID'));
    expect(record).toMatchObject({ from: '101', to: '103', direction: 'internal', disposition: 'answered' });
    expect((await acme.api.calls.list({ limit: 100 })).data).toHaveLength(1);
    expect(await acme.api.usage.retrieve()).toMatchObject({ channels: { used: 0 } });
  });

  it('simultaneous: when two members answer at once, the later answer is ACKed and hung up', async () => {
    const acme = await tenantWith('race');
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);
    const call = caller.call('600');
    const rings = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    const answers = await Promise.allSettled(rings.map((r) => r.answer()));
    expect(await call.outcome).toBe(200);
    // Exactly one member keeps the call; the other one is ended by BYE (late 200) or by CANCEL.
    const loser = await withTimeout(Promise.race(rings.map((r, i) => r.ended.then(() => i))), 3000, 'both members kept the call');
    const winner = rings[1 - loser]!;
    const loserPhone = [m102, m103][loser]!;
    if (answers[loser]!.status === 'fulfilled') {
      expect(loserPhone.received.map((r) => r.method)).toEqual(expect.arrayContaining(['ACK', 'BYE']));
    }
    // Anything the edge still had for the winner (a stray CANCEL or BYE) arrives before this.
    await markerReached(caller, [m102, m103][1 - loser]!);
    expect(winner.invitation.state).toBe('Established');
    await call.hangup();
    await withTimeout(winner.ended, 3000, 'the BYE did not reach the member who answered');
    expect(await acme.api.usage.retrieve()).toMatchObject({ channels: { used: 0 } });
  });

  it('simultaneous: a member whose phone drops while ringing leaves the others ringing', async () => {
    const acme = await tenantWith('drop');
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);
    const call = caller.call('600');
    const [, ring103] = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    m102.dropConnection();
    // The edge has noticed the drop once 102's registration is gone (101 and 103 remain).
    await vi.waitFor(async () => expect((await acme.api.usage.retrieve()).registrations.used).toBe(2), { timeout: 10_000 });
    await ring103.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    expect(await recordOf(acme, (c) => c.to === '103')).toMatchObject({ disposition: 'answered' });
  });

  it('simultaneous: busy when every member is busy, 480 when no member is registered', async () => {
    const acme = await tenantWith('busy');
    await acme.api.ringGroups.create({ number: '601', name: 'Busy', strategy: 'simultaneous', members: ['102', '103'] });
    await acme.api.ringGroups.create({ number: '602', name: 'Empty', strategy: 'simultaneous', members: ['104'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);

    const call = caller.call('601');
    const [ring102, ring103] = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    await ring102.reject(486);
    await ring103.reject(486);
    expect(await call.outcome).toBe(486);
    expect(await caller.call('602').outcome).toBe(480);
    const busy = await recordOf(acme, (c) => c.to === '601');
    expect(busy).toMatchObject({ disposition: 'busy', sipStatus: 486 });
  });

  it('a caller CANCEL cancels every branch', async () => {
    const acme = await tenantWith('cancel');
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);
    const call = caller.call('600');
    await Promise.all([m102.nextIncoming(), m103.nextIncoming(), call.ringing]);
    await call.cancel();
    expect(await call.outcome).toBe(487);
    await vi.waitFor(() => {
      expect(cancels(m102)).toHaveLength(1);
      expect(cancels(m103)).toHaveLength(1);
    });
    expect(await recordOf(acme, (c) => c.to === '600')).toMatchObject({ disposition: 'cancelled' });
    await vi.waitFor(async () => expect(await acme.api.usage.retrieve()).toMatchObject({ channels: { used: 0 } }));
  });

  it('sequential: the first member rings out after its timeout, then the next one rings', async () => {
    const acme = await tenantWith('seq');
    await acme.api.ringGroups.create({ number: '650', name: 'Support', strategy: 'sequential', memberTimeoutSeconds: 5, members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);

    const call = caller.call('650');
    const first = await m102.nextIncoming();
    clock.advance(4_999);
    await Promise.all([markerReached(caller, m103), markerReached(caller, m102)]);
    expect(invites(m103)).toHaveLength(0);
    expect(cancels(m102)).toHaveLength(0);
    clock.advance(1);
    const second = await m103.nextIncoming();
    await vi.waitFor(() => expect(cancels(m102)).toHaveLength(1));
    await withTimeout(first.ended, 3000, 'the first member kept ringing');
    await second.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    expect(await recordOf(acme, (c) => c.to === '103')).toMatchObject({ from: '101', disposition: 'answered' });
  });
});

describe('trunks', () => {
  it('an inbound call to a DID from the tenant’s own trunk reaches the routed extension, recorded inbound', async () => {
    const acme = await tenantWith('inbound');
    const number = await did(acme, { type: 'extension', target: '102' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    expect(trunk.realm).toBe(acme.sipDomain);
    const pstn = await carrier(trunk);
    const m102 = await phone(acme, '102');

    const call = pstn.call(`sip:${number}@${acme.sipDomain}`, { params: { fromUri: `sip:+16505550199@${acme.sipDomain}` } });
    const incoming = await m102.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 3000, 'the BYE did not reach the extension');
    expect(await recordOf(acme, (c) => c.to === number)).toMatchObject({ from: '+16505550199', direction: 'inbound', disposition: 'answered' });
  });

  it('an inbound DID routed to a ring group forks like an internal call', async () => {
    const acme = await tenantWith('inbound-group');
    await acme.api.ringGroups.create({ number: '600', name: 'Front desk', strategy: 'simultaneous', members: ['102', '103'] });
    const number = await did(acme, { type: 'ring_group', target: '600' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const pstn = await carrier(trunk);
    const [m102, m103] = await Promise.all([phone(acme, '102'), phone(acme, '103')]);

    const call = pstn.call(`sip:${number}@${acme.sipDomain}`);
    const [ring102] = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    await ring102.answer();
    expect(await call.outcome).toBe(200);
    await vi.waitFor(() => expect(cancels(m103)).toHaveLength(1));
    await call.hangup();
    expect(await recordOf(acme, (c) => c.direction === 'inbound')).toMatchObject({ to: '102', disposition: 'answered' });
  });

  it('answers 404 to a DID held by another tenant or by nobody, and nobody rings', async () => {
    const acme = await tenantWith('inbound-a');
    const globex = await tenantWith('inbound-g');
    const globexNumber = await did(globex, { type: 'extension', target: '102' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const pstn = await carrier(trunk);
    const [globex102, acme102] = await Promise.all([phone(globex, '102'), phone(acme, '102')]);

    expect(await pstn.call(`sip:${globexNumber}@${acme.sipDomain}`).outcome).toBe(404);
    expect(await pstn.call(`sip:+14155559999@${acme.sipDomain}`).outcome).toBe(404);
    // Even naming the other tenant's domain does not help.
    expect(await pstn.call(`sip:${globexNumber}@${globex.sipDomain}`).outcome).toBe(404);
    await Promise.all([markerReached(globex102, globex102), markerReached(acme102, acme102)]);
    expect(invites(globex102)).toHaveLength(0);
    expect(invites(acme102)).toHaveLength(0);
    expect((await globex.api.calls.list()).data).toHaveLength(0);
  });

  it('refuses a carrier with the wrong trunk password', async () => {
    const acme = await tenantWith('trunk-auth');
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const error = await carrier(trunk, 'not-the-password').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SipRejected);
    expect((error as SipRejected).status).toBe(403);
  });

  it('refuses trunk credentials presented in another tenant’s realm', async () => {
    const acme = await tenantWith('realm-a');
    const globex = await tenantWith('realm-g');
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const error = await carrier({ ...trunk, realm: globex.sipDomain }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SipRejected);
    expect((error as SipRejected).status).toBe(403);
  });

  it('accepts an INVITE carrying the trunk’s digest credentials without a REGISTER first', async () => {
    const acme = await tenantWith('no-register');
    const number = await did(acme, { type: 'extension', target: '102' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const m102 = await phone(acme, '102');
    const pstn = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: trunk.username, password: trunk.password });
    phones.push(pstn);
    await pstn.start();
    const call = pstn.call(`sip:${number}@${acme.sipDomain}`);
    await (await m102.nextIncoming()).answer();
    expect(await call.outcome).toBe(200);
    expect(pstn.responses).toContain(407);
    await call.hangup();
  });

  it('stops trusting a registered carrier once its trunk is deleted', async () => {
    const acme = await tenantWith('trunk-gone');
    const number = await did(acme, { type: 'extension', target: '102' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    const pstn = await carrier(trunk);
    const m102 = await phone(acme, '102');
    await acme.api.trunks.delete(trunk.id);
    expect(await pstn.call(`sip:${number}@${acme.sipDomain}`).outcome).toBe(403);
    await markerReached(m102, m102);
    expect(invites(m102)).toHaveLength(0);
  });

  it('sends an outbound call to the trunk with the manipulated digits and the tenant’s DID as caller id', async () => {
    const acme = await tenantWith('outbound');
    const own = await did(acme, { type: 'extension', target: '101' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    await acme.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
    const pstn = await carrier(trunk);
    const caller = await phone(acme, '101');

    const call = caller.call('94155550123');
    const incoming = await pstn.nextIncoming();
    const invite = pstn.sent[0]!;
    expect(requestUriOf(invite)).toMatch(/^sip:\+14155550123@/);
    expect(headerOf(invite, 'From')).toContain(`<sip:${own}@${acme.sipDomain}>`);
    expect(headerOf(invite, 'P-Asserted-Identity')).toBe(`<sip:${own}@${acme.sipDomain}>`);
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 3000, 'the BYE did not reach the carrier');
    expect(await recordOf(acme, (c) => c.to === '94155550123')).toMatchObject({ from: '101', direction: 'outbound', disposition: 'answered' });
  });

  it('refuses a caller id the tenant does not hold, and 480 when the trunk is not registered', async () => {
    const acme = await tenantWith('outbound-refused');
    const globex = await tenantWith('outbound-other');
    await did(acme, { type: 'extension', target: '101' });
    const foreign = await did(globex, null);
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    await acme.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
    const caller = await phone(acme, '101');

    // No carrier registered yet.
    expect(await caller.call('94155550123').outcome).toBe(480);

    const pstn = await carrier(trunk);
    const responses = capture(caller);
    const spoofed = caller.call('94155550123', { extraHeaders: [`P-Preferred-Identity: <sip:${foreign}@${acme.sipDomain}>`] });
    expect(await spoofed.outcome).toBe(403);
    expect(headerOf(responses.find((r) => r.startsWith('SIP/2.0 403'))!, 'Reason')).toContain('caller id');
    // A permitted call after it is the marker: the spoofed one must not be ahead of it at the carrier.
    const permitted = caller.call('94155550124');
    await vi.waitFor(() => expect(pstn.sent.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect(pstn.sent).toHaveLength(1);
    expect(requestUriOf(pstn.sent[0]!)).toContain('+14155550124');
    await permitted.cancel().catch(() => {});
  });
});

describe('in-dialog requests toward a trunk', () => {
  /** An offer, so the carrier's 2xx carries the answer and an ACK without a body completes the exchange. */
  const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

  it('refuses REFER with 405, and pins the Request-URI and the caller id of every other request to the dialog', async () => {
    const acme = await tenantWith('in-dialog');
    const own = await did(acme, { type: 'extension', target: '101' });
    const trunk = await acme.api.trunks.create({ name: 'Carrier' });
    await acme.api.dialRules.create({ pattern: '_9NXXNXXXXXX', action: { type: 'trunk', trunkId: trunk.id, stripDigits: 1, prepend: '+1' } });
    const pstn = await carrier(trunk);
    const token = await acme.api.softphoneTokens.create({ extension: '101', ttlSeconds: 600 });
    const caller = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token.token)}`);
    const invite = rawRequest({
      method: 'INVITE',
      uri: `sip:94155550123@${acme.sipDomain}`,
      from: `sip:101@${acme.sipDomain}`,
      to: `sip:94155550123@${acme.sipDomain}`,
      headers: ['Contact: <sip:101@raw101.invalid;transport=ws>', 'Content-Type: application/sdp'],
      body: SDP,
    });
    caller.send(invite);
    await (await pstn.nextIncoming()).answer();
    const dialog = rawDialogOf(invite, await caller.next((f) => statusOf(f) === 200));
    caller.send(rawInDialog(dialog, 'ACK', { uri: 'sip:+19005550000@elsewhere.invalid' }));
    await vi.waitFor(() => expect(pstn.received.map((r) => r.method)).toContain('ACK'));
    const presented = headerOf(pstn.sent[0]!, 'From')!;
    expect(presented).toContain(`<sip:${own}@${acme.sipDomain}>`);
    const final = () => caller.next((f) => statusOf(f) !== undefined && statusOf(f)! >= 200);

    // A transfer toward the carrier is refused whatever it names: 405, and REFER is not in Allow.
    caller.send(rawInDialog(dialog, 'REFER', { headers: [`Refer-To: <sip:+19005551234@${acme.sipDomain}>`, `Referred-By: <sip:101@${acme.sipDomain}>`] }));
    const refused = await final();
    expect(statusOf(refused)).toBe(405);
    expect(headerOf(refused, 'Allow')).not.toContain('REFER');

    // A re-INVITE readdressed, with a made-up From and identity headers of the caller's choosing.
    const spoof = [`P-Asserted-Identity: <sip:+15550001111@${acme.sipDomain}>`, `P-Preferred-Identity: <sip:+15550002222@${acme.sipDomain}>`, 'Remote-Party-ID: <sip:+15550003333@x.invalid>;party=calling'];
    const forgedFrom = `"The Boss" <sip:999@${acme.sipDomain}>;tag=${/tag=([^;\s]+)/.exec(dialog.from)![1]}`;
    caller.send(
      rawInDialog(dialog, 'INVITE', {
        uri: 'sip:+19005550000@elsewhere.invalid',
        from: forgedFrom,
        headers: [...spoof, 'Contact: <sip:101@raw101.invalid;transport=ws>', 'Content-Type: application/sdp'],
        body: SDP,
      }),
    );
    await vi.waitFor(() => expect(pstn.sent).toHaveLength(2));
    const reinvite = pstn.sent[1]!;
    expect(requestUriOf(reinvite)).toBe(dialog.target);
    expect(headerOf(reinvite, 'From')).toBe(presented);
    expect(headerOf(reinvite, 'P-Asserted-Identity')).toBe(`<sip:${own}@${acme.sipDomain}>`);
    expect(headerOf(reinvite, 'P-Preferred-Identity')).toBeUndefined();
    expect(headerOf(reinvite, 'Remote-Party-ID')).toBeUndefined();
    const reinviteAnswer = await final();
    expect(statusOf(reinviteAnswer)).toBe(200);
    // The caller hears its own From back, as it sent it.
    expect(headerOf(reinviteAnswer, 'From')).toBe(forgedFrom);
    caller.send(rawInDialog(dialog, 'ACK', { from: forgedFrom }));

    caller.send(rawInDialog(dialog, 'BYE', { uri: 'sip:+19005550000@elsewhere.invalid', headers: spoof }));
    expect(statusOf(await final())).toBe(200);
    const bye = pstn.received.find((r) => r.method === 'BYE')!.raw;
    expect(requestUriOf(bye)).toBe(dialog.target);
    expect(headerOf(bye, 'From')).toBe(presented);
    expect(headerOf(bye, 'P-Asserted-Identity')).toBe(`<sip:${own}@${acme.sipDomain}>`);
    for (const raw of [...pstn.sent, ...pstn.received.map((r) => r.raw)]) {
      expect(raw).not.toMatch(/^REFER /);
      expect(raw).not.toMatch(/^(P-Preferred-Identity|Remote-Party-ID):/im);
      expect(raw).not.toContain('+1555000');
    }
    await caller.close();
  });
});

describe('call records for end users', () => {
  it('an end user reads the calls of their own extension only, ring group calls they answered included', async () => {
    const acme = await tenantWith('enduser');
    await acme.api.ringGroups.create({ number: '600', name: 'Sales', strategy: 'simultaneous', members: ['102', '103'] });
    const [caller, m102, m103] = await Promise.all([phone(acme, '101'), phone(acme, '102'), phone(acme, '103')]);
    const call = caller.call('600');
    const [, ring103] = await Promise.all([m102.nextIncoming(), m103.nextIncoming()]);
    await ring103.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    const internal = caller.call('104');
    expect(await internal.outcome).toBe(480);
    await vi.waitFor(async () => expect((await acme.api.calls.list()).data).toHaveLength(2));

    const asUser = async (extension: string) => {
      const key = await acme.api.apiKeys.create({ name: `user ${extension}`, extension });
      return new Highrise({ baseUrl: platform.url, apiKey: key.secret, maxRetries: 0 }).tenant(acme.id);
    };
    const ann = await asUser('103');
    expect((await ann.calls.list()).data.map((c) => [c.from, c.to])).toEqual([['101', '103']]);
    const bob = await asUser('102');
    expect((await bob.calls.list()).data).toEqual([]);
    const carol = await asUser('101');
    expect((await carol.calls.list()).data).toHaveLength(2);
  });
});
