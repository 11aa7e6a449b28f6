import { describe, expect, it } from 'vitest';
import { DialogTable } from './dialogs';
import { parseFrame } from './framing';
import type { SipMessage, SipRequest, SipResponse } from './message';
import { fakeConnection, requestFrame, responseFrame } from './testing';
import { outboundLeg } from './trunk-legs';

function parse<T extends SipMessage>(frame: Buffer): T {
  const parsed = parseFrame(frame);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.message as T;
}

const invite = parse<SipRequest>(
  requestFrame({ method: 'INVITE', uri: 'sip:102@acme.invalid', from: '<sip:101@acme.invalid>;tag=a', to: '<sip:102@acme.invalid>', callId: 'c1', headers: ['Contact: <sip:101@one.invalid>'] }),
);
const ok = (contact: string) => parse<SipResponse>(responseFrame(invite, 200, { toTag: 'b', headers: [`Contact: <${contact}>`] }));
const inDialog = (from: string, to: string) => parse<SipRequest>(requestFrame({ method: 'BYE', uri: 'sip:x@y.invalid', from, to, callId: 'c1' }));

describe('the dialog table', () => {
  it('finds a dialog by Call-ID and tags, either way round, only from one of its two connections', () => {
    const table = new DialogTable();
    const [caller, callee, stranger] = [fakeConnection(), fakeConnection(), fakeConnection()];
    const key = table.open(caller.connection, callee.connection, invite, ok('sip:102@two.invalid'))!;
    expect(table.find(caller.connection, inDialog('<sip:101@acme.invalid>;tag=a', '<sip:102@acme.invalid>;tag=b'))?.key).toBe(key);
    expect(table.find(callee.connection, inDialog('<sip:102@acme.invalid>;tag=b', '<sip:101@acme.invalid>;tag=a'))?.key).toBe(key);
    expect(table.find(stranger.connection, inDialog('<sip:101@acme.invalid>;tag=a', '<sip:102@acme.invalid>;tag=b'))).toBeUndefined();
    table.end(key);
    expect(caller.connection.dialogs.size + callee.connection.dialogs.size).toBe(0);
  });

  it('takes the answerer’s Contact as its new target on a re-INVITE, from whichever end it came', () => {
    const table = new DialogTable();
    const [caller, callee] = [fakeConnection(), fakeConnection()];
    const key = table.open(caller.connection, callee.connection, invite, ok('sip:102@two.invalid'))!;
    // The callee re-INVITEs; the caller answers from a new Contact.
    const reinvite = parse<SipRequest>(
      requestFrame({ method: 'INVITE', uri: 'sip:101@one.invalid', from: '<sip:102@acme.invalid>;tag=b', to: '<sip:101@acme.invalid>;tag=a', callId: 'c1', cseq: 5 }),
    );
    table.open(callee.connection, caller.connection, reinvite, parse<SipResponse>(responseFrame(reinvite, 200, { headers: ['Contact: <sip:101@moved.invalid>'] })));
    expect(table.get(key)).toMatchObject({ callerContact: 'sip:101@moved.invalid', calleeContact: 'sip:102@two.invalid' });
  });

  it('keeps a carrier’s leg, and refreshes its target from the carrier’s own 2xx only', () => {
    const table = new DialogTable();
    const [caller, carrier] = [fakeConnection(), fakeConnection()];
    const key = table.open(caller.connection, carrier.connection, invite, ok('sip:gw@carrier.invalid'), (contact) =>
      outboundLeg(invite, { to: '<sip:102@acme.invalid>;tag=b', contact }),
    )!;
    expect(table.get(key)?.trunk?.target).toBe('sip:gw@carrier.invalid');
    table.open(caller.connection, carrier.connection, invite, ok('sip:gw2@carrier.invalid'));
    expect(table.get(key)?.trunk?.target).toBe('sip:gw2@carrier.invalid');
    // The carrier re-INVITEs and the phone answers from elsewhere: the carrier's target stays.
    const reinvite = parse<SipRequest>(
      requestFrame({ method: 'INVITE', uri: 'sip:101@one.invalid', from: '<sip:102@acme.invalid>;tag=b', to: '<sip:101@acme.invalid>;tag=a', callId: 'c1', cseq: 5 }),
    );
    table.open(carrier.connection, caller.connection, reinvite, parse<SipResponse>(responseFrame(reinvite, 200, { headers: ['Contact: <sip:101@moved.invalid>'] })));
    expect(table.get(key)?.trunk?.target).toBe('sip:gw2@carrier.invalid');
  });
});
