import type { Platform } from '@highrise/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createNodePhone,
  headerOf,
  openRawSip,
  rawRequest,
  SipRejected,
  statusOf,
  withTimeout,
  type NodePhone,
  type NodePhoneOptions,
} from './support/sip-node';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createExtension, createSoftphoneToken, createTenant, type ProvisionedTenant } from './support/sip-provision';

const KEY = 'hr_test_bootstrap_key_0001';
const PASSWORD = 'correct-horse-101';

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let acme: ProvisionedTenant;
let globex: ProvisionedTenant;
const phones: NodePhone[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  // A dropped phone's calls wait 30 s for it to come back (test/sip-dialog-survival.test.ts); 300 ms here.
  testPlatform = await startTestPlatform('sip', { bootstrapKey: KEY, log: (line) => logLines.push(line), sipTimers: { dialogGraceMs: 300 } });
  ({ platform } = testPlatform);
  acme = await createTenant(platform.url, KEY, 'Acme Dental', 'acme-dental');
  globex = await createTenant(platform.url, KEY, 'Globex Law', 'globex-law');
  for (const tenant of [acme, globex]) {
    for (const number of ['101', '102', '103']) await createExtension(platform.url, KEY, tenant.id, number, `${PASSWORD}-${tenant.slug}-${number}`);
  }
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
});

afterAll(async () => {
  await testPlatform?.close();
});

function passwordOf(tenant: ProvisionedTenant, number: string): string {
  return `${PASSWORD}-${tenant.slug}-${number}`;
}

async function phone(options: Omit<NodePhoneOptions, 'wsUrl'>): Promise<NodePhone> {
  const created = createNodePhone({ wsUrl: platform.wsUrl, ...options });
  phones.push(created);
  await created.start();
  return created;
}

/** A phone of `tenant` registered with its digest password. */
async function registered(tenant: ProvisionedTenant, number: string): Promise<NodePhone> {
  const created = await phone({ domain: tenant.sipDomain, number, password: passwordOf(tenant, number) });
  await created.register();
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SipRejected);
  return (error as SipRejected).status;
}

const invites = (p: NodePhone) => p.received.filter((r) => r.method === 'INVITE');

