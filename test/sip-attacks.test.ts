/**
 * Tenant isolation at the SIP edge: an authenticated Acme connection tries every method against
 * Globex. Nothing may reach a Globex phone, and no answer may differ between "another tenant"
 * and "nothing there".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform } from '@highrise/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodePhone, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';
import { createExtension, createSoftphoneToken, createTenant, type ProvisionedTenant } from './support/sip-provision';

const KEY = 'hr_test_bootstrap_key_0002';
const password = (tenant: ProvisionedTenant, number: string) => `attack-test-${tenant.slug}-${number}`;

let platform: Platform;
let dataDir: string;
let acme: ProvisionedTenant;
let globex: ProvisionedTenant;
let globex101: NodePhone;
let globex102: NodePhone;
/** Bound to Acme 102 by its softphone token: an authenticated attacker inside Acme. */
let attacker: RawSip;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'highrise-sip-attacks-'));
  platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY });
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
  await attacker?.close();
  await globex101?.stop();
  await globex102?.stop();
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends one request from the attacker and returns the edge's answer. */
async function attempt(frame: string): Promise<number | undefined> {
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
