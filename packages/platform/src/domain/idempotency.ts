import { createHash } from 'node:crypto';
import type { DomainContext } from './context';

/** First responses are kept this long; after that a key may be used afresh. */
const RETENTION_MS = 24 * 60 * 60 * 1000;

export type IdempotencyStart =
  | { kind: 'proceed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'reused' }
  | { kind: 'in_use' };

/** Canonical JSON with sorted keys, so the same request body in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestFingerprint = (method: string, path: string, body: unknown) =>
  createHash('sha256').update(`${method} ${path}\n${canonical(body)}`).digest('hex');

/**
 * Claims `key` for this API key, or says why not. Runs synchronously against the store, so two
 * requests racing for one key cannot both proceed.
 */
export function beginIdempotent(ctx: DomainContext, apiKeyId: string, key: string, fingerprint: string): IdempotencyStart {
  const { idempotency } = ctx.store;
  const now = ctx.now();
  return ctx.store.transaction(() => {
    let existing = idempotency.get(apiKeyId, key);
    if (existing && now.getTime() - Date.parse(existing.createdAt) > RETENTION_MS) {
      idempotency.release(apiKeyId, key);
      existing = undefined;
    }
    if (!existing) {
      idempotency.claim({ apiKeyId, idempotencyKey: key, requestHash: fingerprint, createdAt: now.toISOString() });
      return { kind: 'proceed' };
    }
    if (existing.requestHash !== fingerprint) return { kind: 'reused' };
    if (existing.state === 'in_flight') return { kind: 'in_use' };
    return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody ?? '' };
  });
}

export const completeIdempotent = (ctx: DomainContext, apiKeyId: string, key: string, status: number, body: string) =>
  ctx.store.idempotency.complete(apiKeyId, key, status, body);

/** Forgets a claim whose request failed, so a retry runs again instead of replaying the failure. */
export const releaseIdempotent = (ctx: DomainContext, apiKeyId: string, key: string) => ctx.store.idempotency.release(apiKeyId, key);
