import { describe, expect, test } from 'vitest';
import { PhoneConfigError, PhoneController, PhoneStateError } from '../index';

const token = `h.${Buffer.from(JSON.stringify({ sub: 'sip:101@acme-dental.sip.localhost', ws: 'ws://127.0.0.1:9/sip' })).toString('base64url')}.s`;

describe('PhoneController before start()', () => {
  test('is idle and unregistered, with no call media', () => {
    const phone = new PhoneController({ token });
    expect(phone.state).toEqual({ registration: 'unregistered', callState: 'idle', remote: undefined, muted: false, held: false, waiting: false });
    expect(phone.peerConnection).toBeUndefined();
    expect(phone.remoteStream).toBeUndefined();
    expect(phone.config.iceServers).toEqual([]);
    expect(phone.sendDtmf('1')).toBe(false);
  });

  test('refuses to call, answer or reject, and hangs up nothing', async () => {
    const phone = new PhoneController({ token });
    await expect(phone.call('102')).rejects.toThrow(PhoneStateError);
    await expect(phone.answer()).rejects.toThrow(/no incoming call/);
    await expect(phone.reject()).rejects.toThrow(/no incoming call/);
    await expect(phone.hangup()).resolves.toBeUndefined();
    await expect(phone.stop()).resolves.toBeUndefined();
  });

  test('refuses call control without a connected call, and a token for another extension', async () => {
    const phone = new PhoneController({ token });
    expect(() => phone.mute()).toThrow(PhoneStateError);
    await expect(phone.hold()).rejects.toThrow(/no connected call/);
    await expect(phone.transfer('103')).rejects.toThrow(/no connected call/);
    const other = `h.${Buffer.from(JSON.stringify({ sub: 'sip:102@acme-dental.sip.localhost', ws: 'ws://127.0.0.1:9/sip' })).toString('base64url')}.s`;
    expect(() => phone.updateToken(other)).toThrow(PhoneConfigError);
    expect(phone.config.aor).toBe('sip:101@acme-dental.sip.localhost');
  });

  test('rejects options it cannot connect with at construction', () => {
    expect(() => new PhoneController({})).toThrow(PhoneConfigError);
    expect(() => new PhoneController({ token: 'not-a-jwt' })).toThrow(PhoneConfigError);
  });
});
