import type { ErrorCode } from '@highrise/sdk/schemas';
import type { MiddlewareHandler } from 'hono';
import type { DomainContext } from '../../domain/context';
import { beginIdempotent, completeIdempotent, releaseIdempotent, requestFingerprint } from '../../domain/idempotency';
import { json, type HttpEnv } from '../env';
import { HttpError } from '../errors';
import { renderForVersion, LATEST_VERSION } from '../version';

/** An answer in the latest version's shape (text, or its UTF-8 bytes) as the request's version shows it. */
export function inVersion(version: string, body: string | Uint8Array): string | Uint8Array {
  if (version === LATEST_VERSION) return body;
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return JSON.stringify(renderForVersion(version, JSON.parse(text)));
}

/** A malformed key, the same key with other bytes, or with a request still running. */
export const idempotencyErrors = ['validation_error', 'idempotency_key_reused', 'idempotency_key_in_use'] as const satisfies readonly ErrorCode[];

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const NO_BYTES = new Uint8Array(0);

/** Thrown inside the request's transaction to roll it back once the answer is a failure (already sent by `onError`). */
const ROLLBACK = Symbol('roll back the request');

/**
 * `Idempotency-Key` on an authenticated POST: the first request with a key claims it, and its JSON
 * answer is stored for replay (`Idempotent-Replayed: true`); a failure downstream (Hono hands it to
 * `onError` and records it in `c.error`) releases the claim so the client may try again.
 *
 * Claim, handler and stored answer are three transactions, unless the route is `oneTransaction`
 * (route.ts): then all three are one, and a failure rolls the claim back with the handler's writes,
 * so no crash can leave a claim without its answer. A concurrent request with the same key gets 409
 * `idempotency_key_in_use` at once on PostgreSQL (the claim's lock is held to commit; see
 * beginIdempotent) and on SQLite waits its turn (one transaction at a time); once the first has
 * committed it replays the answer, or runs itself if the first rolled back.
 */
export const idempotency = (domain: DomainContext, { oneTransaction = false } = {}): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const principal = c.get('principal');
  const key = principal ? c.req.header('Idempotency-Key') : undefined;
  if (key === undefined) return next();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError('validation_error', 'Idempotency-Key must be 1 to 255 printable characters', [
      { field: 'header.Idempotency-Key', issue: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  const keyId = principal!.keyId;
  const fingerprint = requestFingerprint(c.req.method, c.req.path, new URL(c.req.url).search, c.get('bytes') ?? NO_BYTES);
  /** Claims the key and runs the rest; false when the answer is a failure or not the route's JSON (nothing to store). */
  const claimAndRun = async (): Promise<Response | boolean> => {
    const start = await beginIdempotent(domain, keyId, key, fingerprint);
    if (start.kind === 'reused') throw new HttpError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
    if (start.kind === 'in_use') throw new HttpError('idempotency_key_in_use', 'a request with this Idempotency-Key is still in progress');
    // Stored in the latest version's shape; a replay is rendered in the version asked for now.
    if (start.kind === 'replay') {
      const body = start.status < 300 ? inVersion(c.get('version'), start.body) : start.body;
      return json(c, start.status, body, { 'Idempotent-Replayed': 'true' });
    }
    await next();
    return c.error === undefined && c.get('responseBytes') !== undefined;
  };

  if (oneTransaction) {
    try {
      const replay = await domain.store.transaction(async () => {
        const ran = await claimAndRun();
        if (ran instanceof Response) return ran;
        if (!ran) throw ROLLBACK;
        await completeIdempotent(domain, keyId, key, c.res.status, c.get('responseBytes'));
        return undefined;
      });
      if (replay) return replay;
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
    return;
  }

  const ran = await claimAndRun();
  if (ran instanceof Response) return ran;
  // A failure, or an answer that is not the route's JSON: nothing to replay, the key is free again.
  if (!ran) {
    await releaseIdempotent(domain, keyId, key);
    return;
  }
  try {
    await completeIdempotent(domain, keyId, key, c.res.status, c.get('responseBytes'));
  } catch (error) {
    await releaseIdempotent(domain, keyId, key);
    throw error;
  }
};
