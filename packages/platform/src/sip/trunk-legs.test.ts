import { describe, expect, it } from 'vitest';
import { parseFrame } from './framing';
import { header, headers, type SipRequest } from './message';
import { requestFrame } from './testing';
import { outboundLeg, presentToTrunk, TRUNK_ALLOW } from './trunk-legs';

function request(method: string, uri: string, from: string, extra: string[] = []): SipRequest {
  const parsed = parseFrame(requestFrame({ method, uri, from, to: '<sip:+14155550123@acme.sip.localhost>;tag=carrier', headers: extra }));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad frame');
  return parsed.message;
}

describe('requests toward a carrier trunk', () => {
  const invite = request('INVITE', 'sip:+14155550123@gw.invalid', '<sip:+14155550100@acme.sip.localhost>;tag=abc', ['P-Asserted-Identity: <sip:+14155550100@acme.sip.localhost>']);
  const leg = outboundLeg(invite, { to: '<sip:+14155550123@acme.sip.localhost>;tag=carrier', contact: 'sip:gw@carrier.invalid;transport=ws' });

  it('go to the carrier’s Contact with the identity it was shown, whatever the phone sent', () => {
    const reinvite = request('INVITE', 'sip:+19005550000@elsewhere.invalid', '"Boss" <sip:999@acme.sip.localhost>;tag=abc', [
      'P-Asserted-Identity: <sip:+15550001111@acme.sip.localhost>',
      'P-Preferred-Identity: <sip:+15550002222@acme.sip.localhost>',
      'Remote-Party-ID: <sip:+15550003333@x.invalid>;party=calling',
    ]);
    const restore = presentToTrunk(leg, reinvite);
    expect(reinvite.uri).toBe('sip:gw@carrier.invalid;transport=ws');
    expect(header(reinvite, 'from')).toBe('<sip:+14155550100@acme.sip.localhost>;tag=abc');
    expect(headers(reinvite, 'p-asserted-identity')).toEqual(['<sip:+14155550100@acme.sip.localhost>']);
    expect(header(reinvite, 'p-preferred-identity')).toBeUndefined();
    expect(header(reinvite, 'remote-party-id')).toBeUndefined();
    expect(restore).toContainEqual({ name: 'from', value: '"Boss" <sip:999@acme.sip.localhost>;tag=abc' });
  });

  it('may not be REFER', () => {
    expect(TRUNK_ALLOW.split(', ')).not.toContain('REFER');
    expect(TRUNK_ALLOW.split(', ')).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'BYE', 'CANCEL']));
  });
});
