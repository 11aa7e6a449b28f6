/**
 * Softphone tokens in the REGISTER (issue 11, edge side): `Authorization: Bearer <token>` (RFC 8898)
 * on a socket opened without `?token=` binds it to the token's extension, a newer token for the same
 * extension re-authenticates the live connection without touching its call, and a token that expires
 * during a call no longer closes the socket: the next REGISTER is refused and the call runs on.
 * Real platform on a ManualClock, real sip.js phones.
 */
import type { Highrise } from '@highrise/sdk';
import { ManualClock, type Platform } from '@highrise/platform';
import { Registerer, RegistererState } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_sip_edge_tokens_01';
const clock = new ManualClock();

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
const sockets: RawSip[] = [];
let slugs = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-edge-tokens', { bootstrapKey: KEY, sipTimers: { clock } });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all([...phones.splice(0).map((phone) => phone.stop()), ...sockets.splice(0).map((raw) => raw.close())]);
});

afterAll(async () => {
  await testPlatform?.close();
});

interface TestTenant {
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
}

async function tenant(): Promise<TestTenant> {
  const slug = `bearer-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  const api = hr.tenant(tenant.id);
  for (const number of ['101', '102']) await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: `pw-${slug}-${number}` });
  return { sipDomain: tenant.sipDomain, api };
}

/**
 * A token that expires `ttlSeconds` from now on the edge's clock (the ManualClock only moves forward,
 * so it is ahead of the wall clock, by which tokens are issued, once a test has advanced it).
 */
async function mint(t: TestTenant, extension: string, ttlSeconds = 600): Promise<string> {
  const ahead = Math.max(0, Math.ceil((clock.now() - Date.now()) / 1000));
  const minted = await t.api.softphoneTokens.create({ extension, ttlSeconds: ahead + ttlSeconds });
  expiries.set(minted.token, new Date(minted.expiresAt).getTime());
  return minted.token;
}
const expiries = new Map<string, number>();
/** Moves the edge's clock just past the token's expiry. */
const pastExpiryOf = (token: string) => clock.advance(Math.max(0, expiries.get(token)! - clock.now()) + 1000);

/** A sip.js phone on a socket opened WITHOUT `?token=`: its REGISTERs carry the token as Bearer. */
async function bearerPhone(t: TestTenant, number: string, token: string) {
  const phone = createNodePhone({ wsUrl: platform.wsUrl, domain: t.sipDomain, number });
  phones.push(phone);
  await phone.start();
  const registerer = new Registerer(phone.userAgent);
  let current = token;
  const register = () =>
    new Promise<{ status: number; reason: string | undefined }>((resolve, reject) => {
      registerer
        .register({
          requestOptions: { extraHeaders: [`Authorization: Bearer ${current}`] },
          requestDelegate: {
            onAccept: (response) => resolve({ status: response.message.statusCode ?? 0, reason: undefined }),
            onReject: (response) => resolve({ status: response.message.statusCode ?? 0, reason: response.message.getHeader('reason') }),
          },
        })
        .catch(reject);
    });
  return {
    phone,
    registerer,
    register,
    setToken(next: string) {
      current = next;
    },
  };
}

const socketOf = (phone: NodePhone) => (phone.userAgent.transport as unknown as { ws?: { readyState: number } }).ws;

/** The call is confirmed at the edge once the ACK has gone through it (else moving the clock is Timer H). */
const acked = (peer: NodePhone) => until(() => peer.received.some((r) => r.method === 'ACK'), 'no ACK reached the callee');

async function until(condition: () => boolean, message: string): Promise<void> {
  await withTimeout(
    (async () => {
      while (!condition()) await new Promise((r) => setTimeout(r, 10));
    })(),
    3000,
    message,
  );
}

async function registrations(t: TestTenant) {
  return (await t.api.usage.retrieve()).registrations.used;
}

describe('Authorization: Bearer on REGISTER (RFC 8898)', () => {
  it('registers a socket opened without ?token= and binds it to the token extension: calls reach it', async () => {
    const acme = await tenant();
    const b = await bearerPhone(acme, '101', await mint(acme, '101'));
    expect(await b.register()).toEqual({ status: 200, reason: undefined });
    expect(await registrations(acme)).toBe(1);

    // 102 (digest) calls 101: the Bearer-bound registration is a real call target.
    const caller = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '102', password: `pw-${acme.sipDomain.split('.')[0]}-102` });
    phones.push(caller);
    await caller.start();
    const call = caller.call('101');
    const incoming = await b.phone.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
  });

  it('refuses a bad token with 403 and a readable reason, and keeps the socket open', async () => {
    const acme = await tenant();
    const raw = await openRawSip(platform.wsUrl);
    sockets.push(raw);
    raw.send(rawRequest({ method: 'REGISTER', uri: `sip:${acme.sipDomain}`, from: `sip:101@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: ['Authorization: Bearer not-a-token', 'Contact: <sip:x@bad.invalid;transport=ws>'] }));
    const answer = await raw.next();
    expect(statusOf(answer)).toBe(403);
    expect(headerOf(answer, 'reason')).toContain('token_invalid');
    // Still open: an OPTIONS ping is answered.
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:101@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` }));
    expect(statusOf(await raw.next())).toBe(200);
    expect(await registrations(acme)).toBe(0);
  });

  it('refuses a token for another extension on a socket already bound by Bearer (403), and a token for another tenant', async () => {
    const acme = await tenant();
    const other = await tenant();
    const b = await bearerPhone(acme, '101', await mint(acme, '101'));
    expect((await b.register()).status).toBe(200);
    b.setToken(await mint(acme, '102'));
    expect((await b.register()).status).toBe(403);
    b.setToken(await mint(other, '101'));
    expect((await b.register()).status).toBe(403);
    expect(await registrations(other)).toBe(0);
  });

  it('a new token for the same extension re-authenticates the live connection; the call in progress is untouched', async () => {
    const acme = await tenant();
    const first = await mint(acme, '101', 60);
    const b = await bearerPhone(acme, '101', first);
    expect((await b.register()).status).toBe(200);
    const peer = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '102', password: `pw-${acme.sipDomain.split('.')[0]}-102` });
    phones.push(peer);
    await peer.start();
    await peer.register();
    const call = b.phone.call('102');
    const incoming = await peer.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await acked(peer);

    b.setToken(await mint(acme, '101', 600));
    expect((await b.register()).status).toBe(200);
    // Past the first token's expiry: the socket is open, still registered, and can place calls.
    pastExpiryOf(first);
    expect(socketOf(b.phone)?.readyState).toBe(1);
    expect((await b.register()).status).toBe(200);
    expect(b.registerer.state).toBe(RegistererState.Registered);
    // The call is still up: the hang-up reaches the peer.
    await call.hangup();
    await withTimeout(incoming.ended, 3000, 'the BYE never reached the peer');
  });
});

describe('a token that expires during a call', () => {
  it('keeps the socket and the call, refuses the next REGISTER with token_expired, and closes the socket once the call is over', async () => {
    const acme = await tenant();
    const first = await mint(acme, '101', 60);
    const b = await bearerPhone(acme, '101', first);
    expect((await b.register()).status).toBe(200);
    const peer = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '102', password: `pw-${acme.sipDomain.split('.')[0]}-102` });
    phones.push(peer);
    await peer.start();
    await peer.register();
    const call = b.phone.call('102');
    const incoming = await peer.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await acked(peer);

    pastExpiryOf(first);
    expect(socketOf(b.phone)?.readyState).toBe(1);
    const refused = await withTimeout(b.register(), 3000, "no answer to REGISTER");
    expect(refused.status).toBe(403);
    expect(refused.reason).toContain('token_expired');
    // The call runs on: the peer hangs up and the BYE reaches the phone whose token expired.
    const answers = peer.responses.length;
    await incoming.hangup();
    await withTimeout(call.ended, 3000, 'the BYE never reached the phone with the expired token');
    await until(() => peer.responses.length > answers, 'the BYE was never answered');
    // No call left: the socket may now be closed.
    clock.advance(10_000);
    await until(() => socketOf(b.phone)?.readyState !== 1, 'the socket with an expired token and no call stayed open');
  });

  it('keeps a ?token= socket with a call up open past its expiry, and the call with it', async () => {
    const acme = await tenant();
    const token = await mint(acme, '101', 60);
    const phone = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '101', token });
    phones.push(phone);
    await phone.start();
    await phone.register();
    const peer = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '102', password: `pw-${acme.sipDomain.split('.')[0]}-102` });
    phones.push(peer);
    await peer.start();
    await peer.register();
    const call = phone.call('102');
    const incoming = await peer.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await acked(peer);

    pastExpiryOf(token);
    await new Promise((r) => setTimeout(r, 200));
    expect(socketOf(phone)?.readyState).toBe(1);
    expect(peer.received.some((r) => r.method === 'BYE')).toBe(false);
    await call.hangup();
    await withTimeout(incoming.ended, 3000, 'the hang-up never reached the peer');
  });

  it('still closes a socket with no call when its token expires (?token= form too)', async () => {
    const acme = await tenant();
    const token = await mint(acme, '101', 60);
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    sockets.push(raw);
    pastExpiryOf(token);
    expect(await withTimeout(raw.closed, 3000, 'the expired socket stayed open')).toEqual({ code: 4401, reason: 'token_expired' });
  });
});
