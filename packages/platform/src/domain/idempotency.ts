import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DomainContext } from './context';
import { newLeaseOwner, runLeased } from './leases';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** First responses are kept this long; after that a key may be used afresh. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim may stay `in_flight` before it counts as abandoned. A claim is completed after
 * the mutation's own transaction has committed, so a crash (or a killed process) between the two
 * leaves it `in_flight` forever; without a lease every retry would get 409 for the whole
 * retention. Requests finish in milliseconds, so a minute means the first attempt is gone, and a
 * retry after that runs again (the mutation's own uniqueness rules still refuse a duplicate).
 * Routes whose claim joins the mutation's transaction (`oneTransaction`, http/route.ts) never leave one.
 */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

/** How often expired records are purged while the platform runs. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export type IdempotencyStart =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'reused' }
  | { kind: 'in_use' };

/**
 * What identifies a request: method, path, query string and the body bytes exactly as sent (a JSON
 * body or an uploaded file alike). The query counts because some routes take their arguments there
 * (`?kind=loa` or `?kind=bill` on a document upload). Hashing the raw bytes (not the parsed JSON)
 * costs no recursion, so it is safe before validation; an honest retry resends the same bytes.
 */
export const requestFingerprint = (method: string, path: string, search: string, rawBody: Uint8Array) =>
  createHash('sha256').update(`${method} ${path}\n${search}\n`).update(rawBody).digest('hex');

/**
 * The stored first response holds one-time secrets (tenant admin keys, SIP passwords, softphone
 * tokens), so the database never holds the raw Idempotency-Key nor anything readable without it:
 * rows are found by a hash of (API key, Idempotency-Key), the request fingerprint is keyed by it,
 * and the response is sealed with AES-256-GCM under a key derived from it. Only a caller who
 * presents the key again can read its first answer.
 */
interface RecordKeys {
  lookup: string;
  seal: Buffer;
  mac: Buffer;
}

function recordKeys(apiKeyId: string, idempotencyKey: string): RecordKeys {
  const okm = Buffer.from(hkdfSync('sha256', idempotencyKey, apiKeyId, 'highrise idempotency record v1', 64));
  return {
    lookup: createHash('sha256').update(`${apiKeyId}\n${idempotencyKey}`).digest('hex'),
    seal: okm.subarray(0, 32),
    mac: okm.subarray(32),
  };
}

/** The row id a record is stored under: sha256 of (API key id, Idempotency-Key). */
export const idempotencyLookup = (apiKeyId: string, idempotencyKey: string) => recordKeys(apiKeyId, idempotencyKey).lookup;

const keyedFingerprint = (keys: RecordKeys, fingerprint: string) => createHmac('sha256', keys.mac).update(fingerprint).digest('hex');

/** v1: the answer sealed as it was; v2: deflated, then sealed. Both are read; v2 is written. */
const SEALED_V1 = 'v1.';
const SEALED_V2 = 'v2.';

/**
 * Deflated before it is sealed: a batch answer (1,000 extensions with their passwords) is ~300 KB of
 * JSON whose keys and values repeat, and comes out ~7 times smaller, so it costs less to encrypt,
 * encode and write than it costs to compress. Length is all that compression could leak, and only to
 * someone reading the database: each record is one caller's answer to their own request, its secrets
 * new in it, so there is no fixed secret to probe with chosen input across records.
 */
function seal(keys: RecordKeys, status: number, body: string | Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
  // The row's lookup and status are bound in, so a sealed body moved to another row fails to open.
  cipher.setAAD(Buffer.from(`${keys.lookup}:${status}`));
  const ciphertext = Buffer.concat([cipher.update(deflateRawSync(body, { level: 1 })), cipher.final()]);
  return SEALED_V2 + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

function open(keys: RecordKeys, status: number, sealed: string): string {
  const version = sealed.slice(0, SEALED_V1.length);
  if (version !== SEALED_V1 && version !== SEALED_V2) throw new Error('idempotency record is not sealed');
  const raw = Buffer.from(sealed.slice(version.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keys.seal, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(`${keys.lookup}:${status}`));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  return (version === SEALED_V2 ? inflateRawSync(plain) : plain).toString('utf8');
}

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Claims `key` for this API key, or says why not. Only the request whose insert wins the unique key
 * proceeds, so two requests racing for one key cannot both run (on SQLite the transaction already
 * serialises them; on PostgreSQL both may read "no record" and the insert decides).
 *
 * On PostgreSQL the key is locked without waiting before anything is written: when the claim joins a
 * long transaction (a batch, `oneTransaction`), a duplicate's insert or delete would otherwise wait
 * on the first's uncommitted row until it commits, holding a pooled connection all the while; a
 * client retrying a slow batch many times at once could take the whole pool. It answers `in_use` now.
 */
export async function beginIdempotent(ctx: DomainContext, apiKeyId: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
  const { idempotency } = ctx.store;
  const keys = recordKeys(apiKeyId, key);
  const requestHash = keyedFingerprint(keys, fingerprint);
  const now = ctx.now().getTime();
  return ctx.store.transaction(async () => {
    let existing = await idempotency.get(apiKeyId, keys.lookup);
    const age = existing ? now - Date.parse(existing.createdAt) : 0;
    const expired = existing && (age > IDEMPOTENCY_RETENTION_MS || (existing.state === 'in_flight' && age > IDEMPOTENCY_LEASE_MS));
    // A committed answer replays without the lock; a write first takes it (see above).
    if ((!existing || expired) && !(await idempotency.tryLock(apiKeyId, keys.lookup))) return { kind: 'in_use' };
    if (expired) {
      await idempotency.release(apiKeyId, keys.lookup);
      existing = undefined;
    }
    if (!existing) {
      if (await idempotency.claim({ apiKeyId, idempotencyKey: keys.lookup, requestHash, createdAt: new Date(now).toISOString() })) return { kind: 'proceed' };
      // Another request (on PostgreSQL, another connection or node) claimed the key between our
      // read and our insert: its claim decides, as if we had read it first.
      existing = await idempotency.get(apiKeyId, keys.lookup);
      if (!existing) return { kind: 'in_use' };
    }
    if (!sameHex(existing.requestHash, requestHash)) return { kind: 'reused' };
    if (existing.state === 'in_flight') return { kind: 'in_use' };
    const status = existing.responseStatus ?? 200;
    return { kind: 'replay', status, body: open(keys, status, existing.responseBody ?? '') };
  });
}

/** Stores the first answer (its text, or its UTF-8 bytes as sent: a large one is not encoded again). */
export async function completeIdempotent(ctx: DomainContext, apiKeyId: string, key: string, status: number, body: string | Uint8Array): Promise<void> {
  const keys = recordKeys(apiKeyId, key);
  await ctx.store.idempotency.complete(apiKeyId, keys.lookup, status, seal(keys, status, body));
}

/** Forgets a claim whose request failed, so a retry runs again instead of replaying the failure. */
export const releaseIdempotent = (ctx: DomainContext, apiKeyId: string, key: string) =>
  ctx.store.idempotency.release(apiKeyId, recordKeys(apiKeyId, key).lookup);

/** Deletes records past their retention; returns how many went. */
export const purgeExpiredIdempotency = (ctx: DomainContext): Promise<number> =>
  ctx.store.idempotency.purgeCreatedBefore(new Date(ctx.now().getTime() - IDEMPOTENCY_RETENTION_MS).toISOString());

/** Rate-window events older than this are out of every window the platform uses. */
const RATE_EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Purges expired records (and rate-window events out of every window) now and then hourly until
 * the returned stop function is called. Each run holds the `cleanup.idempotency` job lease, so with
 * several nodes one of them purges. The timer is unref'd so it never keeps the process alive.
 */
export function startIdempotencyPurge(ctx: DomainContext, intervalMs = PURGE_INTERVAL_MS): () => void {
  let running = false;
  const owner = newLeaseOwner();
  const purge = async () => {
    // A purge slower than the interval is not started twice.
    if (running) return;
    running = true;
    try {
      await runLeased(ctx, 'cleanup.idempotency', owner, 10 * 60_000, async () => {
        await purgeExpiredIdempotency(ctx);
        await ctx.store.leases.rates.purgeUpTo(ctx.now().getTime() - RATE_EVENT_RETENTION_MS);
      });
    } catch {
      // A busy database only delays the purge to the next tick; it must not crash the process.
    } finally {
      running = false;
    }
  };
  void purge();
  const timer = setInterval(() => void purge(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