describe('REGISTER', () => {
  it('accepts digest credentials of the extension in its own tenant domain', async () => {
    const acme101 = await phone({ domain: acme.sipDomain, number: '101', password: passwordOf(acme, '101') });
    await expect(acme101.register()).resolves.toBeUndefined();
  });

  it('refuses a wrong password with 403 after the challenge', async () => {
    const raw = await openRawSip(platform.wsUrl);
    raw.send(rawRequest({ method: 'REGISTER', uri: `sip:${acme.sipDomain}`, from: `sip:101@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: ['Contact: <sip:x@raw.invalid;transport=ws>'] }));
    const challenge = await raw.next();
    expect(statusOf(challenge)).toBe(401);
    expect(headerOf(challenge, 'WWW-Authenticate')).toContain(`realm="${acme.sipDomain}"`);
    await raw.close();

    const wrong = await phone({ domain: acme.sipDomain, number: '101', password: 'not-the-password-1' });
    expect(await rejection(wrong.register())).toBe(403);
  });

  it("refuses tenant A's credentials at tenant B's domain, the same way as an unknown extension", async () => {
    // Acme's 103 password is valid, but only in Acme's realm; Globex's 103 is someone else.
    const crossed = await phone({ domain: globex.sipDomain, number: '103', password: passwordOf(acme, '103') });
    expect(await rejection(crossed.register())).toBe(403);
    const unknown = await phone({ domain: globex.sipDomain, number: '999', password: passwordOf(acme, '103') });
    expect(await rejection(unknown.register())).toBe(403);
    // Nothing got registered: a call to Globex 103 finds nobody.
    const caller = await registered(globex, '102');
    expect(await caller.call('103').outcome).toBe(480);
  });

  it('accepts a softphone token without digest, only for the AOR the token names', async () => {
    const token = await createSoftphoneToken(platform.url, KEY, acme.id, '102');
    const acme102 = await phone({ domain: acme.sipDomain, number: '102', token });
    await expect(acme102.register()).resolves.toBeUndefined();

    const impostor = await phone({ domain: acme.sipDomain, number: '101', token });
    expect(await rejection(impostor.register())).toBe(403);
    const elsewhere = await phone({ domain: globex.sipDomain, number: '102', token });
    expect(await rejection(elsewhere.register())).toBe(403);
  });

  it('closes the socket with a reason for a forged token, and registers nothing', async () => {
    const token = await createSoftphoneToken(platform.url, KEY, acme.id, '103');
    const forged = `${token.slice(0, -4)}AAAA`;
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(forged)}`);
    expect(await raw.closed).toEqual({ code: 4401, reason: 'token_invalid' });

    const garbage = await openRawSip(`${platform.wsUrl}?token=hello`);
    expect(await garbage.closed).toEqual({ code: 4401, reason: 'token_invalid' });

    const caller = await registered(acme, '101');
    expect(await caller.call('103').outcome).toBe(480);
  });

  it('closes the socket with token_expired once the token is past its expiry', async () => {
    const token = await createSoftphoneToken(platform.url, KEY, acme.id, '103', 60);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
      expect(await raw.closed).toEqual({ code: 4401, reason: 'token_expired' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('removes the bindings when Expires is 0 and when the socket closes', async () => {
    const acme103 = await registered(acme, '103');
    const caller = await registered(acme, '101');
    await acme103.unregister();
    expect(await caller.call('103').outcome).toBe(480);

    const again = await registered(acme, '103');
    await again.stop();
    await vi.waitFor(async () => expect(await caller.call('103').outcome).toBe(480));
  });

  it('requires the sip subprotocol', async () => {
    await expect(openRawSip(platform.wsUrl, { protocols: ['chat'] })).rejects.toThrow(/400/);
  });
});

describe('calls inside a tenant', () => {
  it('Acme 102 calls Acme 101: it rings, is answered, and BYE ends it; Globex 101 never sees it', async () => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const globex101 = await registered(globex, '101');

    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming();
    expect(incoming.invitation.remoteIdentity.uri.user).toBe('102');
    const invite = invites(acme101)[0]!.raw;
    expect(headerOf(invite, 'Record-Route')).toMatch(/^<sip:[^>]+;transport=ws;lr>$/);
    await withTimeout(call.ringing, 5000, 'the caller never heard 180 Ringing');

    await incoming.answer();
    expect(await call.outcome).toBe(200);

    await call.hangup();
    await withTimeout(Promise.all([incoming.ended, call.ended]), 5000, 'call did not end on both sides');
    expect(acme101.received.map((r) => r.method)).toContain('BYE');
    expect(invites(globex101)).toEqual([]);
    // Its digest REGISTER on this connection authenticates its calls: no 407 round trip.
    expect(acme102.responses).not.toContain(407);
  });

  it('the callee can hang up too, through the Record-Route', async () => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await incoming.hangup();
    await withTimeout(call.ended, 5000, 'caller did not see the BYE');
  });

  it("refuses an INVITE to 101 at another tenant's domain, and B never sees it", async () => {
    const globex101 = await registered(globex, '101');
    const acme102 = await registered(acme, '102');
    expect(await acme102.call(`sip:101@${globex.sipDomain}`).outcome).toBe(403);
    expect(await acme102.call('sip:101@nowhere.example').outcome).toBe(403);
    expect(invites(globex101)).toEqual([]);
  });

  it('answers 480 for a known extension that is not registered and 404 for an unknown one', async () => {
    const acme102 = await registered(acme, '102');
    expect(await acme102.call('103').outcome).toBe(480);
    expect(await acme102.call('555').outcome).toBe(404);
  });

  it('CANCEL before the answer gives the caller 487 and stops the ringing', async () => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming();
    await call.cancel();
    expect(await call.outcome).toBe(487);
    await withTimeout(incoming.ended, 5000, 'callee kept ringing');
    expect(acme101.received.map((r) => r.method)).toContain('CANCEL');
  });

  it('answers 480 when the callee connection drops while ringing', async () => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const call = acme102.call('101');
    await acme101.nextIncoming();
    await acme101.stop();
    expect(await call.outcome).toBe(480);
  });

  it.each(['caller', 'callee'] as const)('sends BYE to the other side when the %s connection drops mid-call and does not come back', async (who) => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    // Let the ACK through first, so the dialog is complete on both sides.
    await vi.waitFor(() => expect(acme101.received.map((r) => r.method)).toContain('ACK'));
    (who === 'caller' ? acme102 : acme101).dropConnection();
    await withTimeout(who === 'caller' ? incoming.ended : call.ended, 5000, 'the survivor never heard of the drop');
    const survivor = who === 'caller' ? acme101 : acme102;
    expect(survivor.received.map((r) => r.method)).toContain('BYE');
  });

  it('hands the caller responses with exactly its own Via, and Record-Routes them', async () => {
    const acme101 = await registered(acme, '101');
    const token = await createSoftphoneToken(platform.url, KEY, acme.id, '102');
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    const invite = rawRequest({
      method: 'INVITE',
      uri: `sip:101@${acme.sipDomain}`,
      from: `sip:102@${acme.sipDomain}`,
      to: `sip:101@${acme.sipDomain}`,
      branch: 'z9hG4bKrawcaller1',
      headers: ['Contact: <sip:r@raw.invalid;transport=ws>', 'Content-Type: application/sdp'],
      body: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n',
    });
    raw.send(invite);
    const ringing = await raw.next((f) => statusOf(f) === 180);
    expect(ringing.match(/^Via:/gim)).toHaveLength(1);
    expect(headerOf(ringing, 'Via')).toBe('SIP/2.0/WS raw.invalid;branch=z9hG4bKrawcaller1');
    expect(headerOf(ringing, 'Record-Route')).toMatch(/;lr>$/);
    const incoming = acme101.incoming[0]!;
    expect(headerOf(acme101.received[0]!.raw, 'Via')).not.toContain('raw.invalid'); // the edge's Via is on top

    raw.send(invite.replace(/^INVITE /, 'CANCEL ').replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL').replace(/Content-Type.*\r\n/, '').replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n'));
    const statuses = [statusOf(await raw.next((f) => f.includes('CANCEL') || statusOf(f) === 487)), statusOf(await raw.next((f) => f.includes('CANCEL') || statusOf(f) === 487))];
    expect(statuses.sort()).toEqual([200, 487]);
    await withTimeout(incoming.ended, 5000, 'the callee kept ringing');
    await raw.close();
  });

  it('challenges an INVITE from a connection that never authenticated', async () => {
    await registered(acme, '101');
    const raw = await openRawSip(platform.wsUrl);
    raw.send(rawRequest({ method: 'INVITE', uri: `sip:101@${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: ['Contact: <sip:r@raw.invalid;transport=ws>'] }));
    const answer = await raw.next();
    expect(statusOf(answer)).toBe(407);
    expect(headerOf(answer, 'Proxy-Authenticate')).toContain(`realm="${acme.sipDomain}"`);
    await raw.close();
  });

  it('a digest-only phone (no REGISTER) can call after answering the 407 challenge', async () => {
    const acme101 = await registered(acme, '101');
    const caller = await phone({ domain: acme.sipDomain, number: '102', password: passwordOf(acme, '102') });
    const call = caller.call('101');
    const incoming = await acme101.nextIncoming();
    expect(caller.responses).toContain(407);
    // The caller's proxy credentials stop at the edge: the callee could otherwise replay them.
    expect(headerOf(invites(acme101)[0]!.raw, 'Proxy-Authorization')).toBeUndefined();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'callee did not see the BYE');
  });

  it('answers OPTIONS addressed to the edge itself', async () => {
    const raw = await openRawSip(platform.wsUrl);
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:anyone@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` }));
    expect(statusOf(await raw.next())).toBe(200);
    await raw.close();
  });
});

