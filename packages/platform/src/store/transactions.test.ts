// Transactions of the async store on its one SQLite connection: what two requests interleaving
// their awaits would see. Real store on a temporary file, nothing mocked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKyselyStore } from './kysely/index';
import type { DirectoryChange, Store } from './types';
import { systemScope } from '../domain/system-scope';

let dir: string;
let store: Store;
const tick = () => new Promise((resolve) => setImmediate(resolve));
const at = '2026-12-01T00:00:00.000Z';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hr-transactions-'));
  store = (await openKyselyStore({ sqlite: { dataDir: dir } }));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store.transaction', () => {
  it('runs concurrent transactions one after the other: no lost update, no interleaved writes', async () => {
    const order: string[] = [];
    const run = (name: string) =>
      store.transaction(async () => {
        order.push(`${name}:begin`);
        await tick();
        await tick();
        order.push(`${name}:end`);
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
  });

  it('keeps a concurrent read-modify-write from reading a value another transaction is about to replace', async () => {
    // Two requests creating "the next" reseller from a count: interleaved, both would read 0 and
    // the second insert would clash; serialised, they read 0 and 1.
    const next = () =>
      store.transaction(async () => {
        const { items } = await store.resellers.list({ limit: 100 });
        await tick();
        return store.resellers.insert({ id: `res_${String(items.length).padStart(26, '0')}`, name: `r${items.length}`, status: 'active', createdAt: at, updatedAt: at });
      });
    const made = await Promise.all([next(), next(), next()]);
    expect(made.map((r) => r.name)).toEqual(['r0', 'r1', 'r2']);
  });

  it('keeps statements outside the transaction out of it: they wait, and do not see uncommitted rows', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const open = store.transaction(async () => {
      await store.resellers.insert({ id: 'res_0000000000000000000000000A', name: 'pending', status: 'active', createdAt: at, updatedAt: at });
      await held;
      throw new Error('rolled back');
    });
    await tick();
    // Another request's read, and its write, while the transaction is open.
    const read = store.resellers.get('res_0000000000000000000000000A');
    const write = store.settings.getOrInsert('outside', 'kept');
    release();
    await expect(open).rejects.toThrow('rolled back');
    expect(await read).toBeUndefined();
    // The outside write was not part of the rolled-back transaction.
    expect(await write).toBe('kept');
    expect(await store.settings.get('outside')).toBe('kept');
  });

  it('joins a nested transaction to the outer one, however deep the awaits: both commit or neither', async () => {
    await expect(
      store.transaction(async () => {
        await store.resellers.insert({ id: 'res_0000000000000000000000000B', name: 'outer', status: 'active', createdAt: at, updatedAt: at });
        await tick();
        await store.transaction(async () => {
          await tick();
          await store.resellers.insert({ id: 'res_0000000000000000000000000C', name: 'inner', status: 'active', createdAt: at, updatedAt: at });
        });
        // The inner "commit" did not commit: it is the outer transaction's.
        throw new Error('outer fails after the inner finished');
      }),
    ).rejects.toThrow('outer fails');
    expect(await store.resellers.get('res_0000000000000000000000000B')).toBeUndefined();
    expect(await store.resellers.get('res_0000000000000000000000000C')).toBeUndefined();

    await store.transaction(async () => {
      await store.transaction(() => store.resellers.insert({ id: 'res_0000000000000000000000000D', name: 'inner', status: 'active', createdAt: at, updatedAt: at }));
      await store.resellers.insert({ id: 'res_0000000000000000000000000E', name: 'outer', status: 'active', createdAt: at, updatedAt: at });
    });
    expect((await store.resellers.list({ limit: 10 })).items.map((r) => r.name)).toEqual(['inner', 'outer']);
  });

  it('rolls back every write when the function throws, and the connection serves the next caller', async () => {
    await expect(
      store.transaction(async () => {
        await store.settings.getOrInsert('doomed', 'x');
        await tick();
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(await store.settings.get('doomed')).toBeUndefined();
    // A failing statement (a primary-key clash) rolls back the writes before it as well.
    await store.resellers.insert({ id: 'res_0000000000000000000000000F', name: 'one', status: 'active', createdAt: at, updatedAt: at });
    await expect(
      store.transaction(async () => {
        await store.settings.getOrInsert('also-doomed', 'x');
        await store.resellers.insert({ id: 'res_0000000000000000000000000F', name: 'clash', status: 'active', createdAt: at, updatedAt: at });
      }),
    ).rejects.toThrow(/UNIQUE|PRIMARY/);
    expect(await store.settings.get('also-doomed')).toBeUndefined();
    expect(await store.transaction(async () => store.settings.getOrInsert('after', 'fine'))).toBe('fine');
  });

  it('tells directory listeners of a change only once it is committed, and before the transaction resolves', async () => {
    const told: DirectoryChange[][] = [];
    const stop = store.onDirectoryChange(async (changes) => {
      await tick();
      told.push([...changes]);
    });
    const tenant = { id: 'ten_0000000000000000000000000A', resellerId: null, name: 'acme', slug: 'acme', status: 'active' as const, limits: { extensions: 10, channels: 2, messagesPerMinute: 60, storageBytes: 1024, dialRules: 10, ringGroups: 10, trunks: 10, openPortOrders: 20 }, createdAt: at, updatedAt: at };
    await store.transaction(async () => {
      await store.tenants.insert(tenant);
      await store.tenant(systemScope('test fixture', tenant.id)).extensions.insert({ id: 'ext_0000000000000000000000000A', number: '101', displayName: '101', ha1: 'x'.repeat(32), createdAt: at, updatedAt: at });
      expect(told).toEqual([]);
    });
    // One change per tenant: the tenant's own row changed, which covers its extension written alongside.
    expect(told).toEqual([[{ kind: 'tenant', tenantId: tenant.id }]]);

    told.length = 0;
    await expect(
      store.transaction(async () => {
        await store.tenant(systemScope('test fixture', tenant.id)).extensions.delete('ext_0000000000000000000000000A');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow();
    expect(told).toEqual([]);
    // A write outside any transaction is told before its own promise resolves.
    await store.tenant(systemScope('test fixture', tenant.id)).extensions.delete('ext_0000000000000000000000000A');
    expect(told).toEqual([[{ kind: 'extension', tenantId: tenant.id, extensionId: 'ext_0000000000000000000000000A' }]]);
    stop();
  });
});
