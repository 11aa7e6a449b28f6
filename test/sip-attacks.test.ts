/**
 * Tenant isolation at the SIP edge: an authenticated Acme connection tries every method against
 * Globex. Nothing may reach a Globex phone, and no answer may differ between "another tenant"
 * and "nothing there".
 */
import { SIP_METHODS, type Platform } from '@highrise/platform';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The edge's own URI cache, read in-process: the platform under test runs in this very process.
import { URI_CACHE_MAX_BYTES, uriCacheStats } from '../packages/platform/src/sip/header-values';
import {
  createNodePhone,
  headerOf,
  openRawSip,
  rawRequest,
  statusOf,
  withTimeout,
  type IncomingCall,
  type NodeCall,
  type NodePhone,
  type RawSip,
} from './support/sip-node';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createExtension, createSoftphoneToken, createTenant, type ProvisionedTenant } from './support/sip-provision';

const KEY = 'hr_test_bootstrap_key_0002';
const password = (tenant: ProvisionedTenant, number: string) => `attack-test-${tenant.slug}-${number}`;

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let acme: ProvisionedTenant;
let globex: ProvisionedTenant;
let globex101: NodePhone;
let globex102: NodePhone;
/** Bound to Acme 102 by its softphone token: an authenticated attacker inside Acme. */
let attacker: RawSip;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-attacks', { bootstrapKey: KEY });
  ({ platform } = testPlatform);
  acme = await createTenant(platform.url, KEY, 'Acme Dental', 'acme');
  globex = await createTenant(platform.url, KEY, 'Globex Law', 'globex');
  for (const tenant of [acme, globex]) {
    for (const number of ['101', '102']) await createExtension(platform.url, KEY, tenant.id, number, password(tenant, number));
  }
  globex101 = createNodePhone({ wsUrl: platform.wsUrl, domain: globex.sipDomain, number: '101', password: password(globex, '101') });
  globex102 = createNodePhone({ wsUrl: platform.wsUrl, domain: globex.sipDomain, number: '102', password: password(globex, '102') });
  for (const p of [globex101, globex102]) {
    await p.start();
    await p.register();
  }
  const token = await createSoftphoneToken(platform.url, KEY, acme.id, '102');
  attacker = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
});

afterAll(async () => {
  console.log(`sip-attacks: made ${attacks} attacks; every one was refused or ignored`);
  await attacker?.close();
  await globex101?.stop();
  await globex102?.stop();
  await testPlatform?.close();
});

/** Every hostile frame or request this file sends, printed at the end. */
let attacks = 0;

/** Sends one request from the attacker and returns the edge's answer. */
async function attempt(frame: string): Promise<number | undefined> {
  attacks++;
  attacker.send(frame);
  return statusOf(await attacker.next((f) => statusOf(f) !== 100));
}

const contact = 'Contact: <sip:attacker@raw.invalid;transport=ws>';

