import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import { auditKeyFrom } from './audit-key';
import { CallRecordWriter, CallRecordWriterClosed } from './call-record-writer';
import { storeCallRecords } from './calls';
import type { DomainContext } from './context';
import type { Actor } from './principal';
import type { SipCallRecord } from './sip-directory-contract';
import { systemScope } from './system-scope';
import { createTenant } from './tenants';

let ctx: DomainContext;
let tenantId: string;
/** Every transaction the writer ran, by its record count (the real store write, counted). */
let batches: number[];
const provider = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null } as unknown as Actor;
const store = (records: readonly SipCallRecord[]) => {
  batches.push(records.length);
  return storeCallRecords(ctx, records);
};

let seq = 0;
const record = (over: Partial<SipCallRecord> = {}): SipCallRecord => {
  const at = new Date(Date.UTC(2026, 10, 28, 10, 0, ++seq % 60));
  return { tenantId, callId: `w-${seq}`, from: '101', to: '102', direction: 'internal', startedAt: at, answeredAt: undefined, endedAt: at, disposition: 'busy', sipStatus: 486, ...over };
};
const stored = async () => (await ctx.store.tenant(systemScope('test fixture', tenantId)).calls.list({ limit: 1000 })).items.map((c) => c.callId).sort();
const ids = (records: readonly SipCallRecord[]) => records.map((r) => r.callId).sort();

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  tenantId = (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id;
  batches = [];
});
afterEach(() => ctx.store.close());

describe('CallRecordWriter', () => {
  it('writes the records handed in during one turn in one transaction, and resolves once they are stored', async () => {
    const writer = new CallRecordWriter(store);
    const a = [record(), record()];
    const b = [record()];
    const written = Promise.all([writer.write(a), writer.write(b)]);
    expect(writer.queued).toBe(3);
    await written;
    expect(batches).toEqual([3]);
    expect(await stored()).toEqual(ids([...a, ...b]));
  });

  it('puts what arrives after a transaction started into the next one', async () => {
    const writer = new CallRecordWriter(store);
    const first = writer.write([record()]);
    // Runs once the first transaction has started (its batch is out of the queue).
    await new Promise((resolve) => setImmediate(resolve));
    const later = [record(), record(), record()];
    await Promise.all([first, ...later.map((r) => writer.write([r]))]);
    expect(batches).toEqual([1, 3]);
  });

  it('makes a writer wait for room when the queue is full, and never holds more than its bound', async () => {
    const writer = new CallRecordWriter(store, { maxQueued: 4, maxBatch: 4 });
    const all = Array.from({ length: 12 }, () => record());
    const seen: number[] = [];
    const writes = all.map((r) => writer.write([r]).then(() => seen.push(writer.queued)));
    expect(writer.queued).toBe(4);
    await Promise.all(writes);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.reduce((s, n) => s + n, 0)).toBe(12);
    expect(Math.max(...seen)).toBeLessThanOrEqual(4);
    expect(await stored()).toEqual(ids(all));
  });

  it('flushes on demand and on close, waiting writes included, and refuses writes after close', async () => {
    const writer = new CallRecordWriter(store, { maxQueued: 2 });
    const all = Array.from({ length: 5 }, () => record());
    const writes = all.map((r) => writer.write([r]));
    await writer.flush();
    expect(await stored()).toEqual(ids(all));
    await Promise.all(writes);

    const last = [record(), record(), record()];
    const pending = last.map((r) => writer.write([r]));
    await writer.close();
    expect(await stored()).toEqual(ids([...all, ...last]));
    await Promise.all(pending);
    await expect(writer.write([record()])).rejects.toThrow(CallRecordWriterClosed);
  });

  it('fails only the bad record of a batch (a tenant gone) and logs it', async () => {
    const lines: string[] = [];
    const writer = new CallRecordWriter(store, { log: (line) => lines.push(line) });
    const good = [record(), record()];
    const bad = record({ tenantId: 'ten_gone', callId: 'w-gone' });
    const [okA, failed, okB] = await Promise.allSettled([writer.write([good[0]!]), writer.write([bad]), writer.write([good[1]!])]);
    expect([okA.status, failed.status, okB.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored()).toEqual(ids(good));
    expect(lines).toEqual([expect.stringContaining('call record w-gone of ten_gone not stored')]);
  });

  it('never joins the transaction of the code that handed a record in', async () => {
    const writer = new CallRecordWriter(store);
    let handed: Promise<void> | undefined;
    await expect(
      ctx.store.transaction(async () => {
        handed = writer.write([record({ callId: 'w-outside' })]);
        throw new Error('the caller rolls back');
      }),
    ).rejects.toThrow('rolls back');
    await handed;
    expect(await stored()).toEqual(['w-outside']);
  });
});
