import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from '../store/kysely/index';
import type { UsageHour } from '../store/types';
import { auditKeyFrom } from './audit-key';
import type { DomainContext } from './context';
import type { Actor } from './principal';
import { systemScope } from './system-scope';
import { createTenant } from './tenants';
import { UsageCounter } from './usage-counter';

let ctx: DomainContext;
let tenantId: string;
let now: number;
const provider = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: null } as unknown as Actor;
const T0 = Date.parse('2026-10-25T00:59:00.000Z');
const hours = (): Promise<UsageHour[]> => ctx.store.tenant(systemScope('test fixture', tenantId)).usage.hourly('2026-10-24T00:00:00.000Z', '2026-10-27T00:00:00.000Z');
const counter = (options: ConstructorParameters<typeof UsageCounter>[1] = {}) => new UsageCounter((rows) => ctx.store.usageRollups.add(rows), { now: () => now, ...options });

beforeEach(async () => {
  ctx = { store: await openKyselyStore({ sqlite: { filename: ':memory:' } }), baseSipDomain: 'sip.localhost', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date() };
  tenantId = (await createTenant(ctx, provider, { name: 'Acme', slug: 'acme' })).tenant.id;
  now = T0;
});
afterEach(() => ctx.store.close());

describe('UsageCounter', () => {
  it('writes nothing until a flush, then the counts of each UTC hour they happened in, adding to what is stored', async () => {
    const usage = counter();
    usage.message(tenantId);
    usage.refused(tenantId, 'messages');
    usage.registrations(tenantId, 0, 2);
    expect(await hours()).toEqual([]);
    now += 2 * 60_000; // the next hour: 01:01Z
    usage.message(tenantId);
    usage.refused(tenantId, 'extensions');
    usage.storage(tenantId, 500, 300);
    await usage.flush();
    usage.message(tenantId);
    usage.registrations(tenantId, 1, 1);
    await usage.close();
    expect(await hours()).toEqual([
      { hour: '2026-10-25T00:00:00.000Z', messages: 1, refusedMessages: 1, refusedExtensions: 0, refusedStorage: 0, peakRegistrations: 2, peakStorageBytes: 0 },
      // The second flush added one message; the peaks kept the larger value (the level before a step counts).
      { hour: '2026-10-25T01:00:00.000Z', messages: 2, refusedMessages: 0, refusedExtensions: 1, refusedStorage: 0, peakRegistrations: 1, peakStorageBytes: 500 },
    ]);
  });

  it('samples live registrations at each flush and stored bytes once per hour, so a quiet hour keeps its level', async () => {
    let reads = 0;
    const usage = counter({ liveRegistrations: () => [[tenantId, 3]], storedBytes: async () => (reads++, [{ tenantId, bytes: 4096 }]) });
    await usage.flush();
    await usage.flush();
    now += 60 * 60_000;
    await usage.flush();
    expect(reads).toBe(2);
    expect((await hours()).map((h) => [h.hour, h.peakRegistrations, h.peakStorageBytes])).toEqual([
      ['2026-10-25T00:00:00.000Z', 3, 4096],
      ['2026-10-25T01:00:00.000Z', 3, 4096],
    ]);
  });

  it('loses only the figures of a tenant gone meanwhile, not the rest of the batch', async () => {
    const lines: string[] = [];
    const usage = counter({ log: (line) => lines.push(line) });
    usage.message('ten_doesnotexist000000');
    usage.message(tenantId);
    await usage.close();
    expect((await hours()).map((h) => h.messages)).toEqual([1]);
    expect(lines).toEqual([expect.stringContaining('usage: figures of ten_doesnotexist000000')]);
  });
});