describe('malformed input', () => {
  const frames: Array<[string, string | Buffer]> = [
    ['garbage text', 'hello there\r\n\r\n'],
    ['binary garbage', Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['a broken start line', 'INVITE sip:101@x SIP/3.0\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\n\r\n'],
  ];

  it.each(frames)('drops %s and keeps the socket open', async (_name, frame) => {
    const raw = await openRawSip(platform.wsUrl);
    raw.send(frame, { binary: Buffer.isBuffer(frame) });
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:a@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` }));
    // The first answer is the OPTIONS one: the bad frame was dropped without a reply.
    expect(statusOf(await raw.next())).toBe(200);
    await raw.close();
  });

  const options = () => rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:a@${acme.sipDomain}`, to: `sip:${acme.sipDomain}` });
  const answered: Array<[string, () => string, number]> = [
    ['a wrong Content-Length', () => options().replace('Content-Length: 0', 'Content-Length: 12'), 400],
    ['a non-numeric Content-Length', () => options().replace('Content-Length: 0', 'Content-Length: ten'), 400],
    ['a body without Content-Length', () => options().replace('Content-Length: 0\r\n', '') + 'v=0', 400],
    ['a missing Call-ID', () => options().replace(/Call-ID: .*\r\n/, ''), 400],
    ['a missing CSeq', () => options().replace(/CSeq: .*\r\n/, ''), 400],
    ['a CSeq method that differs', () => options().replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), 400],
    ['a malformed request-URI', () => options().replace(`OPTIONS sip:${acme.sipDomain}`, 'OPTIONS sip:@@'), 400],
    ['a message over 64 KiB', () => options().replace('Content-Length: 0', `X-Padding: ${'a'.repeat(70_000)}\r\nContent-Length: 0`), 413],
  ];

  it.each(answered)('answers %s with %i', async (_name, frame, status) => {
    const raw = await openRawSip(platform.wsUrl);
    raw.send(frame());
    expect(statusOf(await raw.next())).toBe(status);
    raw.send(options());
    expect(statusOf(await raw.next())).toBe(200);
    await raw.close();
  });

  it('answers a CRLF keep-alive ping with a CRLF pong (RFC 5626)', async () => {
    const raw = await openRawSip(platform.wsUrl);
    raw.send('\r\n\r\n');
    expect(await raw.next()).toBe('\r\n');
    await raw.close();
  });

  it('counts Content-Length in bytes, not characters', async () => {
    const raw = await openRawSip(platform.wsUrl);
    const body = 'é';
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:a@${acme.sipDomain}`, to: `sip:${acme.sipDomain}`, body }));
    expect(statusOf(await raw.next())).toBe(200);
    raw.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:a@${acme.sipDomain}`, to: `sip:${acme.sipDomain}`, body }).replace('Content-Length: 2', 'Content-Length: 1'));
    expect(statusOf(await raw.next())).toBe(400);
    await raw.close();
  });

  it('a call in progress survives a storm of bad frames on another socket', async () => {
    const acme101 = await registered(acme, '101');
    const acme102 = await registered(acme, '102');
    const call = acme102.call('101');
    const incoming = await acme101.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);

    const raw = await openRawSip(platform.wsUrl);
    for (const [, frame] of frames) raw.send(frame, { binary: Buffer.isBuffer(frame) });
    for (const [, frame] of answered) raw.send(frame());
    raw.send('SIP/2.0 200 OK\r\nVia: SIP/2.0/WS nowhere.invalid;branch=z9hG4bKx\r\n\r\n');
    await raw.next((f) => statusOf(f) === 413);

    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'BYE did not arrive after the bad frames');
    await raw.close();
    // Each bad frame was handled, not thrown: the edge's catch-all never fired.
    expect(logLines.filter((line) => line.includes('error handling'))).toEqual([]);
  });
});
