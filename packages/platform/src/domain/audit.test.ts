import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite';
import { appendAuditEvent, diffChanges, GENESIS_HASH, verifyChain } from './audit';
import type { DomainContext } from './context';

describe('diffChanges', () => {
  it('keeps changed keys only and redacts anything named like a secret', () => {
    const before = { displayName: 'A', ha1: 'aaa', pin: '1234', accountNumber: '555', apiToken: 't1', nested: { sipPassword: 'x', city: 'Oslo' }, updatedAt: '1' };
    const after = { displayName: 'B', ha1: 'bbb', pin: '9999', accountNumber: '556', apiToken: 't2', nested: { sipPassword: 'y', city: 'Oslo' }, updatedAt: '2' };
    expect(diffChanges(before, after)).toEqual({
      accountNumber: { before: '[redacted]', after: '[redacted]' },
      apiToken: { before: '[redacted]', after: '[redacted]' },
      displayName: { before: 'A', after: 'B' },
      ha1: { before: '[redacted]', after: '[redacted]' },
      nested: { before: { sipPassword: '[redacted]', city: 'Oslo' }, after: { sipPassword: '[redacted]', city: 'Oslo' } },
      pin: { before: '[redacted]', after: '[redacted]' },
    });
    expect(diffChanges({ a: 1 }, { a: 1 })).toBeNull();
    expect(diffChanges({ mapping: 'a', voicemailPin: '1', pin_code: '2' }, { mapping: 'b', voicemailPin: '3', pin_code: '4' })).toEqual({
      mapping: { before: 'a', after: 'b' },
      pin_code: { before: '[redacted]', after: '[redacted]' },
      voicemailPin: { before: '[redacted]', after: '[redacted]' },
    });
  });
});

describe('the hash chain', () => {
  let ctx: DomainContext;
  beforeEach(() => {
    ctx = { store: openSqliteStore({ filename: ':memory:' }), baseSipDomain: 'sip.localhost', now: () => new Date() };
  });
  afterEach(() => ctx.store.close());

  const draft = (tenantId: string | null, action: string) => ({ tenantId, action, targetId: 'ten_0000000000', actorKeyId: null, requestId: null });

  it('keeps one chain per tenant and one for the platform, each starting at the genesis hash', () => {
    const a1 = appendAuditEvent(ctx, draft('ten_A000000000', 'x.one'));
    const p1 = appendAuditEvent(ctx, draft(null, 'x.platform'));
    const a2 = appendAuditEvent(ctx, draft('ten_A000000000', 'x.two'));
    const b1 = appendAuditEvent(ctx, draft('ten_B000000000', 'x.one'));
    expect([a1.prevHash, p1.prevHash, b1.prevHash]).toEqual([GENESIS_HASH, GENESIS_HASH, GENESIS_HASH]);
    expect(a2).toMatchObject({ chainSeq: 2, prevHash: a1.hash });
    expect(verifyChain([a1, a2])).toEqual({ ok: true, checked: 2 });
    expect(verifyChain([a2])).toMatchObject({ ok: false, firstBrokenEventId: a2.id, reason: 'previous_event_missing' });
    expect(verifyChain([a1, { ...a2, targetId: 'ten_other0000' }])).toMatchObject({ ok: false, firstBrokenEventId: a2.id, reason: 'hash_mismatch' });
  });

  it('writes nothing when the surrounding mutation fails', () => {
    expect(() =>
      ctx.store.transaction(() => {
        appendAuditEvent(ctx, draft('ten_A000000000', 'x.one'));
        throw new Error('mutation failed');
      }),
    ).toThrow();
    expect(ctx.store.audit.head('ten_A000000000')).toBeUndefined();
  });
});
