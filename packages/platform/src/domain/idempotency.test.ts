import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { authenticate, ensureBootstrapKey } from './api-keys';
import type { DomainContext } from './context';
import {
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_RETENTION_MS,
  beginIdempotent,
  completeIdempotent,
  idempotencyLookup,
  purgeExpiredIdempotency,
  releaseIdempotent,
  requestFingerprint,
} from './idempotency';
import { auditKeyFrom } from './audit-key';

let ctx: DomainContext;
let clock: number;
let keyId: string;
const body = new TextEncoder().encode('{"name":"Acme","slug":"acme"}');
const fingerprint = requestFingerprint('POST', '/v1/tenants', '', body);
const firstResponse = '{"tenant":{"id":"ten_1"},"adminKey":{"secret":"hr_test_one_time_secret_value"}}';

beforeEach(async () => {
  clock = Date.UTC(2026, 10, 28, 10, 0, 0);
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(clock) };
  await ensureBootstrapKey(ctx, 'idempotency-test-key');
  const principal = await authenticate(ctx, 'idempotency-test-key');
  if (!principal) throw new Error('bootstrap key did not authenticate');
  keyId = principal.keyId;
});
afterEach(() => ctx.store.close());

const stored = (key: string) => ctx.store.idempotency.get(keyId, idempotencyLookup(keyId, key));

describe('idempotency records', () => {
  it('store neither the raw key nor the response in the clear, and replay the first response', async () => {
    expect((await beginIdempotent(ctx, keyId, 'order-1', fingerprint))).toEqual({ kind: 'proceed' });
    await completeIdempotent(ctx, keyId, 'order-1', 201, firstResponse);
    expect((await ctx.store.idempotency.get(keyId, 'order-1'))).toBeUndefined();
    const record = (await stored('order-1'))!;
    expect(record.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain('hr_test_one_time_secret_value');
    expect(JSON.stringify(record)).not.toContain(fingerprint);
    expect((await beginIdempotent(ctx, keyId, 'order-1', fingerprint))).toEqual({ kind: 'replay', status: 201, body: firstResponse });
  });

  it('stores a large batch answer deflated before sealing, and replays it byte for byte', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: `ext_01M8R92FN2${String(i).padStart(16, '0')}`, object: 'extension', number: String(1000 + i), displayName: `Desk ${i}`, sipPassword: `pw${i}x`.padEnd(20, 'q') }));
    const answer = JSON.stringify({ object: 'list', data: items });
    await beginIdempotent(ctx, keyId, 'batch-1', fingerprint);
    await completeIdempotent(ctx, keyId, 'batch-1', 201, answer);
    const record = (await stored('batch-1'))!;
    expect(record.responseBody!.startsWith('v2.')).toBe(true);
    expect(record.responseBody!.length).toBeLessThan(answer.length / 4);
    expect((await beginIdempotent(ctx, keyId, 'batch-1', fingerprint))).toEqual({ kind: 'replay', status: 201, body: answer });
  });

  it('still replays a record sealed before answers were deflated (v1), within its retention', async () => {
    await beginIdempotent(ctx, keyId, 'order-v1', fingerprint);
    // Sealed as the first format did: AES-256-GCM over the answer as it was, under the same derived key.
    const okm = Buffer.from(hkdfSync('sha256', 'order-v1', keyId, 'highrise idempotency record v1', 64));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', okm.subarray(0, 32), iv);
    cipher.setAAD(Buffer.from(`${idempotencyLookup(keyId, 'order-v1')}:201`));
    const ciphertext = Buffer.concat([cipher.update(firstResponse, 'utf8'), cipher.final()]);
    await ctx.store.idempotency.complete(keyId, idempotencyLookup(keyId, 'order-v1'), 201, `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`);
    expect((await beginIdempotent(ctx, keyId, 'order-v1', fingerprint))).toEqual({ kind: 'replay', status: 201, body: firstResponse });
  });

  it('refuses the same key with other bytes, even if they parse to the same JSON', async () => {
    await beginIdempotent(ctx, keyId, 'order-2', fingerprint);
    await completeIdempotent(ctx, keyId, 'order-2', 201, firstResponse);
    const reordered = requestFingerprint('POST', '/v1/tenants', '', new TextEncoder().encode('{"slug":"acme","name":"Acme"}'));
    expect((await beginIdempotent(ctx, keyId, 'order-2', reordered))).toEqual({ kind: 'reused' });
  });

  it('does not open a sealed response that was moved to another status', async () => {
    await beginIdempotent(ctx, keyId, 'order-3', fingerprint);
    await completeIdempotent(ctx, keyId, 'order-3', 201, firstResponse);
    const record = (await stored('order-3'))!;
    await ctx.store.idempotency.complete(keyId, record.idempotencyKey, 200, record.responseBody!);
    await expect(beginIdempotent(ctx, keyId, 'order-3', fingerprint)).rejects.toThrow();
  });

  it('treats an in_flight claim older than the lease as abandoned, so a retry after a crash proceeds', async () => {
    // The first attempt claims the key and "crashes" before completing it.
    expect((await beginIdempotent(ctx, keyId, 'crashed', fingerprint))).toEqual({ kind: 'proceed' });
    expect((await stored('crashed'))?.state).toBe('in_flight');

    clock += IDEMPOTENCY_LEASE_MS - 1_000;
    expect((await beginIdempotent(ctx, keyId, 'crashed', fingerprint))).toEqual({ kind: 'in_use' });

    clock += 2_000;
    expect((await beginIdempotent(ctx, keyId, 'crashed', fingerprint))).toEqual({ kind: 'proceed' });
    expect((await stored('crashed'))).toMatchObject({ state: 'in_flight', createdAt: new Date(clock).toISOString() });
    await completeIdempotent(ctx, keyId, 'crashed', 201, firstResponse);
    expect((await beginIdempotent(ctx, keyId, 'crashed', fingerprint))).toMatchObject({ kind: 'replay', body: firstResponse });
  });

  it('keeps a completed record for the whole retention, however old past the lease', async () => {
    await beginIdempotent(ctx, keyId, 'kept', fingerprint);
    await completeIdempotent(ctx, keyId, 'kept', 201, firstResponse);
    clock += IDEMPOTENCY_RETENTION_MS - 1_000;
    expect((await beginIdempotent(ctx, keyId, 'kept', fingerprint))).toMatchObject({ kind: 'replay' });
    clock += 2_000;
    expect((await beginIdempotent(ctx, keyId, 'kept', fingerprint))).toEqual({ kind: 'proceed' });
  });

  it('forgets a released claim', async () => {
    await beginIdempotent(ctx, keyId, 'failed', fingerprint);
    await releaseIdempotent(ctx, keyId, 'failed');
    expect((await stored('failed'))).toBeUndefined();
  });

  it('purges records past the retention and keeps younger ones', async () => {
    await beginIdempotent(ctx, keyId, 'old', fingerprint);
    await completeIdempotent(ctx, keyId, 'old', 201, firstResponse);
    clock += IDEMPOTENCY_RETENTION_MS / 2;
    await beginIdempotent(ctx, keyId, 'young', fingerprint);
    clock += IDEMPOTENCY_RETENTION_MS / 2 + 1_000;
    expect((await purgeExpiredIdempotency(ctx))).toBe(1);
    expect((await stored('old'))).toBeUndefined();
    expect((await stored('young'))).toBeDefined();
  });
});
