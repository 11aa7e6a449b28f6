/**
 * The edge's layers together, over fake connections and a ManualClock: what each phone is sent,
 * and what the tenant's counters and call records say, with no socket and no wall-clock wait.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock';
import { parseFrame } from './framing';
import { header, type SipRequest } from './message';
import { SipRouter } from './router';
import { fakeConnection, fakeDirectory, requestFrame, responseFrame, type FakeConnection } from './testing';

const acme = { id: 'ten_acme', slug: 'acme', sipDomain: 'acme.sip.localhost', status: 'active' as const };
const aor = (number: string) => `<sip:${number}@${acme.sipDomain}>`;

function edge(options: { channels?: number; ackTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const directory = fakeDirectory({
    tenants: [acme],
    users: ['101', '102', '103'].map((number) => ({ tenantId: acme.id, number, password: 'x' })),
    channels: options.channels ?? 1,
    resolveDial: (_tenantId, dialled) =>
      dialled === '600'
        ? { kind: 'ring_group', number: '600', members: ['102', '103'], strategy: 'sequential', timeout: 5 }
        : { kind: 'extension', number: dialled },
  });
  const router = new SipRouter(directory, () => {}, { clock, ackTimeoutMs: options.ackTimeoutMs });
  const phone = (number: string): FakeConnection => {
    const phone = fakeConnection({ tenantId: acme.id, extension: number, extensionId: `ext_${number}`, expiresAt: new Date(Date.now() + 3_600_000) });
    router.handleFrame(
      phone.connection,
      requestFrame({ method: 'REGISTER', uri: `sip:${acme.sipDomain}`, from: `${aor(number)};tag=r`, to: aor(number), headers: [`Contact: <sip:${number}@phone${number}.invalid;transport=ws>`] }),
    );
    expect(phone.responses(200)).toHaveLength(1);
    return phone;
  };
  const channels = () => router.calls.usage(acme.id).channels;
  const records = () => {
    router.calls.flush();
    return directory.records;
  };
  return { clock, router, phone, channels, records };
}

type Edge = ReturnType<typeof edge>;

/** 101 calls `dialled`; `callee` answers; 101 ACKs. Returns what an in-dialog request of 101 needs. */
function answeredCall(e: Edge, caller: FakeConnection, callee: FakeConnection, dialled = '102') {
  e.router.handleFrame(caller.connection, requestFrame({ method: 'INVITE', uri: `sip:${dialled}@${acme.sipDomain}`, from: `${aor('101')};tag=caller`, to: aor(dialled), callId: 'call-1', headers: ['Contact: <sip:101@phone101.invalid;transport=ws>'] }));
  const invite = callee.requests('INVITE').at(-1)!;
  e.router.handleFrame(callee.connection, responseFrame(invite, 200, { toTag: 'callee', headers: ['Contact: <sip:102@phone102.invalid;transport=ws>'] }));
  expect(caller.responses(200)).toHaveLength(2); // the REGISTER's and the INVITE's
  const inDialog = (method: string, cseq: number, branch?: string | null) =>
    requestFrame({ method, uri: 'sip:102@phone102.invalid;transport=ws', from: `${aor('101')};tag=caller`, to: `${aor(dialled)};tag=callee`, callId: 'call-1', cseq, branch });
  e.router.handleFrame(caller.connection, inDialog('ACK', 1));
  expect(callee.requests('ACK')).toHaveLength(1);
  return inDialog;
}

describe('a BYE and the channel it holds', () => {
  it('a BYE refused at the edge (no branch) changes nothing; the dialog still carries requests', () => {
    const e = edge();
    const [caller, callee] = [e.phone('101'), e.phone('102')];
    const inDialog = answeredCall(e, caller, callee);
    e.router.handleFrame(caller.connection, inDialog('BYE', 2, null));
    expect(caller.responses(400)).toHaveLength(1);
    expect(callee.requests('BYE')).toHaveLength(0);
    expect(e.channels()).toBe(1);
    e.router.handleFrame(caller.connection, inDialog('INFO', 3));
    expect(callee.requests('INFO')).toHaveLength(1);
    expect(e.records()).toEqual([]);
  });

  it('a forwarded BYE gives the channel back only when answered; silence is answered 408 on the clock', () => {
    const e = edge();
    const [caller, callee] = [e.phone('101'), e.phone('102')];
    const inDialog = answeredCall(e, caller, callee);
    const bye = inDialog('BYE', 2, 'z9hG4bKbye');
    e.router.handleFrame(caller.connection, bye);
    e.router.handleFrame(caller.connection, bye); // a retransmission
    expect(callee.requests('BYE')).toHaveLength(1);
    expect(e.channels()).toBe(1);
    e.clock.advance(31_999);
    expect(e.channels()).toBe(1);
    e.clock.advance(1);
    expect(caller.responses(408)).toHaveLength(1);
    expect(e.channels()).toBe(0);
    expect(e.records()).toMatchObject([{ callId: 'call-1', disposition: 'answered', sipStatus: 200 }]);
  });

  it('a BYE the far end refuses leaves the call up and counted; one it accepts ends it', () => {
    const e = edge();
    const [caller, callee] = [e.phone('101'), e.phone('102')];
    const inDialog = answeredCall(e, caller, callee);
    e.router.handleFrame(caller.connection, inDialog('BYE', 2));
    e.router.handleFrame(callee.connection, responseFrame(callee.requests('BYE')[0]!, 500));
    expect(caller.responses(500)).toHaveLength(1);
    expect(e.channels()).toBe(1);
    e.router.handleFrame(caller.connection, inDialog('BYE', 3));
    e.router.handleFrame(callee.connection, responseFrame(callee.requests('BYE')[1]!, 200));
    expect(e.channels()).toBe(0);
  });
});

