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

/**
 * `Idempotency-Key` on an authenticated POST: the first request with a key claims it, and its JSON
 * answer is stored for replay (`Idempotent-Replayed: true`); a failure downstream (Hono hands it to
 * `onError` and records it in `c.error`) releases the claim so the client may try again.
 */
export const idempotency = (domain: DomainContext): MiddlewareHandler<HttpEnv> => async (c, next) => {
  const principal = c.get('principal');
  const key = principal ? c.req.header('Idempotency-Key') : undefined;
  if (key === undefined) return next();
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError('validation_error', 'Idempotency-Key must be 1 to 255 printable characters', [
      { field: 'header.Idempotency-Key', issue: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  const fingerprint = requestFingerprint(c.req.method, c.req.path, new URL(c.req.url).search, c.get('bytes') ?? NO_BYTES);
  const start = await beginIdempotent(domain, principal!.keyId, key, fingerprint);
  if (start.kind === 'reused') throw new HttpError('idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  if (start.kind === 'in_use') throw new HttpError('idempotency_key_in_use', 'a request with this Idempotency-Key is still in progress');
  // Stored in the latest version's shape; a replay is rendered in the version asked for now.
  if (start.kind === 'replay') {
    const body = start.status < 300 ? inVersion(c.get('version'), start.body) : start.body;
    return json(c, start.status, body, { 'Idempotent-Replayed': 'true' });
  }

  await next();
  const bytes = c.get('responseBytes');
  // A failure, or an answer that is not the route's JSON: nothing to replay, the key is free again.
  if (c.error !== undefined || bytes === undefined) {
    await releaseIdempotent(domain, principal!.keyId, key);
    return;
  }
  try {
    await completeIdempotent(domain, principal!.keyId, key, c.res.status, bytes);
  } catch (error) {
    await releaseIdempotent(domain, principal!.keyId, key);
    throw error;
  }
};
