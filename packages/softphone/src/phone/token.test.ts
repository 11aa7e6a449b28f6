import { describe, expect, test } from 'vitest';
import { decodeTokenClaims, PhoneConfigError } from '../index';

const jwt = (payload: unknown) =>
  [
    Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'),
    Buffer.from(JSON.stringify(payload)).toString('base64url'),
    'c2lnbmF0dXJl',
  ].join('.');

describe('decodeTokenClaims', () => {
  test('reads the AOR and the WebSocket URL from the payload', () => {
    const claims = decodeTokenClaims(jwt({ sub: 'sip:101@acme-dental.sip.localhost', ws: 'ws://127.0.0.1:8080/sip', exp: 1_900_000_000 }));
    expect(claims).toMatchObject({ sub: 'sip:101@acme-dental.sip.localhost', ws: 'ws://127.0.0.1:8080/sip', exp: 1_900_000_000 });
  });

  test('decodes base64url characters and UTF-8 text', () => {
    // "?>" and "~" make '/' and '+' in standard base64, '_' and '-' in base64url.
    const claims = decodeTokenClaims(jwt({ sub: 'sip:101@acme.sip.localhost', name: 'Zoë ?>~ Ünal' }));
    expect(claims['name']).toBe('Zoë ?>~ Ünal');
  });

  test('refuses what is not a JWT', () => {
    expect(() => decodeTokenClaims('opaque-token')).toThrow(PhoneConfigError);
    expect(() => decodeTokenClaims('a.!!!.c')).toThrow(/base64url/);
    expect(() => decodeTokenClaims(`a.${Buffer.from('[1,2]').toString('base64url')}.c`)).toThrow(/JSON object/);
  });
});