describe('timers on the clock', () => {
  it('gives up on a callee that never answers an INVITE: 408 upstream, CANCEL downstream, channel back', () => {
    const e = edge();
    const [caller, callee] = [e.phone('101'), e.phone('102')];
    e.router.handleFrame(caller.connection, requestFrame({ method: 'INVITE', uri: `sip:102@${acme.sipDomain}`, from: `${aor('101')};tag=c`, to: aor('102') }));
    expect(callee.requests('INVITE')).toHaveLength(1);
    e.clock.advance(32_000);
    expect(callee.requests('CANCEL')).toHaveLength(1);
    expect(caller.responses(408)).toHaveLength(1);
    expect(e.channels()).toBe(0);
  });

  it('ends an answered call whose ACK never comes, with a BYE to each side', () => {
    const e = edge({ ackTimeoutMs: 2_000 });
    const [caller, callee] = [e.phone('101'), e.phone('102')];
    e.router.handleFrame(caller.connection, requestFrame({ method: 'INVITE', uri: `sip:102@${acme.sipDomain}`, from: `${aor('101')};tag=c`, to: aor('102'), headers: ['Contact: <sip:101@phone101.invalid>'] }));
    e.router.handleFrame(callee.connection, responseFrame(callee.requests('INVITE')[0]!, 200, { toTag: 't', headers: ['Contact: <sip:102@phone102.invalid>'] }));
    e.clock.advance(1_999);
    expect(e.channels()).toBe(1);
    e.clock.advance(1);
    expect([caller.requests('BYE').length, callee.requests('BYE').length]).toEqual([1, 1]);
    expect(e.channels()).toBe(0);
    expect(e.records()).toMatchObject([{ disposition: 'failed', sipStatus: 408 }]);
  });

  it('rings a sequential group one member at a time, each for the group’s timeout', () => {
    const e = edge();
    const [caller, m102, m103] = [e.phone('101'), e.phone('102'), e.phone('103')];
    e.router.handleFrame(caller.connection, requestFrame({ method: 'INVITE', uri: `sip:600@${acme.sipDomain}`, from: `${aor('101')};tag=c`, to: aor('600') }));
    expect(m102.requests('INVITE')).toHaveLength(1);
    e.router.handleFrame(m102.connection, responseFrame(m102.requests('INVITE')[0]!, 180, { toTag: 'm102' }));
    e.clock.advance(4_999);
    expect(m103.requests('INVITE')).toHaveLength(0);
    e.clock.advance(1);
    expect(m102.requests('CANCEL')).toHaveLength(1);
    const second = m103.requests('INVITE');
    expect(second).toHaveLength(1);
    e.router.handleFrame(m103.connection, responseFrame(second[0]!, 200, { toTag: 'm103' }));
    expect(caller.responses(200)).toHaveLength(2);
    // The record names the member who answered; the group call holds one channel.
    expect(e.channels()).toBe(1);
    const invite = second[0]! as SipRequest;
    expect(header(invite, 'record-route')).toBe(e.router.recordRoute);
  });
});

describe('frames', () => {
  it('drops what cannot be parsed, and answers 400 with a Warning when it can', () => {
    const e = edge();
    const phone = fakeConnection();
    e.router.handleFrame(phone.connection, Buffer.from('garbage\r\n\r\n'));
    expect(phone.socket.frames).toEqual([]);
    e.router.handleFrame(phone.connection, Buffer.from(requestFrame({ method: 'OPTIONS', uri: `sip:${acme.sipDomain}`, from: '<sip:x@y>;tag=1', to: '<sip:y@y>' }).toString().replace('Content-Length: 0', 'Content-Length: 9')));
    const [answer] = phone.socket.frames;
    const parsed = parseFrame(Buffer.from(answer!));
    expect(parsed.ok && parsed.message.kind === 'response' ? [parsed.message.status, header(parsed.message, 'warning')] : undefined).toEqual([400, `399 ${e.router.edgeHost} "bad content-length"`]);
  });
});

describe('the registrar route', () => {
  it('binds a contact and answers with every contact of the AOR; a wildcard needs Expires: 0', () => {
    const e = edge();
    const phone = e.phone('101');
    const [ok] = phone.responses(200);
    expect(header(ok!, 'contact')).toMatch(/^<sip:101@phone101\.invalid;transport=ws>;expires=\d+$/);
    const register = (headers: string[]) =>
      requestFrame({ method: 'REGISTER', uri: `sip:${acme.sipDomain}`, from: `${aor('101')};tag=r`, to: aor('101'), callId: 'reg-2', headers });
    e.router.handleFrame(phone.connection, register(['Contact: *']));
    expect(phone.responses(400)).toHaveLength(1);
    e.router.handleFrame(phone.connection, register(['Contact: *', 'Expires: 0']));
    expect(phone.responses(200)).toHaveLength(2);
    expect(e.router.registrar.countFor(acme.id)).toBe(0);
  });
});
