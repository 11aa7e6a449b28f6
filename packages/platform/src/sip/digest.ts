/**
 * SIP digest authentication (RFC 2617 / RFC 8760 MD5, qop=auth) with stateless nonces: a nonce is
 * `<issued-ms>.<hmac(secret, issued-ms:realm)>`, so any edge process with the same secret can
 * verify it and nothing is stored per challenge. A nonce can be replayed inside its lifetime
 * (nonce counts are not tracked); the lifetime is short for that reason.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_LIFETIME_MS = 5 * 60_000;

export function md5(value: string): string {
  return createHash('md5').update(value).digest('hex');
}

export class DigestAuthority {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(options: { secret?: Buffer; now?: () => number } = {}) {
    this.#secret = options.secret ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
  }

  /** The value of a WWW-Authenticate / Proxy-Authenticate header for `realm`. */
  challenge(realm: string, stale = false): string {
    const nonce = this.#nonce(realm, this.#now());
    return `Digest realm="${realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /**
   * Checks credentials against the stored HA1. `stale` means the response was right for an
   * expired nonce: the client should retry with a fresh challenge rather than be refused.
   */
  verify(
    credentials: Record<string, string>,
    expected: { realm: string; method: string; ha1: string },
  ): 'ok' | 'stale' | 'invalid' {
    const { nonce, response, uri, qop, nc, cnonce } = credentials;
    if (!nonce || !response || !uri || credentials.realm !== expected.realm) return 'invalid';
    if (credentials.algorithm && credentials.algorithm.toUpperCase() !== 'MD5') return 'invalid';
    const issued = this.#issuedAt(nonce, expected.realm);
    if (issued === undefined) return 'invalid';
    const ha2 = md5(`${expected.method}:${uri}`);
    let wanted: string;
    if (qop === undefined) wanted = md5(`${expected.ha1}:${nonce}:${ha2}`);
    else if (qop === 'auth' && nc && cnonce) wanted = md5(`${expected.ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    else return 'invalid';
    if (!sameText(wanted, response.toLowerCase())) return 'invalid';
    return this.#now() - issued > NONCE_LIFETIME_MS ? 'stale' : 'ok';
  }

  #nonce(realm: string, issued: number): string {
    return `${issued.toString(36)}.${this.#mac(issued, realm)}`;
  }

  #issuedAt(nonce: string, realm: string): number | undefined {
    const [stamp, mac, extra] = nonce.split('.');
    if (!stamp || !mac || extra !== undefined) return undefined;
    const issued = parseInt(stamp, 36);
    if (!Number.isSafeInteger(issued) || issued > this.#now() + 1000) return undefined;
    return sameText(this.#mac(issued, realm), mac) ? issued : undefined;
  }

  #mac(issued: number, realm: string): string {
    return createHmac('sha256', this.#secret).update(`${issued}:${realm.toLowerCase()}`).digest('base64url').slice(0, 32);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
