import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { openKyselyStore } from './kysely/index';
import type { Store, TenantRow } from './types';
import { systemScope } from '../domain/system-scope';

let store: Store;
const now = () => new Date().toISOString();

async function tenant(slug: string): Promise<TenantRow> {
  return store.tenants.insert({ id: newId('ten'), resellerId: null, name: slug, slug, status: 'active', limits: { extensions: 10, channels: 2, messagesPerMinute: 60, storageBytes: 1024, dialRules: 10, ringGroups: 10, trunks: 10, openPortOrders: 20 }, createdAt: now(), updatedAt: now() });
}

async function extension(tenantId: string, number: string) {
  return store.tenant(systemScope('test fixture', tenantId)).extensions.insert({ id: newId('ext'), number, displayName: `Ext ${number}`, ha1: 'x'.repeat(32), createdAt: now(), updatedAt: now() });
}

beforeEach(async () => {
  store = (await openKyselyStore({ sqlite: { filename: ':memory:' } }));
});
afterEach(() => store.close());

describe('tenant scopes', () => {
  it('let two tenants own the same number and keep them apart', async () => {
    const a = await tenant('acme');
    const b = await tenant('globex');
    const a101 = await extension(a.id, '101');
    const b101 = await extension(b.id, '101');

    expect((await store.tenant(systemScope('test fixture', a.id)).extensions.getByNumber('101'))?.id).toBe(a101.id);
    expect((await store.tenant(systemScope('test fixture', b.id)).extensions.getByNumber('101'))?.id).toBe(b101.id);
    expect((await store.tenant(systemScope('test fixture', a.id)).extensions.list({ limit: 10 })).items.map((e) => e.id)).toEqual([a101.id]);
  });

  it('never return, change or delete another tenant\'s row by its id', async () => {
    const a = await tenant('acme');
    const b = await tenant('globex');
    const b101 = await extension(b.id, '101');
    const scopeA = store.tenant(systemScope('test fixture', a.id));

    expect((await scopeA.extensions.get(b101.id))).toBeUndefined();
    expect((await scopeA.extensions.update(b101.id, { displayName: 'hijacked' }))).toBeUndefined();
    expect((await scopeA.extensions.delete(b101.id))).toBe(false);
    expect((await store.tenant(systemScope('test fixture', b.id)).extensions.get(b101.id))?.displayName).toBe('Ext 101');
  });

  it('enforce one number per tenant in the schema itself', async () => {
    const a = await tenant('acme');
    await extension(a.id, '101');
    await expect(extension(a.id, '101')).rejects.toThrow(/UNIQUE/);
  });

  it('count only their own tenant', async () => {
    const a = await tenant('acme');
    const b = await tenant('globex');
    await extension(a.id, '101');
    await extension(b.id, '101');
    await extension(b.id, '102');
    expect((await store.tenant(systemScope('test fixture', a.id)).extensions.count())).toBe(1);
  });
});

describe('pagination', () => {
  it('walks every row once, in id order, with an exclusive cursor', async () => {
    const a = await tenant('acme');
    const made: string[] = [];
    for (const n of ['101', '102', '103', '104', '105']) made.push((await extension(a.id, n)).id);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.tenant(systemScope('test fixture', a.id)).extensions.list({ limit: 2, after });
      seen.push(...page.items.map((e) => e.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(made);
  });

  it('filters tenants to one id or one reseller', async () => {
    const a = await tenant('acme');
    await tenant('globex');
    expect((await store.tenants.list({ limit: 10 }, { id: a.id })).items.map((t) => t.slug)).toEqual(['acme']);
    expect((await store.tenants.list({ limit: 10 }, { resellerId: 'res_none00000000' })).items).toEqual([]);
    expect((await store.tenants.list({ limit: 10 })).items).toHaveLength(2);
  });
});

describe('transactions', () => {
  it('roll back every write when the function throws', async () => {
    await expect(store.transaction(async () => {
        await tenant('acme');
        throw new Error('boom');
      })).rejects.toThrow('boom');
    expect((await store.tenants.getBySlug('acme'))).toBeUndefined();
  });
});

describe('settings', () => {
  it('keep the first value written', async () => {
    expect((await store.settings.getOrInsert('k', 'first'))).toBe('first');
    expect((await store.settings.getOrInsert('k', 'second'))).toBe('first');
  });
});
