/**
 * SIP digest authentication (RFC 2617 / RFC 8760 MD5, qop=auth). A nonce is
 * `<issued-ms>.<serial>.<hmac(secret, issued-ms:serial:realm:connection)>` (the serial makes two
 * challenges in one millisecond differ): it verifies only on the connection it
 * was issued to, so credentials captured off one socket are worthless on another. On that
 * connection each nonce counts its uses (the `nc` of qop=auth must grow; without qop a nonce is
 * good once) in the connection's NonceLedger, so a captured request cannot be replayed on it
 * either. A nonce that is expired, used up or someone else's, answered with the right password,
 * gets a fresh challenge with stale=true: an honest phone simply answers it again.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_LIFETIME_MS = 5 * 60_000;
/**
 * Nonces one connection's ledger follows at once. A phone uses one per REGISTER or call (a gateway
 * registering many lines, one each); bench/sip.mjs refreshes 100 per connection.
 */
export const NONCES_PER_CONNECTION = 1024;

export function md5(value: string): string {
  return createHash('md5').update(value).digest('hex');
}

/**
 * The nonces one connection has used, with the highest nonce count seen for each. Bounded: past
 * the cap the oldest are forgotten, and every nonce issued up to the newest forgotten one counts
 * as used, so forgetting never reopens a replay.
 */
export class NonceLedger {
  readonly #used = new Map<string, { issued: number; count: number }>();
  /** Nonces issued at or before this instant are treated as used up (their entries were evicted). */
  #floor = -Infinity;

  /**
   * Records a use of `nonce` with count `count` (0 when the client sent none: the nonce is then
   * good once). False when it was used with that count or a higher one already.
   */
  use(nonce: string, issued: number, count: number, now: number): boolean {
    const seen = this.#used.get(nonce);
    if (seen ? count <= seen.count : issued <= this.#floor) return false;
    if (!seen && this.#used.size >= NONCES_PER_CONNECTION) this.#makeRoom(now);
    this.#used.set(nonce, { issued, count: count === 0 ? Infinity : count });
    return true;
  }

  get size(): number {
    return this.#used.size;
  }

  #makeRoom(now: number): void {
    for (const [nonce, entry] of this.#used) if (now - entry.issued > NONCE_LIFETIME_MS) this.#used.delete(nonce);
    while (this.#used.size >= NONCES_PER_CONNECTION) {
      const [oldest, entry] = this.#used.entries().next().value!;
      this.#used.delete(oldest);
      this.#floor = Math.max(this.#floor, entry.issued);
    }
  }
}

/** What digest ties a nonce to: the connection it was issued on, and where its uses are counted. */
export interface NonceHolder {
  readonly id: string;
  readonly nonces: NonceLedger;
}

export type DigestVerdict = 'ok' | 'stale' | 'invalid';

export class DigestAuthority {
  readonly #secret: Buffer;
  readonly #now: () => number;
  #serial = 0;

  constructor(options: { secret?: Buffer; now?: () => number } = {}) {
    this.#secret = options.secret ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
  }

  /** The value of a WWW-Authenticate / Proxy-Authenticate header for `realm`, for use on `holder` only. */
  challenge(realm: string, stale: boolean, holder: NonceHolder): string {
    const serial = (this.#serial = (this.#serial + 1) % Number.MAX_SAFE_INTEGER);
    const nonce = this.#nonce(realm, this.#now(), serial.toString(36), holder.id);
    return `Digest realm="${realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /**
   * Checks credentials against the stored HA1, for a request with `requestUri` arriving on
   * `holder`. `stale` means the response was right but its nonce is not good here any more
   * (expired, used, or issued to another connection): the client should retry with a fresh
   * challenge rather than be refused. A digest `uri` that is not the request's is `invalid`: the
   * response would otherwise prove nothing about this request.
   */
  verify(
    credentials: Record<string, string>,
    expected: { realm: string; method: string; ha1: string; requestUri: string },
    holder: NonceHolder,
  ): DigestVerdict {
    const { nonce, response, uri, qop, nc, cnonce } = credentials;
    if (!nonce || !response || !uri || credentials.realm !== expected.realm) return 'invalid';
    if (credentials.algorithm && credentials.algorithm.toUpperCase() !== 'MD5') return 'invalid';
    if (uri !== expected.requestUri) return 'invalid';
    const ha2 = md5(`${expected.method}:${uri}`);
    let wanted: string;
    let count = 0;
    if (qop === undefined) wanted = md5(`${expected.ha1}:${nonce}:${ha2}`);
    else if (qop === 'auth' && nc && /^[0-9a-f]{8}$/i.test(nc) && cnonce) {
      wanted = md5(`${expected.ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
      count = parseInt(nc, 16);
      if (count === 0) return 'invalid';
    } else return 'invalid';
    if (!sameText(wanted, response.toLowerCase())) return 'invalid';
    // The password is right from here on; only whether this nonce may be used here is left.
    const now = this.#now();
    const issued = this.#issuedAt(nonce, expected.realm, holder.id, now);
    if (issued === undefined || now - issued > NONCE_LIFETIME_MS) return 'stale';
    return holder.nonces.use(nonce, issued, count, now) ? 'ok' : 'stale';
  }

  #nonce(realm: string, issued: number, serial: string, holderId: string): string {
    return `${issued.toString(36)}.${serial}.${this.#mac(issued, serial, realm, holderId)}`;
  }

  #issuedAt(nonce: string, realm: string, holderId: string, now: number): number | undefined {
    const [stamp, serial, mac, extra] = nonce.split('.');
    if (!stamp || !serial || !mac || extra !== undefined) return undefined;
    const issued = parseInt(stamp, 36);
    if (!Number.isSafeInteger(issued) || issued > now + 1000) return undefined;
    return sameText(this.#mac(issued, serial, realm, holderId), mac) ? issued : undefined;
  }

  #mac(issued: number, serial: string, realm: string, holderId: string): string {
    return createHmac('sha256', this.#secret).update(`${issued}:${serial}:${realm.toLowerCase()}:${holderId}`).digest('base64url').slice(0, 32);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
