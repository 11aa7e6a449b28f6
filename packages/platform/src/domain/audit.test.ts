import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import type { AuditEventRow } from '../store/types';
import { appendAuditEvent, canonicalJson, diffChanges, GENESIS_HASH, keyedEventHash, legacyEventHash, rekeyLegacyAuditChains, verifyChain } from './audit';
import type { DomainContext } from './context';
import { auditKeyFrom } from './audit-key';
import { systemScope } from './system-scope';

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

describe('canonicalJson', () => {
  /** The definition it must match byte for byte: JSON.stringify rebuilding every object with sorted keys. */
  const definition = (value: unknown) =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
    );

  it('writes the same bytes as the definition for plain data and for everything it leaves to it', () => {
    class Point {
      constructor(readonly y: number, readonly x: number) {}
    }
    const values: unknown[] = [
      null, true, false, 0, -0, 1.5, 1e21, -1e-7, NaN, Infinity, '', 'a"b\\c\n\u2028é😀', [], {},
      [1, 'two', null, undefined, () => 1, { b: 1, a: 2 }, [{ z: 1, y: [] }]],
      { b: { d: 1, c: [3, { f: 1, e: 2 }] }, a: undefined, c: () => 1, 'é': 1, 'Z': 2, '': 3, 'a b': 4 },
      { createdAt: { before: null, after: '2026-12-01T00:00:00.000Z' }, ha1: { before: null, after: '[redacted]' } },
      // Left to the definition: index-like keys (enumerated first), toJSON, class instances, boxed values.
      { b: 1, 10: 2, 9: 3, a: 4 }, { when: new Date(0), nested: { toJSON: () => ({ y: 1, x: 2 }) } }, new Point(1, 2),
      { boxed: new String('s'), n: new Number(1) }, Object.assign(Object.create(null), { b: 1, a: 2 }),
      // Flat objects whose keys already come sorted (written in one go) and near misses that are not.
      { displayName: 'Desk "1"', id: 'ext_1', number: '101' }, { a: -0, b: 1e21, c: true, d: null, e: '' }, { a: 1, b: NaN }, { a: 1, b: undefined, c: 2 },
      { a: 1, a0: { b: 1 } }, { b: 1, a: 2 }, { a: 1, 1: 2 }, Object.assign(Object.create(null), { a: 1, b: 2 }), { a: 1n === 1n, b: [] },
      { count: 2, extensions: [{ displayName: 'x', id: 'ext_1', number: '1' }, { id: 'ext_2', displayName: 'y', number: '2' }] },
      // Lists of flat sorted records and primitives (written in one go) and near misses that are not.
      [{ displayName: 'x', id: 'ext_1', number: '1' }, { displayName: 'y\u2028"', id: 'ext_2', number: '2' }], [1, 'a', true, null, -0, { a: 1 }],
      [NaN, 1], [Infinity], [1, undefined], [() => 1], [{ a: 1, b: NaN }], [{ a: 1 }, new Date(0)], [{ a: 1 }, [2]], [{ b: 1, a: 2 }],
      [Object.assign(Object.create(null), { a: 1, b: 2 })], [{ a: 1, 1: 2 }], [{ toJSON: () => 'x' }], [new Point(1, 2)], [{ a: undefined }], [[], {}],
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(definition(value));
    expect(canonicalJson(undefined)).toBe(definition(undefined));
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});

describe('the hash chain', () => {
  let ctx: DomainContext;
  beforeEach(async () => {
    ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  });
  afterEach(() => ctx.store.close());

  const chain = (tenantId: string | null) => (tenantId === null ? null : systemScope('test fixture', tenantId));
  const draft = (tenantId: string | null, action: string) => [chain(tenantId), { action, targetId: 'ten_0000000000', actorKeyId: null, requestId: null }] as const;

  it('keeps one chain per tenant and one for the platform, each starting at the genesis hash', async () => {
    const a1 = await appendAuditEvent(ctx, ...draft('ten_A000000000', 'x.one'));
    const p1 = await appendAuditEvent(ctx, ...draft(null, 'x.platform'));
    const a2 = await appendAuditEvent(ctx, ...draft('ten_A000000000', 'x.two'));
    const b1 = await appendAuditEvent(ctx, ...draft('ten_B000000000', 'x.one'));
    expect([a1.prevHash, p1.prevHash, b1.prevHash]).toEqual([GENESIS_HASH, GENESIS_HASH, GENESIS_HASH]);
    expect(a2).toMatchObject({ chainSeq: 2, prevHash: a1.hash });
    expect(verifyChain(ctx.auditKey, [a1, a2])).toEqual({ ok: true, checked: 2 });
    expect(verifyChain(ctx.auditKey, [a2])).toMatchObject({ ok: false, firstBrokenEventId: a2.id, reason: 'previous_event_missing' });
    expect(verifyChain(ctx.auditKey, [a1, { ...a2, targetId: 'ten_other0000' }])).toMatchObject({ ok: false, firstBrokenEventId: a2.id, reason: 'hash_mismatch' });
  });

  it('writes nothing when the surrounding mutation fails', async () => {
    await expect(ctx.store.transaction(async () => {
        await appendAuditEvent(ctx, ...draft('ten_A000000000', 'x.one'));
        throw new Error('mutation failed');
      })).rejects.toThrow();
    expect((await ctx.store.audit.head(chain('ten_A000000000')))).toBeUndefined();
  });

  const chainOf = (tenantId: string | null) => ctx.store.audit.chainAfter(chain(tenantId), 0, 1000);

  /** What someone with write access to the database but not the key does: edit one event, then recompute every later hash. */
  function rewriteAndRechain(events: AuditEventRow[], index: number, hashOf: (e: AuditEventRow) => string): AuditEventRow[] {
    const out = events.map((e) => ({ ...e }));
    out[index]!.targetId = 'ten_forged000000';
    for (let i = index; i < out.length; i++) {
      out[i]!.prevHash = i === 0 ? GENESIS_HASH : out[i - 1]!.hash!;
      out[i]!.hash = hashOf(out[i]!);
    }
    return out;
  }

  it('keys every hash: a rewritten event re-chained without the key is found, whatever algorithm was used', async () => {
    for (let i = 0; i < 5; i++) await appendAuditEvent(ctx, ...draft('ten_A000000000', `x.${i}`));
    const events = await chainOf('ten_A000000000');
    expect(events.every((e) => e.hash!.startsWith(`hmac-sha256:${ctx.auditKey.id}:`))).toBe(true);
    expect(verifyChain(ctx.auditKey, events)).toEqual({ ok: true, checked: 5 });

    // The old unkeyed algorithm: every link consistent, and still the edited event is named.
    expect(verifyChain(ctx.auditKey, rewriteAndRechain(events, 2, legacyEventHash))).toEqual({ ok: false, checked: 2, firstBrokenEventId: events[2]!.id, reason: 'hash_mismatch' });
    // The keyed algorithm with a guessed key, under its own id or under the real key's id.
    const guess = auditKeyFrom('a guessed audit key of 32 bytes or more');
    expect(verifyChain(ctx.auditKey, rewriteAndRechain(events, 2, (e) => keyedEventHash(guess, e)))).toMatchObject({ firstBrokenEventId: events[2]!.id, reason: 'unknown_key' });
    const posing = { ...guess, id: ctx.auditKey.id };
    expect(verifyChain(ctx.auditKey, rewriteAndRechain(events, 2, (e) => keyedEventHash(posing, e)))).toMatchObject({ firstBrokenEventId: events[2]!.id, reason: 'hash_mismatch' });
  });

  it('names the key it was verified with: a platform started with another key reports unknown_key, not tampering', async () => {
    await appendAuditEvent(ctx, ...draft(null, 'x.one'));
    expect(verifyChain(auditKeyFrom('some other key, also 32 bytes long'), (await chainOf(null)))).toMatchObject({ ok: false, checked: 0, reason: 'unknown_key' });
  });

  /** A chain as the unkeyed format wrote it before this release. */
  async function legacyChain(tenantId: string, n: number): Promise<AuditEventRow[]> {
    let prev = GENESIS_HASH;
    const rows: AuditEventRow[] = [];
    for (let i = 1; i <= n; i++) {
      const row: AuditEventRow = { id: `evt_${tenantId}${String(i).padStart(4, '0')}`, occurredAt: new Date(0).toISOString(), actorKeyId: null, tenantId, action: `x.${i}`, targetId: 'ten_0', requestId: null, chainSeq: i, prevHash: prev };
      row.hash = legacyEventHash(row);
      prev = row.hash;
      await ctx.store.audit.record(chain(tenantId), row);
      rows.push(row);
    }
    return rows;
  }

  it('re-keys the chains written before the key once, at the first start with a key, and never again', async () => {
    await legacyChain('ten_L1', 4);
    await legacyChain('ten_L2', 3);
    expect((await rekeyLegacyAuditChains(ctx))).toBe(7);
    expect(verifyChain(ctx.auditKey, (await chainOf('ten_L1')))).toEqual({ ok: true, checked: 4 });
    expect(verifyChain(ctx.auditKey, (await chainOf('ten_L2')))).toEqual({ ok: true, checked: 3 });
    await appendAuditEvent(ctx, ...draft('ten_L1', 'x.after'));
    expect(verifyChain(ctx.auditKey, (await chainOf('ten_L1')))).toEqual({ ok: true, checked: 5 });

    // Rows written later in the old format (an attacker's re-chain) are not laundered by a restart.
    await legacyChain('ten_L3', 2);
    expect((await rekeyLegacyAuditChains(ctx))).toBe(0);
    expect(verifyChain(ctx.auditKey, (await chainOf('ten_L3')))).toMatchObject({ ok: false, checked: 0, reason: 'hash_mismatch' });
  });

  it('re-keys a legacy chain only up to an event altered before the upgrade, so verify still names that event', async () => {
    const rows = await legacyChain('ten_T1', 5);
    await ctx.store.audit.rehash(chain('ten_T1'), rows[2]!.id, rows[2]!.prevHash!, 'f'.repeat(64));
    expect((await rekeyLegacyAuditChains(ctx))).toBe(2);
    expect(verifyChain(ctx.auditKey, (await chainOf('ten_T1')))).toEqual({ ok: false, checked: 2, firstBrokenEventId: rows[2]!.id, reason: 'hash_mismatch' });
  });
});
