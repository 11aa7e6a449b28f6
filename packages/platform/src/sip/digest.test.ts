import { describe, expect, it } from 'vitest';
import { DigestAuthority, md5, NONCE_LIFETIME_MS, NonceLedger, NONCES_PER_CONNECTION, type NonceHolder } from './digest';

const realm = 'acme.sip.localhost';
const requestUri = `sip:${realm}`;
const ha1 = md5(`101:${realm}:secret-password`);
const expected = (method = 'REGISTER') => ({ realm, method, ha1, requestUri });
const holder = (id = 'conn-a'): NonceHolder => ({ id, nonces: new NonceLedger() });

function answer(challenge: string, method: string, options: { password?: string; realmUsed?: string; nc?: string; uri?: string; qop?: boolean } = {}): Record<string, string> {
  const { password = 'secret-password', realmUsed = realm, nc = '00000001', uri = `sip:${realmUsed}`, qop = true } = options;
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const ha = md5(`101:${realmUsed}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  if (!qop) return { username: '101', realm: realmUsed, nonce, uri, response: md5(`${ha}:${nonce}:${ha2}`) };
  const response = md5(`${ha}:${nonce}:${nc}:abc:auth:${ha2}`);
  return { username: '101', realm: realmUsed, nonce, uri, qop: 'auth', nc, cnonce: 'abc', response };
}

describe('DigestAuthority', () => {
  it('accepts a correct qop=auth response and refuses a wrong password or method', () => {
    const authority = new DigestAuthority();
    const on = holder();
    const challenge = authority.challenge(realm, false, on);
    expect(authority.verify(answer(challenge, 'REGISTER', { password: 'guess' }), expected(), on)).toBe('invalid');
    expect(authority.verify(answer(challenge, 'INVITE'), expected(), on)).toBe('invalid');
    expect(authority.verify(answer(challenge, 'REGISTER'), expected(), on)).toBe('ok');
  });

  it('refuses a nonce issued for another realm, and asks again for one of another process', () => {
    const authority = new DigestAuthority();
    const on = holder();
    const foreign = answer(authority.challenge('globex.sip.localhost', false, on), 'REGISTER', { realmUsed: 'globex.sip.localhost' });
    expect(authority.verify({ ...foreign, realm, uri: requestUri }, expected(), on)).toBe('invalid');
    // The right password with a nonce this process never issued (a restart): a fresh challenge, not a refusal.
    const other = new DigestAuthority();
    expect(other.verify(answer(authority.challenge(realm, false, on), 'REGISTER'), expected(), on)).toBe('stale');
  });

  it('reports an expired nonce as stale', () => {
    let now = 1_000_000;
    const authority = new DigestAuthority({ now: () => now });
    const on = holder();
    const credentials = answer(authority.challenge(realm, false, on), 'REGISTER');
    now += NONCE_LIFETIME_MS + 1;
    expect(authority.verify(credentials, expected(), on)).toBe('stale');
  });

  it('honours a nonce only on the connection it was issued to', () => {
    const authority = new DigestAuthority();
    const [mine, theirs] = [holder('conn-a'), holder('conn-b')];
    const credentials = answer(authority.challenge(realm, false, mine), 'REGISTER');
    expect(authority.verify(credentials, expected(), theirs)).toBe('stale');
    expect(authority.verify(credentials, expected(), mine)).toBe('ok');
  });

  it('takes each nonce count once: the same request replayed is stale, the next count is fine', () => {
    const authority = new DigestAuthority();
    const on = holder();
    const challenge = authority.challenge(realm, false, on);
    expect(authority.verify(answer(challenge, 'REGISTER'), expected(), on)).toBe('ok');
    expect(authority.verify(answer(challenge, 'REGISTER'), expected(), on)).toBe('stale');
    expect(authority.verify(answer(challenge, 'REGISTER', { nc: '00000002' }), expected(), on)).toBe('ok');
    expect(authority.verify(answer(challenge, 'REGISTER', { nc: '00000002' }), expected(), on)).toBe('stale');
    expect(authority.verify(answer(challenge, 'REGISTER', { nc: '00000000' }), expected(), on)).toBe('invalid');
    // Without qop there is no count: the nonce is good once.
    const plain = authority.challenge(realm, false, on);
    expect(authority.verify(answer(plain, 'REGISTER', { qop: false }), expected(), on)).toBe('ok');
    expect(authority.verify(answer(plain, 'REGISTER', { qop: false }), expected(), on)).toBe('stale');
  });

  it("refuses credentials whose digest uri is not the request's", () => {
    const authority = new DigestAuthority();
    const on = holder();
    const credentials = answer(authority.challenge(realm, false, on), 'INVITE', { uri: 'sip:102@acme.sip.localhost' });
    expect(authority.verify(credentials, { ...expected('INVITE'), requestUri: 'sip:900@acme.sip.localhost' }, on)).toBe('invalid');
    expect(authority.verify(credentials, { ...expected('INVITE'), requestUri: 'sip:102@acme.sip.localhost' }, on)).toBe('ok');
  });
});

describe('NonceLedger', () => {
  it('stays bounded, and a nonce it had to forget counts as used, never as fresh', () => {
    const ledger = new NonceLedger();
    const now = 10_000_000;
    for (let i = 0; i < NONCES_PER_CONNECTION; i++) expect(ledger.use(`n${i}`, now - 1000 + i / 10_000, 1, now)).toBe(true);
    expect(ledger.use('late', now, 1, now)).toBe(true);
    expect(ledger.size).toBe(NONCES_PER_CONNECTION);
    // n0 was evicted: using it again is refused, though the ledger no longer lists it.
    expect(ledger.use('n0', now - 1000, 2, now)).toBe(false);
    expect(ledger.use('n5', now - 1000 + 5 / 10_000, 2, now)).toBe(true);
  });

  it('forgets expired nonces first when it needs room', () => {
    const ledger = new NonceLedger();
    const now = 10_000_000;
    for (let i = 0; i < NONCES_PER_CONNECTION; i++) ledger.use(`old${i}`, now - NONCE_LIFETIME_MS - 10, 1, now);
    expect(ledger.use('fresh', now, 1, now)).toBe(true);
    expect(ledger.size).toBe(1);
  });
});
