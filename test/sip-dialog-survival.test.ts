/**
 * A dropped WebSocket does not end the call (issue 11, edge side): the edge keeps the dialogs of a
 * phone's dropped connection for 30 s (on the injected clock), hands a dialog to a new connection
 * that proves the same extension and sends a re-INVITE in it, and otherwise ends the call with a
 * BYE carrying `Reason: …connection_lost` once the 30 s are up. The channel stays counted meanwhile.
 * Real platform on a ManualClock, real sip.js phones (the same UA reconnecting, as the widget does).
 */
import type { Highrise } from '@highrise/sdk';
import { ManualClock, type Platform } from '@highrise/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createNodePhone, headerOf, openRawSip, rawRequest, statusOf, withTimeout, type NodePhone, type RawSip } from './support/sip-node';

const KEY = 'hr_test_bootstrap_key_sip_dialog_survival_01';
const clock = new ManualClock();

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
const sockets: RawSip[] = [];
let slugs = 0;

beforeAll(async () => {
  testPlatform = await startTestPlatform('sip-dialog-survival', { bootstrapKey: KEY, sipTimers: { clock } });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all([...phones.splice(0).map((phone) => phone.stop()), ...sockets.splice(0).map((raw) => raw.close())]);
});

afterAll(async () => {
  await testPlatform?.close();
});

interface TestTenant {
  slug: string;
  sipDomain: string;
  api: ReturnType<Highrise['tenant']>;
}

async function tenant(): Promise<TestTenant> {
  const slug = `survive-${++slugs}`;
  const { tenant } = await hr.tenants.create({ name: slug, slug });
  const api = hr.tenant(tenant.id);
  for (const number of ['101', '102', '103']) await api.extensions.create({ number, displayName: `Ext ${number}`, sipPassword: `pw-${slug}-${number}` });
  return { slug, sipDomain: tenant.sipDomain, api };
}

async function phone(t: TestTenant, number: string): Promise<NodePhone> {
  const p = createNodePhone({ wsUrl: platform.wsUrl, domain: t.sipDomain, number, password: `pw-${t.slug}-${number}` });
  phones.push(p);
  await p.start();
  await p.register();
  return p;
}

async function until(condition: () => boolean, message: string): Promise<void> {
  await withTimeout(
    (async () => {
      while (!condition()) await new Promise((r) => setTimeout(r, 10));
    })(),
    3000,
    message,
  );
}

const count = (p: NodePhone, method: string) => p.received.filter((r) => r.method === method).length;
const channels = async (t: TestTenant) => (await t.api.usage.retrieve()).channels.used;

/** 101 calls 102, answered and ACKed. */
async function callUp(t: TestTenant) {
  const a = await phone(t, '101');
  const b = await phone(t, '102');
  const call = a.call('102');
  const incoming = await b.nextIncoming();
  await incoming.answer();
  expect(await call.outcome).toBe(200);
  await until(() => count(b, 'ACK') > 0, 'no ACK reached the callee');
  return { a, b, call, incoming };
}

/** The dialog's ids as the callee sees them. */
function dialogIds(incoming: { invitation: unknown }) {
  const dialog = (incoming.invitation as { dialog: { callId: string; localTag: string; remoteTag: string } }).dialog;
  return dialog;
}

describe('a dropped phone connection mid-call', () => {
  it('keeps the call and its channel; the phone reconnects, re-registers, re-INVITEs, and the call goes on over the new connection', async () => {
    const acme = await tenant();
    const { a, b, call, incoming } = await callUp(acme);
    a.dropConnection();
    await new Promise((r) => setTimeout(r, 200));
    clock.advance(10_000);
    expect(count(b, 'BYE')).toBe(0);
    expect(await channels(acme)).toBe(1);

    // The same UA comes back: new socket, REGISTER with digest, then a re-INVITE in the old dialog.
    await a.userAgent.reconnect();
    await a.register();
    const invitesBefore = count(b, 'INVITE');
    const reinvited = new Promise<number>((resolve) => {
      void call.inviter.invite({ requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) } });
    });
    expect(await withTimeout(reinvited, 3000, 'the re-INVITE was never answered')).toBe(200);
    expect(count(b, 'INVITE')).toBe(invitesBefore + 1);

    // Past the 30 s the old connection was given: the call is still up, the channel still counted.
    clock.advance(30_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(count(b, 'BYE')).toBe(0);
    expect(await channels(acme)).toBe(1);
    // And hangs up normally over the new connection.
    await call.hangup();
    await withTimeout(incoming.ended, 3000, 'the BYE over the new connection never reached the peer');
    await vi.waitFor(async () => expect(await channels(acme)).toBe(0));
  });

  it('ends the call after 30 s with a BYE carrying Reason connection_lost, and closes the call record', async () => {
    const acme = await tenant();
    const { a, b, incoming } = await callUp(acme);
    a.dropConnection();
    await new Promise((r) => setTimeout(r, 200));
    clock.advance(29_000);
    expect(count(b, 'BYE')).toBe(0);
    expect(await channels(acme)).toBe(1);
    clock.advance(1_001);
    await withTimeout(incoming.ended, 3000, 'the peer never heard the end of the call');
    const bye = b.received.find((r) => r.method === 'BYE')!;
    expect(headerOf(bye.raw, 'reason')).toContain('connection_lost');
    await vi.waitFor(async () => {
      expect(await channels(acme)).toBe(0);
      const records = (await acme.api.calls.list({ limit: 10 })).data;
      expect(records).toHaveLength(1);
      expect(records[0]!.endedAt).toBeTruthy();
    });
  });

  it('does not hand the dialog to another extension, even in the same tenant (481)', async () => {
    const acme = await tenant();
    const { a, b, incoming } = await callUp(acme);
    const ids = dialogIds(incoming);
    a.dropConnection();
    await new Promise((r) => setTimeout(r, 200));
    const { token } = await acme.api.softphoneTokens.create({ extension: '103', ttlSeconds: 600 });
    const intruder = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(token)}`);
    sockets.push(intruder);
    intruder.send(
      rawRequest({
        method: 'INVITE',
        uri: `sip:102@${acme.sipDomain}`,
        from: `sip:101@${acme.sipDomain}`,
        to: `sip:102@${acme.sipDomain}`,
        callId: ids.callId,
        cseq: 50,
        headers: [`Contact: <sip:103@intruder.invalid;transport=ws>`],
      })
        .replace(/^From: <([^>]*)>;tag=[0-9a-f]+/m, `From: <$1>;tag=${ids.remoteTag}`)
        .replace(/^To: <([^>]*)>/m, `To: <$1>;tag=${ids.localTag}`),
    );
    expect(statusOf(await intruder.next())).toBe(481);
    expect(count(b, 'INVITE')).toBe(1);
    // The call still ends at 30 s for everyone.
    clock.advance(30_001);
    await withTimeout(incoming.ended, 3000, 'the peer never heard the end of the call');
  });

  it('lets the peer hang up during the grace period: 200, the channel comes back', async () => {
    const acme = await tenant();
    const { a, incoming } = await callUp(acme);
    a.dropConnection();
    await new Promise((r) => setTimeout(r, 200));
    await incoming.hangup();
    await vi.waitFor(async () => expect(await channels(acme)).toBe(0));
  });
});