describe('an authenticated Acme connection against Globex', () => {
  it.each(['INVITE', 'OPTIONS', 'MESSAGE'])("%s to 101 at Globex's domain is refused like an unknown domain and reaches nobody", async (method) => {
    const from = `sip:102@${acme.sipDomain}`;
    const atGlobex = await attempt(rawRequest({ method, uri: `sip:101@${globex.sipDomain}`, from, to: `sip:101@${globex.sipDomain}`, headers: [contact] }));
    const atNowhere = await attempt(rawRequest({ method, uri: 'sip:101@nowhere.sip.localhost', from, to: 'sip:101@nowhere.sip.localhost', headers: [contact] }));
    expect(atGlobex).toBe(403);
    expect(atNowhere).toBe(atGlobex);
    expect(globex101.received).toEqual([]);
  });

  it.each(['INVITE', 'OPTIONS', 'MESSAGE', 'REGISTER'])('%s claiming to be Globex 102 is refused', async (method) => {
    const status = await attempt(
      rawRequest({
        method,
        uri: method === 'REGISTER' ? `sip:${globex.sipDomain}` : `sip:101@${globex.sipDomain}`,
        from: `sip:102@${globex.sipDomain}`,
        to: method === 'REGISTER' ? `sip:102@${globex.sipDomain}` : `sip:101@${globex.sipDomain}`,
        headers: [contact],
      }),
    );
    expect(status).toBe(403);
    expect(globex101.received).toEqual([]);
  });

  it('cannot take part in a Globex call with its Call-ID and tags', async () => {
    const call = globex102.call('101');
    const incoming = await globex101.nextIncoming();
    await incoming.answer();
    expect(await call.outcome).toBe(200);
    const invite = globex101.received.find((r) => r.method === 'INVITE')!.raw;
    const callId = headerOf(invite, 'Call-ID')!;
    const fromTag = /tag=([^;>\s]+)/.exec(headerOf(invite, 'From')!)![1]!;
    const localTag = incoming.invitation.dialog!.localTag;
    await vi.waitFor(() => expect(globex101.received.map((r) => r.method)).toEqual(['INVITE', 'ACK']));

    const inDialog = (method: string, cseq: number) =>
      rawRequest({
        method,
        uri: `sip:101@${globex.sipDomain}`,
        from: `sip:102@${globex.sipDomain}`,
        to: `sip:101@${globex.sipDomain}`,
        callId,
        cseq,
        headers: [contact],
      })
        .replace(/^From: (.*);tag=\w+$/m, `From: $1;tag=${fromTag}`)
        .replace(/^To: (.*)$/m, `To: $1;tag=${localTag}`);
    for (const method of ['BYE', 'UPDATE', 'INFO', 'INVITE']) expect(await attempt(inDialog(method, 50))).toBe(481);
    attacker.send(inDialog('ACK', 50));
    const branch = /branch=([^;\s]+)/.exec(headerOf(invite, 'Via')!)![1];
    expect(await attempt(inDialog('CANCEL', 1).replace(/branch=[^;\s]+/, `branch=${branch}`))).toBe(481);

    // Globex's call is untouched (the ACK went nowhere either: the CANCEL after it was answered) and still ends normally.
    expect(globex101.received.map((r) => r.method)).toEqual(['INVITE', 'ACK']);
    await call.hangup();
    await withTimeout(incoming.ended, 5000, 'the real BYE did not arrive');
  });

  it("answers a REGISTER for Globex's domain and for an unknown domain with the same challenge", async () => {
    const raw = await openRawSip(platform.wsUrl);
    const register = (domain: string) =>
      rawRequest({ method: 'REGISTER', uri: `sip:${domain}`, from: `sip:101@${domain}`, to: `sip:101@${domain}`, headers: [contact] });
    raw.send(register(globex.sipDomain));
    const real = await raw.next();
    raw.send(register('nobody.sip.localhost'));
    const unknown = await raw.next();
    expect([statusOf(real), statusOf(unknown)]).toEqual([401, 401]);
    expect(headerOf(unknown, 'WWW-Authenticate')).toContain('realm="nobody.sip.localhost"');
    await raw.close();
  });
});

