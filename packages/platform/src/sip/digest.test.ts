import { describe, expect, it } from 'vitest';
import { DigestAuthority, md5, NONCE_LIFETIME_MS } from './digest';

const realm = 'acme.sip.localhost';
const ha1 = md5(`101:${realm}:secret-password`);

function answer(challenge: string, method: string, password = 'secret-password', realmUsed = realm) {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const uri = `sip:${realmUsed}`;
  const ha = md5(`101:${realmUsed}:${password}`);
  const response = md5(`${ha}:${nonce}:00000001:abc:auth:${md5(`${method}:${uri}`)}`);
  return { username: '101', realm: realmUsed, nonce, uri, qop: 'auth', nc: '00000001', cnonce: 'abc', response };
}

describe('DigestAuthority', () => {
  it('accepts a correct qop=auth response and refuses a wrong password or method', () => {
    const authority = new DigestAuthority();
    const challenge = authority.challenge(realm);
    expect(authority.verify(answer(challenge, 'REGISTER'), { realm, method: 'REGISTER', ha1 })).toBe('ok');
    expect(authority.verify(answer(challenge, 'REGISTER', 'guess'), { realm, method: 'REGISTER', ha1 })).toBe('invalid');
    expect(authority.verify(answer(challenge, 'INVITE'), { realm, method: 'REGISTER', ha1 })).toBe('invalid');
  });

  it("refuses a nonce issued for another realm or by another process", () => {
    const authority = new DigestAuthority();
    const foreign = answer(authority.challenge('globex.sip.localhost'), 'REGISTER');
    expect(authority.verify({ ...foreign, realm }, { realm, method: 'REGISTER', ha1 })).toBe('invalid');
    const other = new DigestAuthority();
    expect(other.verify(answer(authority.challenge(realm), 'REGISTER'), { realm, method: 'REGISTER', ha1 })).toBe('invalid');
  });

  it('reports an expired nonce as stale', () => {
    let now = 1_000_000;
    const authority = new DigestAuthority({ now: () => now });
    const credentials = answer(authority.challenge(realm), 'REGISTER');
    now += NONCE_LIFETIME_MS + 1;
    expect(authority.verify(credentials, { realm, method: 'REGISTER', ha1 })).toBe('stale');
  });
});
