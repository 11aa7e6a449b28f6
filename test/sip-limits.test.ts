/**
 * Per-tenant limits enforced by the SIP edge (channels, messages), call records and usage, with
 * real sip.js phones against the real platform. Each test gets a tenant of its own, so the live
 * counters of one test never leak into another.
 */
import { Highrise, type Call, type TenantLimits } from '@highrise/sdk';
import type { Platform } from '@highrise/platform';
import { Messager, UserAgent } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform';
import {
  createNodePhone,
  openRawSip,
  rawDialogOf,
  rawInDialog,
  rawRequest,
  rawResponse,
  statusOf,
  withTimeout,
  type NodeCall,
  type NodePhone,
  type RawSip,
} from './support/sip-node';
import { api, createExtension, createSoftphoneToken, type ProvisionedTenant } from './support/sip-provision';

const KEY = 'hr_test_bootstrap_key_limits_0001';
const ACK_TIMEOUT_MS = 1500;

let testPlatform: TestPlatform | undefined;
let platform: Platform;
let hr: Highrise;
const phones: NodePhone[] = [];
let slugs = 0;

beforeAll(async () => {
  // A short ACK timer, so the "answered but never confirmed" case ends within the test.
  testPlatform = await startTestPlatform('sip-limits', { bootstrapKey: KEY, sipTimers: { ackTimeoutMs: ACK_TIMEOUT_MS, dialogGraceMs: 300 } });
  ({ platform, provider: hr } = testPlatform);
});

afterEach(async () => {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
});

afterAll(async () => {
  await testPlatform?.close();
});

const passwordOf = (tenant: ProvisionedTenant, number: string) => `limits-test-${tenant.slug}-${number}`;

/** A fresh tenant with extensions 101–104 and the given limits. */
async function tenantWith(limits: Partial<TenantLimits> = {}): Promise<ProvisionedTenant> {
  const slug = `limits-${++slugs}`;
  const { tenant } = await api<{ tenant: ProvisionedTenant }>(platform.url, KEY, 'POST', '/v1/tenants', { name: slug, slug, limits });
  for (const number of ['101', '102', '103', '104']) await createExtension(platform.url, KEY, tenant.id, number, passwordOf(tenant, number));
  return tenant;
}

/** Responses' raw text as this phone's UA received them, to read headers such as Reason. */
function captureResponses(phone: NodePhone): string[] {
  const raw: string[] = [];
  const deliver = phone.userAgent.transport.onMessage;
  phone.userAgent.transport.onMessage = (message: string) => {
    if (message.startsWith('SIP/2.0')) raw.push(message);
    deliver?.(message);
  };
  return raw;
}

interface Phone extends NodePhone {
  rawResponses: string[];
}

async function registered(tenant: ProvisionedTenant, number: string): Promise<Phone> {
  const phone = createNodePhone({ wsUrl: platform.wsUrl, domain: tenant.sipDomain, number, password: passwordOf(tenant, number) });
  phones.push(phone);
  const rawResponses = captureResponses(phone);
  await phone.start();
  await phone.register();
  return Object.assign(phone, { rawResponses });
}

/** `caller` calls `callee`'s number and `callee` answers; resolves once the ACK is through. */
async function answeredCall(caller: NodePhone, callee: NodePhone, number: string): Promise<{ call: NodeCall; ended: Promise<void> }> {
  const call = caller.call(number);
  const incoming = await callee.nextIncoming();
  await incoming.answer();
  expect(await call.outcome).toBe(200);
  await vi.waitFor(() => expect(callee.received.filter((r) => r.method === 'ACK').length).toBeGreaterThan(0));
  return { call, ended: incoming.ended };
}

function reasonOf(phone: Phone, status: number): string | undefined {
  const response = [...phone.rawResponses].reverse().find((r) => r.startsWith(`SIP/2.0 ${status} `));
  return response && /^Reason:\s*(.*)$/im.exec(response)?.[1]?.trim();
}

