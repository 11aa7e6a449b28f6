import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { openSqliteStore } from './sqlite';
import type { Store, TenantRow } from './types';

let store: Store;
const now = () => new Date().toISOString();

function tenant(slug: string): TenantRow {
  return store.tenants.insert({ id: newId('ten'), resellerId: null, name: slug, slug, status: 'active', limits: { extensions: 10, channels: 2, messagesPerMinute: 60, storageBytes: 1024, dialRules: 10, ringGroups: 10, trunks: 10, openPortOrders: 20 }, createdAt: now(), updatedAt: now() });
}

function extension(tenantId: string, number: string) {
  return store.tenant(tenantId).extensions.insert({ id: newId('ext'), number, displayName: `Ext ${number}`, ha1: 'x'.repeat(32), createdAt: now(), updatedAt: now() });
}

beforeEach(() => {
  store = openSqliteStore({ filename: ':memory:' });
});
afterEach(() => store.close());

describe('tenant scopes', () => {
  it('let two tenants own the same number and keep them apart', () => {
    const a = tenant('acme');
    const b = tenant('globex');
    const a101 = extension(a.id, '101');
    const b101 = extension(b.id, '101');

    expect(store.tenant(a.id).extensions.getByNumber('101')?.id).toBe(a101.id);
    expect(store.tenant(b.id).extensions.getByNumber('101')?.id).toBe(b101.id);
    expect(store.tenant(a.id).extensions.list({ limit: 10 }).items.map((e) => e.id)).toEqual([a101.id]);
  });

  it('never return, change or delete another tenant\'s row by its id', () => {
    const a = tenant('acme');
    const b = tenant('globex');
    const b101 = extension(b.id, '101');
    const scopeA = store.tenant(a.id);

    expect(scopeA.extensions.get(b101.id)).toBeUndefined();
    expect(scopeA.extensions.update(b101.id, { displayName: 'hijacked' })).toBeUndefined();
    expect(scopeA.extensions.delete(b101.id)).toBe(false);
    expect(store.tenant(b.id).extensions.get(b101.id)?.displayName).toBe('Ext 101');
  });

  it('enforce one number per tenant in the schema itself', () => {
    const a = tenant('acme');
    extension(a.id, '101');
    expect(() => extension(a.id, '101')).toThrow(/UNIQUE/);
  });

  it('count only their own tenant', () => {
    const a = tenant('acme');
    const b = tenant('globex');
    extension(a.id, '101');
    extension(b.id, '101');
    extension(b.id, '102');
    expect(store.tenant(a.id).extensions.count()).toBe(1);
  });
});

describe('pagination', () => {
  it('walks every row once, in id order, with an exclusive cursor', () => {
    const a = tenant('acme');
    const made = ['101', '102', '103', '104', '105'].map((n) => extension(a.id, n).id);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = store.tenant(a.id).extensions.list({ limit: 2, after });
      seen.push(...page.items.map((e) => e.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(made);
  });

  it('filters tenants to one id or one reseller', () => {
    const a = tenant('acme');
    tenant('globex');
    expect(store.tenants.list({ limit: 10 }, { id: a.id }).items.map((t) => t.slug)).toEqual(['acme']);
    expect(store.tenants.list({ limit: 10 }, { resellerId: 'res_none00000000' }).items).toEqual([]);
    expect(store.tenants.list({ limit: 10 }).items).toHaveLength(2);
  });
});

describe('transactions', () => {
  it('roll back every write when the function throws', () => {
    expect(() =>
      store.transaction(() => {
        tenant('acme');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.tenants.getBySlug('acme')).toBeUndefined();
  });
});

describe('settings', () => {
  it('keep the first value written', () => {
    expect(store.settings.getOrInsert('k', 'first')).toBe('first');
    expect(store.settings.getOrInsert('k', 'second')).toBe('first');
  });
});