describe('hostile traffic while a Globex call is in progress', () => {
  let acme101: NodePhone;
  let call: NodeCall;
  let answered: IncomingCall;

  beforeAll(async () => {
    acme101 = createNodePhone({ wsUrl: platform.wsUrl, domain: acme.sipDomain, number: '101', password: password(acme, '101') });
    await acme101.start();
    await acme101.register();
    call = globex102.call('101');
    answered = await globex101.nextIncoming();
    await answered.answer();
    expect(await call.outcome).toBe(200);
  });

  afterAll(async () => {
    await acme101?.stop();
  });

  const options = (domain: string) => rawRequest({ method: 'OPTIONS', uri: `sip:${domain}`, from: `sip:probe@${domain}`, to: `sip:${domain}` });

  it("refuses an INVITE and a MESSAGE whose From names another tenant's domain, even to the attacker's own tenant", async () => {
    for (const method of ['INVITE', 'MESSAGE']) {
      const status = await attempt(
        rawRequest({ method, uri: `sip:101@${acme.sipDomain}`, from: `sip:102@${globex.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: [contact] }),
      );
      expect(status).toBe(403);
    }
    // A connection with no identity at all gets a challenge for the named realm, and nothing is forwarded.
    const raw = await openRawSip(platform.wsUrl);
    attacks++;
    raw.send(rawRequest({ method: 'INVITE', uri: `sip:101@${acme.sipDomain}`, from: `sip:101@${globex.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: [contact] }));
    const answer = await raw.next();
    expect(statusOf(answer)).toBe(407);
    expect(headerOf(answer, 'Proxy-Authenticate')).toContain(`realm="${globex.sipDomain}"`);
    await raw.close();
    expect(acme101.received.filter((r) => r.method !== 'OPTIONS')).toEqual([]);
  });

  it('answers a burst of 500 REGISTERs from one connection and stays responsive', async () => {
    const flood = await openRawSip(platform.wsUrl);
    const started = Date.now();
    for (let i = 0; i < 500; i++) {
      attacks++;
      flood.send(
        rawRequest({
          method: 'REGISTER',
          uri: `sip:${acme.sipDomain}`,
          from: `sip:101@${acme.sipDomain}`,
          to: `sip:101@${acme.sipDomain}`,
          headers: [`Contact: <sip:flood${i}@raw.invalid;transport=ws>`, 'Authorization: Digest username="101", realm="x", nonce="bogus", uri="sip:x", response="00"'],
        }),
      );
    }
    // Every one is answered (a refusal), none of them is silently queued forever.
    await vi.waitFor(() => expect(flood.frames.length).toBe(500), { timeout: 10_000 });
    expect(new Set(flood.frames.map(statusOf))).toEqual(new Set([403]));
    const elapsed = Date.now() - started;
    // Meanwhile another socket is served at once.
    const probe = await openRawSip(platform.wsUrl);
    const probeStart = Date.now();
    probe.send(options(acme.sipDomain));
    expect(statusOf(await probe.next())).toBe(200);
    expect(Date.now() - probeStart).toBeLessThan(1000);
    console.log(`sip-attacks: 500 REGISTERs answered in ${elapsed} ms`);
    await Promise.all([flood.close(), probe.close()]);

    // An authenticated connection registering 500 contacts for one AOR holds at most the cap.
    for (let i = 0; i < 500; i++) {
      attacks++;
      attacker.send(rawRequest({ method: 'REGISTER', uri: `sip:${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:102@${acme.sipDomain}`, headers: [`Contact: <sip:many${i}@raw.invalid;transport=ws>`] }));
    }
    const answers: (number | undefined)[] = [];
    for (let i = 0; i < 500; i++) answers.push(statusOf(await attacker.next(undefined, 10_000)));
    expect(answers.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((s) => s === 503)).toHaveLength(490);
  });

  it('holds no memory for 1,000 unauthenticated REGISTERs with 60 kB request-URIs, and answers each 414', async () => {
    // A heap figure means something only after a full collection: without one, garbage from the
    // flood itself would hide (or fake) what the edge keeps.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const flood = await openRawSip(platform.wsUrl);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const cacheBefore = uriCacheStats();
    const padding = 'a'.repeat(60 * 1024);
    for (let i = 0; i < 1000; i++) {
      attacks++;
      const uri = `sip:${i}${padding}@${acme.sipDomain}`;
      flood.send(rawRequest({ method: 'REGISTER', uri, from: `sip:101@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, headers: [contact] }));
    }
    await vi.waitFor(() => expect(flood.frames.length).toBe(1000), { timeout: 30_000 });
    expect(new Set(flood.frames.map(statusOf))).toEqual(new Set([414]));
    await flood.close();
    gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    console.log(`sip-attacks: heap after 1,000 REGISTERs with 60 kB URIs: ${(grown / 1024 / 1024).toFixed(1)} MiB more`);
    // 1,000 × 60 kB kept would be about 60 MiB; a few MiB is noise of the test process itself.
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    expect(uriCacheStats().entries).toBeLessThanOrEqual(cacheBefore.entries + 10);
    expect(uriCacheStats().bytes).toBeLessThanOrEqual(URI_CACHE_MAX_BYTES);
  }, 60_000);

  it('closes a socket that sends a 1 MB message, and answers 413 to a 100 kB one', async () => {
    const big = await openRawSip(platform.wsUrl);
    attacks++;
    big.send(rawRequest({ method: 'MESSAGE', uri: `sip:101@${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, body: 'x'.repeat(1024 * 1024) }));
    expect((await withTimeout(big.closed, 5000, 'the 1 MB frame did not close the socket')).code).toBe(1009);

    const large = await openRawSip(platform.wsUrl);
    attacks++;
    large.send(rawRequest({ method: 'MESSAGE', uri: `sip:101@${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:101@${acme.sipDomain}`, body: 'x'.repeat(100 * 1024) }));
    expect(statusOf(await large.next())).toBe(413);
    await large.close();
    expect(acme101.received.filter((r) => r.method === 'MESSAGE')).toEqual([]);
  });

  it('refuses or ignores 1,000 malformed frames and still parses the next good one on the same socket', async () => {
    const raw = await openRawSip(platform.wsUrl);
    const good = () => options(acme.sipDomain);
    const kinds = [
      (i: number) => good().replace(/^OPTIONS \S+ SIP\/2\.0/, i % 2 ? 'OPTIONS SIP/2.0' : `HELLO${i} / HTTP/1.1`),
      (i: number) => good().replace(/Content-Length: \d+/, i % 2 ? 'Content-Length: 99' : 'Content-Length: -1'),
      (_i: number) => good().replace(/^Via: .*\r\n/m, ''),
      (i: number) => Buffer.from(Array.from({ length: 64 + (i % 64) }, (_v, j) => (i * 31 + j * 17) % 256)),
    ];
    let expectedAnswers = 0;
    for (let i = 0; i < 1000; i++) {
      const kind = i % kinds.length;
      const frame = kinds[kind]!(i);
      attacks++;
      if (typeof frame === 'string') raw.send(frame);
      else raw.send(frame, { binary: true });
      // A frame with a readable start line and Via gets a 400; everything else is dropped silently.
      if (kind === 1) expectedAnswers++;
    }
    raw.send(good());
    const last = await raw.next((f) => statusOf(f) !== 400, 10_000);
    expect(statusOf(last)).toBe(200);
    expect(raw.frames.filter((f) => statusOf(f) === 400)).toHaveLength(expectedAnswers);
    await raw.close();
  });

  it('the call in progress still carries an in-dialog request and ends normally', async () => {
    const infoStatus = await new Promise<number>((resolve, reject) => {
      call.inviter
        .info({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } })
        .catch(reject);
    });
    expect(infoStatus).toBe(200);
    expect(globex101.received.map((r) => r.method)).toContain('INFO');
    await call.hangup();
    await withTimeout(answered.ended, 5000, 'the BYE did not arrive');
  });
});

/**
 * The isolation matrix of DESIGN.md: every SIP method × every foreign target, each both as a fresh
 * request and as one forging a dialog (a To tag), sent from the authenticated Acme connection.
 * Each must be refused, with the same answer for another tenant's domain as for a domain nobody
 * has, and nothing may reach a Globex phone. The edge's own method table (SIP_METHODS) must be
 * covered: a method the edge starts handling without a row here fails the suite.
 */
describe('the SIP isolation matrix: every method × every foreign domain', () => {
  /** Answer to a request outside any dialog; undefined: no answer at all (ACK is never answered). */
  const outOfDialog: Record<string, number | undefined> = {
    REGISTER: 403, // the token binds Acme 102; no other AOR may be registered
    INVITE: 403, // routed only inside the caller's tenant
    OPTIONS: 403,
    MESSAGE: 403,
    BYE: 481,
    CANCEL: 481,
    ACK: undefined,
    UPDATE: 405,
    INFO: 405,
    SUBSCRIBE: 405,
    NOTIFY: 405,
    REFER: 405,
    PRACK: 405,
    PUBLISH: 405,
  };
  /** With a forged To tag the request claims a dialog the edge never saw between these connections. */
  const forgedDialog = (method: string): number | undefined => (method === 'REGISTER' ? 403 : method === 'ACK' ? undefined : 481);
  const targets = (): [string, string][] => [
    ['Globex (another tenant)', globex.sipDomain],
    ['an unknown domain', 'nowhere.sip.localhost'],
  ];
  let observer: NodePhone;
  let pairs = 0;
  const before = { globex101: 0, globex102: 0 };

  beforeAll(async () => {
    // The newest registration of Globex 101 receives its requests: anything leaking lands here.
    observer = createNodePhone({ wsUrl: platform.wsUrl, domain: globex.sipDomain, number: '101', password: password(globex, '101') });
    await observer.start();
    await observer.register();
    before.globex101 = globex101.received.length;
    before.globex102 = globex102.received.length;
  });

  afterAll(async () => {
    console.log(`sip-attacks: isolation matrix checked ${pairs} method × target pairs (${Object.keys(outOfDialog).length} methods × ${targets().length} targets × 2 forms)`);
    await observer?.stop();
  });

  it('has a row for every method the edge handles', () => {
    expect(Object.keys(SIP_METHODS).filter((method) => !(method in outOfDialog))).toEqual([]);
  });

  /** Sends one request and returns the edge's answer, or undefined when it rightly sent none. */
  async function answerTo(frame: string, expectAnswer: boolean): Promise<string | undefined> {
    attacks++;
    attacker.send(frame);
    if (expectAnswer) return attacker.next((f) => statusOf(f) !== 100);
    // No answer: the next frame is the answer to a probe sent right after.
    const probeCallId = `probe-${Math.random().toString(36).slice(2)}`;
    attacker.send(rawRequest({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: `sip:102@${acme.sipDomain}`, to: `sip:${acme.sipDomain}`, callId: probeCallId }));
    const next = await attacker.next();
    expect(headerOf(next, 'Call-ID')).toBe(probeCallId);
    return undefined;
  }

  const rows = Object.entries(outOfDialog).flatMap(([method, status]) => [
    { method, form: 'out of dialog', status, forge: false },
    { method, form: 'forging a dialog', status: forgedDialog(method), forge: true },
  ]);

  it.each(rows)('$method $form is refused ($status) alike for Globex and for an unknown domain, and reaches nobody', async ({ method, status, forge }) => {
    const answers: (string | undefined)[] = [];
    for (const [, domain] of targets()) {
      let frame = rawRequest({
        method,
        uri: method === 'REGISTER' ? `sip:${domain}` : `sip:101@${domain}`,
        from: `sip:102@${acme.sipDomain}`,
        to: `sip:101@${domain}`,
        headers: [contact, ...(method === 'REFER' ? [`Refer-To: <sip:102@${domain}>`] : []), ...(method === 'SUBSCRIBE' || method === 'NOTIFY' || method === 'PUBLISH' ? ['Event: presence'] : [])],
      });
      if (forge) frame = frame.replace(/^To: (.*)$/m, 'To: $1;tag=forged1234');
      const answer = await answerTo(frame, status !== undefined);
      pairs++;
      answers.push(answer);
      expect(answer === undefined ? undefined : statusOf(answer)).toBe(status);
    }
    // Same status and the same headers for a real tenant as for nothing at all.
    const names = (frame: string | undefined) => frame?.split('\r\n').map((line) => line.split(':')[0]!.toLowerCase()).filter((name) => name && !name.startsWith('sip/2.0'));
    expect(names(answers[0])).toEqual(names(answers[1]));
    expect(observer.received).toEqual([]);
    expect(globex101.received).toHaveLength(before.globex101);
    expect(globex102.received).toHaveLength(before.globex102);
  });
});