/** Sends a SIP MESSAGE with sip.js's Messager; resolves with the final status. */
function sendMessage(phone: NodePhone, target: string, body: string): Promise<number> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  return new Promise<number>((resolve, reject) => {
    new Messager(phone.userAgent, uri, body)
      .message({
        requestDelegate: {
          onAccept: (response) => resolve(response.message.statusCode ?? 0),
          onReject: (response) => resolve(response.message.statusCode ?? 0),
        },
      })
      .catch(reject);
  });
}

const messagesTo = (phone: NodePhone) => phone.received.filter((r) => r.method === 'MESSAGE').map((r) => r.raw.slice(r.raw.indexOf('\r\n\r\n') + 4));

async function setLimits(tenant: ProvisionedTenant, limits: Partial<TenantLimits>): Promise<void> {
  await hr.tenant(tenant.id).update({ limits });
}

async function records(tenant: ProvisionedTenant, count: number): Promise<Call[]> {
  let calls: Call[] = [];
  await vi.waitFor(async () => {
    calls = (await hr.tenant(tenant.id).calls.list({ limit: 100 })).data;
    expect(calls).toHaveLength(count);
  });
  return calls;
}

describe('channel limits', () => {
  it('refuses the call over the limit with 403 and a Reason naming it, and gives the channel back on BYE', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const first = await answeredCall(p101!, p102!, '102');

    expect(await p103!.call('101').outcome).toBe(403);
    expect(reasonOf(p103!, 403)).toBe('SIP;cause=403;text="channel limit reached (1)"');
    // The refused call reached nobody.
    expect(p101!.received.filter((r) => r.method === 'INVITE')).toEqual([]);

    await first.call.hangup();
    await withTimeout(first.ended, 5000, 'the BYE did not arrive');
    await answeredCall(p103!, p101!, '101');
  });

  it('gives the channel back when the caller cancels', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const ringing = p101!.call('102');
    await p102!.nextIncoming();
    expect(await p103!.call('102').outcome).toBe(403);
    await ringing.cancel();
    expect(await ringing.outcome).toBe(487);
    await answeredCall(p103!, p102!, '102');
  });

  it('gives the channel back when a failure response ends the call', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const busy = p101!.call('102');
    await (await p102!.nextIncoming()).reject(486);
    expect(await busy.outcome).toBe(486);
    await answeredCall(p103!, p102!, '102');
  });

  it('gives the channel back when the caller socket is lost mid-call and does not come back', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const first = await answeredCall(p101!, p102!, '102');
    p101!.dropConnection();
    await withTimeout(first.ended, 5000, 'the callee never heard of the drop');
    await answeredCall(p103!, p102!, '102');
  });

  it('gives the channel back when an answered call is never ACKed, and hangs up the callee', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p102, p103] = await Promise.all(['102', '103'].map((n) => registered(tenant, n)));
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(await createSoftphoneToken(platform.url, KEY, tenant.id, '101'))}`);
    raw.send(
      rawRequest({
        method: 'INVITE',
        uri: `sip:102@${tenant.sipDomain}`,
        from: `sip:101@${tenant.sipDomain}`,
        to: `sip:102@${tenant.sipDomain}`,
        headers: ['Contact: <sip:101@raw.invalid;transport=ws>'],
      }),
    );
    const incoming = await p102!.nextIncoming();
    await incoming.answer();
    expect(statusOf(await raw.next((f) => statusOf(f) === 200))).toBe(200);
    // The caller never ACKs: the channel is held until the timer, then the callee hears a BYE.
    expect((await hr.tenant(tenant.id).usage.retrieve()).channels.used).toBe(1);
    expect(await p103!.call('102').outcome).toBe(403);
    await withTimeout(incoming.ended, ACK_TIMEOUT_MS + 3000, 'the callee was never hung up');
    expect((await hr.tenant(tenant.id).usage.retrieve()).channels.used).toBe(0);
    await answeredCall(p103!, p102!, '102');
    // The call still in progress has no record yet; the two that ended do.
    const calls = await records(tenant, 2);
    expect(calls.map((c) => [c.from, c.to, c.disposition, c.sipStatus])).toEqual([
      ['103', '102', 'limit', 403],
      ['101', '102', 'failed', 408],
    ]);
    await raw.close();
  });

  it('applies a changed limit to the next call without a restart', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [p101, p102, p103, p104] = await Promise.all(['101', '102', '103', '104'].map((n) => registered(tenant, n)));
    await answeredCall(p101!, p102!, '102');
    expect(await p103!.call('104').outcome).toBe(403);

    await setLimits(tenant, { channels: 2 });
    await answeredCall(p103!, p104!, '104');
    const third = p104!.call('101');
    expect(await third.outcome).toBe(403);
    expect(reasonOf(p104 as Phone, 403)).toBe('SIP;cause=403;text="channel limit reached (2)"');

    await setLimits(tenant, { channels: 0 });
    expect(await p101!.call('103').outcome).toBe(403);
    expect(reasonOf(p101 as Phone, 403)).toBe('SIP;cause=403;text="channel limit reached (0)"');
  });

  it('counts channels per tenant: one tenant at its limit does not hold back another', async () => {
    const full = await tenantWith({ channels: 1 });
    const other = await tenantWith({ channels: 1 });
    const [f101, f102, f103] = await Promise.all(['101', '102', '103'].map((n) => registered(full, n)));
    const [o101, o102] = await Promise.all(['101', '102'].map((n) => registered(other, n)));
    await answeredCall(f101!, f102!, '102');
    expect(await f103!.call('101').outcome).toBe(403);
    await answeredCall(o101!, o102!, '102');
  });
});

describe('a BYE the edge refuses', () => {
  /** A raw socket bound to one extension by its softphone token, registered with its own contact. */
  async function rawExtension(tenant: ProvisionedTenant, number: string): Promise<RawSip> {
    const raw = await openRawSip(`${platform.wsUrl}?token=${encodeURIComponent(await createSoftphoneToken(platform.url, KEY, tenant.id, number))}`);
    const aor = `sip:${number}@${tenant.sipDomain}`;
    raw.send(rawRequest({ method: 'REGISTER', uri: `sip:${tenant.sipDomain}`, from: aor, to: aor, headers: [`Contact: <sip:${number}@raw${number}.invalid;transport=ws>`] }));
    expect(statusOf(await raw.next())).toBe(200);
    return raw;
  }

  it('releases nothing: the channel and the call stay until a BYE is forwarded and answered', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const [caller, callee] = await Promise.all([rawExtension(tenant, '101'), rawExtension(tenant, '102')]);
    const p103 = await registered(tenant, '103');
    const invite = rawRequest({
      method: 'INVITE',
      uri: `sip:102@${tenant.sipDomain}`,
      from: `sip:101@${tenant.sipDomain}`,
      to: `sip:102@${tenant.sipDomain}`,
      headers: ['Contact: <sip:101@raw101.invalid;transport=ws>'],
    });
    caller.send(invite);
    const arrived = await callee.next((f) => f.startsWith('INVITE '));
    callee.send(rawResponse(arrived, 200, { toTag: 'callee102', headers: ['Contact: <sip:102@raw102.invalid;transport=ws>'] }));
    const dialog = rawDialogOf(invite, await caller.next((f) => statusOf(f) === 200));
    caller.send(rawInDialog(dialog, 'ACK'));
    await callee.next((f) => f.startsWith('ACK '));
    const answer = () => caller.next((f) => statusOf(f) !== undefined && statusOf(f)! >= 200);
    const stillUp = async () => {
      expect((await hr.tenant(tenant.id).usage.retrieve()).channels.used).toBe(1);
      expect((await hr.tenant(tenant.id).calls.list({ limit: 100 })).data.filter((c) => c.callId === dialog.callId)).toEqual([]);
      expect(await p103.call('104').outcome).toBe(403);
    };
    await stillUp();

    // No branch in the Via: refused before the edge looks at the dialog.
    caller.send(rawInDialog(dialog, 'BYE', { branch: null }));
    expect(statusOf(await answer())).toBe(400);
    await stillUp();

    // The connection's transactions at their cap (INFOs the callee sits on): the BYE is refused with 503.
    const okBefore = caller.frames.filter((f) => statusOf(f) === 200).length;
    for (let i = 0; i < 128; i++) caller.send(rawInDialog(dialog, 'INFO'));
    await vi.waitFor(() => expect(callee.frames.filter((f) => f.startsWith('INFO ')).length).toBeGreaterThanOrEqual(127));
    caller.send(rawInDialog(dialog, 'BYE'));
    await caller.next((f) => statusOf(f) === 503 && /^CSeq: \d+ BYE$/m.test(f));
    expect(callee.frames.filter((f) => f.startsWith('BYE '))).toEqual([]);
    await stillUp();
    const infos = callee.frames.filter((f) => f.startsWith('INFO '));
    for (const info of infos) callee.send(rawResponse(info, 200));
    await vi.waitFor(() => expect(caller.frames.filter((f) => statusOf(f) === 200).length).toBe(okBefore + infos.length));

    // A BYE under way and the same branch again: neither releases anything before the callee answers.
    const bye = rawInDialog(dialog, 'BYE', { branch: 'z9hG4bKbye0001' });
    caller.send(bye);
    const forwarded = await callee.next((f) => f.startsWith('BYE '));
    await stillUp();
    caller.send(bye.replace(/^CSeq: \d+/m, `CSeq: ${++dialog.cseq}`));
    await stillUp();
    expect(callee.frames.filter((f) => f.startsWith('BYE '))).toHaveLength(1);

    callee.send(rawResponse(forwarded, 200));
    expect(statusOf(await answer())).toBe(200);
    await vi.waitFor(async () => expect((await hr.tenant(tenant.id).usage.retrieve()).channels.used).toBe(0));
    // The edge writes the call record after the call ends, not before answering the BYE (on
    // PostgreSQL it can land a moment after the channel is free).
    await vi.waitFor(async () => {
      const calls = await hr.tenant(tenant.id).calls.list({ limit: 100 });
      expect(calls.data.find((c) => c.callId === dialog.callId)).toMatchObject({ disposition: 'answered', from: '101', to: '102' });
    });
    await Promise.all([caller.close(), callee.close()]);
  });
});

describe('SIP MESSAGE', () => {
  it('delivers a MESSAGE between two extensions of one tenant', async () => {
    const tenant = await tenantWith();
    const [p101, p102] = await Promise.all(['101', '102'].map((n) => registered(tenant, n)));
    expect(await sendMessage(p101!, `sip:102@${tenant.sipDomain}`, 'lunch at noon?')).toBe(200);
    expect(messagesTo(p102!)).toEqual(['lunch at noon?']);
  });

  it("refuses a MESSAGE to another tenant's extension, and answers 404 and 480 inside the tenant", async () => {
    const acme = await tenantWith();
    const globex = await tenantWith();
    const [a101] = await Promise.all(['101', '102'].map((n) => registered(acme, n)));
    const g101 = await registered(globex, '101');
    expect(await sendMessage(a101!, `sip:101@${globex.sipDomain}`, 'hello neighbour')).toBe(403);
    expect(messagesTo(g101)).toEqual([]);
    expect(await sendMessage(a101!, `sip:555@${acme.sipDomain}`, 'anyone?')).toBe(404);
    expect(await sendMessage(a101!, `sip:103@${acme.sipDomain}`, 'are you there?')).toBe(480);
  });

  it('refuses MESSAGEs over the per-minute limit with 403 and a Reason, per tenant', async () => {
    const chatty = await tenantWith({ messagesPerMinute: 3 });
    const quiet = await tenantWith({ messagesPerMinute: 3 });
    const [c101, c102] = await Promise.all(['101', '102'].map((n) => registered(chatty, n)));
    const [q101, q102] = await Promise.all(['101', '102'].map((n) => registered(quiet, n)));
    for (let i = 1; i <= 3; i++) expect(await sendMessage(c101!, `sip:102@${chatty.sipDomain}`, `message ${i}`)).toBe(200);
    expect(await sendMessage(c101!, `sip:102@${chatty.sipDomain}`, 'one too many')).toBe(403);
    expect(reasonOf(c101!, 403)).toBe('SIP;cause=403;text="message limit reached (3 per minute)"');
    expect(messagesTo(c102!)).toEqual(['message 1', 'message 2', 'message 3']);
    // Another tenant's window is its own.
    expect(await sendMessage(q101!, `sip:102@${quiet.sipDomain}`, 'hi')).toBe(200);
    expect(messagesTo(q102!)).toEqual(['hi']);

    // Raising the limit lets the next one through at once.
    await setLimits(chatty, { messagesPerMinute: 4 });
    expect(await sendMessage(c102!, `sip:101@${chatty.sipDomain}`, 'now it fits')).toBe(200);
  });
});

describe('call records', () => {
  it('leaves a record for every call, with the disposition it ended in', async () => {
    const tenant = await tenantWith({ channels: 1 });
    const other = await tenantWith();
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));

    // answered, then hung up after a moment
    const answered = await answeredCall(p101!, p102!, '102');
    // refused by the channel limit meanwhile
    expect(await p103!.call('101').outcome).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await answered.call.hangup();
    await withTimeout(answered.ended, 5000, 'the BYE did not arrive');

    // cancelled by the caller while ringing
    const cancelled = p101!.call('102');
    await p102!.nextIncoming();
    await cancelled.cancel();
    expect(await cancelled.outcome).toBe(487);
    // busy
    const busy = p101!.call('103');
    await (await p103!.nextIncoming()).reject(486);
    expect(await busy.outcome).toBe(486);
    // declined
    const declined = p102!.call('103');
    await (await p103!.nextIncoming()).reject(603);
    expect(await declined.outcome).toBe(603);
    // nobody registered there, no such extension, another tenant's domain
    expect(await p101!.call('104').outcome).toBe(480);
    expect(await p101!.call('555').outcome).toBe(404);
    expect(await p101!.call(`sip:101@${other.sipDomain}`).outcome).toBe(403);

    const calls = await records(tenant, 8);
    const summary = calls.map((c) => [c.from, c.to, c.disposition, c.sipStatus]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['101', '102', 'answered', 200],
        ['103', '101', 'limit', 403],
        ['101', '102', 'cancelled', 487],
        ['101', '103', 'busy', 486],
        ['102', '103', 'rejected', 603],
        ['101', '104', 'no_answer', 480],
        ['101', '555', 'failed', 404],
        ['101', `101@${other.sipDomain}`, 'rejected', 403],
      ]),
    );
    for (const call of calls) {
      expect(call).toMatchObject({ object: 'call', tenantId: tenant.id, direction: 'internal' });
      expect(call.callId).not.toBe('');
      expect(Date.parse(call.endedAt)).toBeGreaterThanOrEqual(Date.parse(call.startedAt));
    }
    const talk = calls.find((c) => c.disposition === 'answered')!;
    expect(talk.answeredAt).not.toBeNull();
    expect(talk.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(calls.filter((c) => c.disposition !== 'answered').every((c) => c.answeredAt === null && c.durationSeconds === 0)).toBe(true);

    // The other tenant has none of them, and cannot read them either.
    expect((await hr.tenant(other.id).calls.list()).data).toEqual([]);
    expect(await hr.tenant(tenant.id).calls.retrieve(talk.id)).toEqual(talk);
    await expect(hr.tenant(other.id).calls.retrieve(talk.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('filters by party, disposition, direction and time, and pages with a cursor', async () => {
    const tenant = await tenantWith();
    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const before = new Date().toISOString();
    const first = await answeredCall(p101!, p102!, '102');
    await first.call.hangup();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date().toISOString();
    const second = await answeredCall(p102!, p103!, '103');
    await second.call.hangup();
    expect(await p103!.call('104').outcome).toBe(480);
    expect(await p103!.call('555').outcome).toBe(404);
    const calls = await records(tenant, 4);
    const scope = hr.tenant(tenant.id).calls;
    const pairs = async (params: Parameters<typeof scope.list>[0]) => (await scope.list({ limit: 100, ...params })).data.map((c) => `${c.from}>${c.to}`);

    expect(await pairs({ from: '101' })).toEqual(['101>102']);
    expect(await pairs({ to: '103' })).toEqual(['102>103']);
    expect(await pairs({ extension: '102' })).toEqual(['101>102', '102>103']);
    expect(await pairs({ disposition: 'answered' })).toEqual(['101>102', '102>103']);
    expect(await pairs({ disposition: 'no_answer', extension: '103' })).toEqual(['103>104']);
    expect(await pairs({ direction: 'internal' })).toHaveLength(4);
    expect(await pairs({ disposition: 'failed' })).toEqual(['103>555']);
    expect(await pairs({ direction: 'inbound' })).toEqual([]);
    expect(await pairs({ startedFrom: before, startedBefore: between })).toEqual(['101>102']);
    expect(await pairs({ startedFrom: between, disposition: 'answered' })).toEqual(['102>103']);

    const paged: string[] = [];
    const firstPage = await scope.list({ limit: 2 });
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.nextCursor).not.toBeNull();
    for await (const call of scope.list({ limit: 2 })) paged.push(call.id);
    expect(paged).toEqual(calls.map((c) => c.id));
  });

  it('answers bad filters with 400 naming the field', async () => {
    const tenant = await tenantWith();
    await expect(hr.tenant(tenant.id).calls.list({ disposition: 'lost' as never })).rejects.toMatchObject({ status: 400, code: 'validation_error' });
    const response = await fetch(`${platform.url}/v1/tenants/${tenant.id}/calls?startedFrom=yesterday`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field)).toEqual(['query.startedFrom']);
  });
});

describe('usage', () => {
  it('shows live channels, registrations, messages and extensions beside their limits', async () => {
    const tenant = await tenantWith({ channels: 3, messagesPerMinute: 50, extensions: 20 });
    const usage = () => hr.tenant(tenant.id).usage.retrieve();
    expect(await usage()).toMatchObject({
      object: 'tenant_usage',
      tenantId: tenant.id,
      channels: { used: 0, limit: 3 },
      registrations: { used: 0, limit: null },
      messages: { used: 0, limit: 50, windowSeconds: 60 },
      extensions: { used: 4, limit: 20 },
      numbers: { used: 0, limit: null },
    });

    const did = `+1415555${String(1000 + slugs).slice(-4)}`;
    await hr.numbers.create({ number: did });
    await hr.tenant(tenant.id).numbers.assign({ number: did });
    expect((await usage()).numbers).toEqual({ used: 1, limit: null });

    const [p101, p102, p103] = await Promise.all(['101', '102', '103'].map((n) => registered(tenant, n)));
    const call = await answeredCall(p101!, p102!, '102');
    expect(await sendMessage(p103!, `sip:101@${tenant.sipDomain}`, 'in a meeting?')).toBe(200);
    expect(await sendMessage(p103!, `sip:102@${tenant.sipDomain}`, 'you too?')).toBe(200);
    expect(await usage()).toMatchObject({ channels: { used: 1 }, registrations: { used: 3 }, messages: { used: 2 } });

    await call.call.hangup();
    p103!.dropConnection();
    await vi.waitFor(async () => expect(await usage()).toMatchObject({ channels: { used: 0 }, registrations: { used: 2 }, messages: { used: 2 } }));
  });
});
