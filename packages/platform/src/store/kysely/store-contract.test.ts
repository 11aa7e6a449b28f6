/**
 * The store contract: the same cases against the Kysely store on SQLite and on PostgreSQL. Each
 * case makes its own tenants, so the cases share one database per run.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../ids';
import type { DirectoryChange } from '../async-types';
import type { TenantRow } from '../types';
import type { DeletedTenantState } from '../lifecycle-types';
import { openKyselyStore, type KyselyStore } from './store';
import { sql } from 'kysely';
import { connect } from '../db/connect';
import { createPostgresDatabase, testDatabases, type TestDatabase } from './testing';
import { systemScope } from '../../domain/system-scope';

/** A tenant's chain (the platform's for null), as a test reaches it. */
const sc = (tenantId: string | null) => (tenantId === null ? null : systemScope('test fixture', tenantId));

const T0 = '2026-12-01T00:00:00.000Z';
const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();
const LIMITS: TenantRow['limits'] = { extensions: 10, channels: 2, messagesPerMinute: 600, storageBytes: 5_000_000_000, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 };
const page = (limit = 50, after?: string) => ({ limit, after });
/** A time-ordered id with any prefix (the store takes ids as given; cursors rely on their order). */
const uid = (prefix: string) => `${prefix}${newId('ten').slice('ten'.length)}`;

describe.each(testDatabases)('store contract on $name', ({ name, create }) => {
  let database: TestDatabase;
  let store: KyselyStore;

  beforeAll(async () => {
    database = await create();
    store = await openKyselyStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  async function tenant(resellerId: string | null = null): Promise<TenantRow> {
    const id = uid('ten');
    return store.tenants.insert({ id, resellerId, name: `Tenant ${id}`, slug: id.toLowerCase(), status: 'active', limits: LIMITS, createdAt: T0, updatedAt: T0 });
  }
  const extension = (tenantId: string, number: string) =>
    store.tenant(systemScope('test fixture', tenantId)).extensions.insert({ id: uid('ext'), number, displayName: `Ext ${number}`, ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 });
  const reseller = () => store.resellers.insert({ id: uid('res'), name: 'R', status: 'active', createdAt: T0, updatedAt: T0 });

  describe('platform collections', () => {
    it('keeps resellers and tenants, with every limit and a limit past 32 bits', async () => {
      const r = await reseller();
      expect(await store.resellers.get(r.id)).toEqual(r);
      expect((await store.resellers.update(r.id, { status: 'suspended', updatedAt: at(1) }))?.status).toBe('suspended');
      expect((await store.resellers.list(page(1000))).items.map((x) => x.id)).toContain(r.id);

      const t = await tenant(r.id);
      expect(await store.tenants.get(t.id)).toEqual(t);
      expect(await store.tenants.getBySlug(t.slug)).toEqual(t);
      expect((await store.tenants.list(page(), { resellerId: r.id })).items).toEqual([t]);
      expect((await store.tenants.list(page(), { id: t.id })).items).toEqual([t]);
      const updated = await store.tenants.update(t.id, { name: 'New', limits: { ...LIMITS, channels: 9, storageBytes: 6_000_000_000 }, updatedAt: at(2) });
      expect(updated).toMatchObject({ name: 'New', limits: { channels: 9, storageBytes: 6_000_000_000 }, updatedAt: at(2) });
      expect(await store.tenants.get('ten_missing')).toBeUndefined();
      await expect(store.tenants.insert({ ...t, id: uid('ten') })).rejects.toThrow();
    });

    it('pages by id with a cursor', async () => {
      const r = await reseller();
      const made = [await tenant(r.id), await tenant(r.id), await tenant(r.id)];
      const first = await store.tenants.list(page(2), { resellerId: r.id });
      expect(first.items.map((x) => x.id)).toEqual(made.slice(0, 2).map((x) => x.id));
      expect(first.next).toBe(made[1]?.id);
      const second = await store.tenants.list(page(2, first.next ?? undefined), { resellerId: r.id });
      expect(second).toEqual({ items: [made[2]], next: null });
    });

    it('inserts a setting only once', async () => {
      const key = uid('set');
      expect(await store.settings.get(key)).toBeUndefined();
      expect(await store.settings.getOrInsert(key, 'first')).toBe('first');
      expect(await store.settings.getOrInsert(key, 'second')).toBe('first');
      expect(await store.settings.get(key)).toBe('first');
    });

    it('finds keys by current and previous secret, lists them per owner, counts and revokes', async () => {
      const r = await reseller();
      const role = `rol_${uid('x')}`;
      const provider = await store.apiKeys.insert({ id: uid('key'), secretHash: uid('h'), principal: 'provider', resellerId: null, name: 'p', createdAt: T0, lastUsedAt: null, roleId: role });
      const resellerKey = await store.apiKeys.insert({ id: uid('key'), secretHash: uid('h'), principal: 'reseller', resellerId: r.id, name: 'r', createdAt: T0, lastUsedAt: null });
      expect(resellerKey.roleId).toBeNull();
      expect(await store.apiKeys.getBySecretHashAnyTenant(provider.secretHash)).toEqual(provider);
      const previous = provider.secretHash;
      await store.apiKeys.update(provider.id, { secretHash: uid('h'), previousSecretHash: previous, previousExpiresAt: at(5) });
      expect((await store.apiKeys.getBySecretHashAnyTenant(previous))?.id).toBe(provider.id);
      expect(await store.apiKeys.countByPrincipal('provider')).toBeGreaterThanOrEqual(1);
      expect(await store.apiKeys.countByRole(null, role)).toBe(1);
      await store.apiKeys.touch(null, provider.id, at(3));
      expect((await store.apiKeys.get(provider.id, 'provider'))?.lastUsedAt).toBe(at(3));
      // A reseller sees its own keys only, never the provider's; the provider sees both.
      expect(await store.apiKeys.get(provider.id, { resellerId: r.id })).toBeUndefined();
      expect(await store.apiKeys.get(resellerKey.id, { resellerId: r.id })).toEqual(resellerKey);
      expect(await store.apiKeys.get(resellerKey.id, 'provider')).toEqual(resellerKey);
      expect((await store.apiKeys.list(page(), { resellerId: r.id })).items.map((k) => k.id)).toEqual([resellerKey.id]);
      expect((await store.apiKeys.list(page(1000), 'provider')).items.map((k) => k.id)).toContain(provider.id);
      await store.apiKeys.update(provider.id, { revokedAt: at(4) });
      expect(await store.apiKeys.get(provider.id, 'provider')).toBeUndefined();
      expect(await store.apiKeys.countByRole(null, role)).toBe(0);
      expect((await store.apiKeys.list(page(1000), 'provider')).items.map((k) => k.id)).not.toContain(provider.id);
    });

    it("reaches a tenant's key only through that tenant's scope: another scope or the platform's null touches and counts nothing", async () => {
      const [a, b] = [await tenant(), await tenant()];
      const role = `rol_${uid('x')}`;
      const key = await store.tenant(sc(a.id)!).apiKeys.insert({ id: uid('key'), secretHash: uid('h'), name: 'k', createdAt: T0, lastUsedAt: null, roleId: role });
      await store.apiKeys.touch(sc(b.id), key.id, at(1));
      await store.apiKeys.touch(null, key.id, at(2));
      expect((await store.tenant(sc(a.id)!).apiKeys.get(key.id))?.lastUsedAt).toBeNull();
      expect(await store.apiKeys.countByRole(sc(b.id), role)).toBe(0);
      expect(await store.apiKeys.countByRole(null, role)).toBe(0);
      expect(await store.apiKeys.countByRole(sc(a.id), role)).toBe(1);
      await store.apiKeys.touch(sc(a.id), key.id, at(3));
      expect((await store.tenant(sc(a.id)!).apiKeys.get(key.id))?.lastUsedAt).toBe(at(3));
      // A tenant id where a scope belongs (a JavaScript caller, an `as never`) is refused before any query.
      const forged = { tenantId: a.id } as never;
      await expect(store.apiKeys.touch(forged, key.id, at(4))).rejects.toThrow(TypeError);
      await expect(store.audit.head(forged)).rejects.toThrow(TypeError);
      await expect(store.webhooks.subscribers(forged)).rejects.toThrow(TypeError);
      await expect(store.lifecycle.purge(forged, at(4))).rejects.toThrow(TypeError);
      await expect(store.leases.lockTenant(forged)).rejects.toThrow(TypeError);
    });

    it('claims an idempotency key once, completes, releases and purges', async () => {
      const t = await tenant();
      const key = await store.tenant(systemScope('test fixture', t.id)).apiKeys.insert({ id: uid('key'), secretHash: uid('h'), name: 'k', createdAt: T0, lastUsedAt: null });
      const claim = { apiKeyId: key.id, idempotencyKey: 'k1', requestHash: 'h', createdAt: at(0) };
      expect(await store.idempotency.claim(claim)).toBe(true);
      expect(await store.idempotency.claim(claim)).toBe(false);
      await store.idempotency.complete(key.id, 'k1', 201, '{"ok":true}');
      expect(await store.idempotency.get(key.id, 'k1')).toEqual({ ...claim, state: 'done', responseStatus: 201, responseBody: '{"ok":true}' });
      await store.idempotency.release(key.id, 'k1');
      expect(await store.idempotency.get(key.id, 'k1')).toBeUndefined();
      await store.idempotency.claim({ ...claim, idempotencyKey: 'old', createdAt: '2000-01-01T00:00:00.000Z' });
      expect(await store.idempotency.purgeCreatedBefore('2000-01-02T00:00:00.000Z')).toBeGreaterThanOrEqual(1);
      expect(await store.idempotency.get(key.id, 'old')).toBeUndefined();
    });

    it('locks an idempotency key for one transaction at a time, refusing without waiting on PostgreSQL', async () => {
      const t = await tenant();
      const key = await store.tenant(systemScope('test fixture', t.id)).apiKeys.insert({ id: uid('key'), secretHash: uid('h'), name: 'k', createdAt: T0, lastUsedAt: null });
      let release!: () => void;
      const holding = new Promise<void>((resolve) => (release = resolve));
      let locked!: (held: boolean) => void;
      const firstLocked = new Promise<boolean>((resolve) => (locked = resolve));
      const first = store.transaction(async () => {
        locked(await store.idempotency.tryLock(key.id, 'k1'));
        await holding;
      });
      expect(await firstLocked).toBe(true);
      // SQLite runs one transaction at a time: a second would wait for the first, never overlap it.
      if (name === 'postgres') {
        expect(await store.transaction(() => store.idempotency.tryLock(key.id, 'k1'))).toBe(false);
        expect(await store.transaction(() => store.idempotency.tryLock(key.id, 'k2'))).toBe(true);
      }
      release();
      await first;
      expect(await store.transaction(() => store.idempotency.tryLock(key.id, 'k1')), 'released with its transaction').toBe(true);
    });

    it('chains audit events per tenant and lists them with filters', async () => {
      const r = await reseller();
      const t = await tenant(r.id);
      const other = await tenant();
      const event = (tenantId: string | null, seq: number, action = 'extension.created') => ({
        id: uid('aud'),
        occurredAt: at(seq),
        actorKeyId: 'key_1',
        tenantId,
        action,
        targetId: `tgt_${seq}`,
        requestId: null,
        actorPrincipal: 'tenant',
        actorRole: null,
        targetType: 'extension',
        changes: null,
        sourceAddress: '127.0.0.1',
        chainSeq: seq,
        prevHash: seq === 1 ? null : `hash${seq - 1}`,
        hash: `${t.id}hash${seq}`,
      });
      const events = [event(t.id, 1), event(t.id, 2, 'extension.deleted'), event(t.id, 3)];
      for (const e of events) await store.audit.record(sc(e.tenantId), e);
      await store.audit.record(sc(other.id), event(other.id, 1));
      expect(await store.audit.head(sc(t.id))).toEqual({ chainSeq: 3, hash: `${t.id}hash3` });
      expect((await store.audit.chainAfter(sc(t.id), 1, 10)).map((e) => e.id)).toEqual([events[1]?.id, events[2]?.id]);
      expect(await store.tenant(systemScope('test fixture', t.id)).auditEvents.chainAfter(0, 2)).toEqual(events.slice(0, 2));
      expect(await store.audit.chainsAcrossTenants()).toEqual(expect.arrayContaining([t.id, other.id]));
      expect(await store.audit.anyHashStartingWithAcrossTenants(`${t.id}hash`)).toBe(true);
      expect(await store.audit.anyHashStartingWithAcrossTenants('nothing-like-this')).toBe(false);
      await store.audit.rehash(sc(t.id), events[0]!.id, 'p', 'rehashed');
      expect((await store.audit.chainAfter(sc(t.id), 0, 1))[0]).toMatchObject({ prevHash: 'p', hash: 'rehashed' });
      expect((await store.tenant(systemScope('test fixture', t.id)).auditEvents.list(page(), { action: 'extension.deleted' })).items.map((e) => e.id)).toEqual([events[1]?.id]);
      expect((await store.tenant(systemScope('test fixture', t.id)).auditEvents.list(page(), { from: at(2), to: at(3) })).items.map((e) => e.id)).toEqual([events[1]?.id]);
      const ofReseller = await store.audit.listAcrossTenants(page(), { resellerId: r.id });
      expect(ofReseller.items.map((e) => e.id)).toEqual(events.map((e) => e.id));
      await store.audit.record(null, { ...event(null, 1), id: uid('aud'), hash: uid('platform') });
      expect(await store.audit.head(sc(null))).toBeDefined();
      // A batch's events, written at once, read back exactly as written (nulls, text and the integer seq).
      const batch = [{ ...event(t.id, 4), changes: '{"number":{"after":"101","before":null}}', requestId: 'req_1' }, { ...event(t.id, 5), sourceAddress: null, actorRole: 'owner' }];
      await store.audit.recordMany(sc(t.id), batch);
      expect(await store.audit.chainAfter(sc(t.id), 3, 10)).toEqual(batch);
      expect(await store.audit.head(sc(t.id))).toEqual({ chainSeq: 5, hash: `${t.id}hash5` });
      await expect(store.audit.recordMany(sc(t.id), [{ ...event(t.id, 6), id: uid('aud') }, { ...event(t.id, 6), id: uid('aud') }])).rejects.toThrow();
      expect(await store.audit.head(sc(t.id))).toEqual({ chainSeq: 5, hash: `${t.id}hash5` });
    });

    it('keeps the provider inventory of numbers: assign once, delete only unassigned', async () => {
      const t = await tenant();
      const n = await store.numbers.insert({ id: uid('num'), number: `+1415${Math.floor(Math.random() * 1e7)}`, createdAt: T0, updatedAt: T0 });
      expect(await store.numbers.getByNumber(n.number)).toEqual(n);
      expect((await store.numbers.list(page(1000), { assigned: false })).items.map((x) => x.id)).toContain(n.id);
      expect(await store.numbers.assign(n.id, systemScope('test fixture', t.id), at(1))).toBe(true);
      expect(await store.numbers.assign(n.id, systemScope('test fixture', t.id), at(1))).toBe(false);
      expect(await store.numbers.delete(n.id)).toBe(false);
      expect((await store.numbers.get(n.id))?.tenantId).toBe(t.id);
      const scope = store.tenant(systemScope('test fixture', t.id)).numbers;
      expect(await scope.count()).toBe(1);
      const routed = await scope.route(n.id, { type: 'extension', target: '101' }, at(2));
      expect(routed?.routing).toEqual({ type: 'extension', target: '101' });
      expect((await scope.routedTo({ type: 'extension', target: '101' })).map((x) => x.id)).toEqual([n.id]);
      expect((await scope.getByNumber(n.number))?.id).toBe(n.id);
      expect(await scope.release(n.id, at(3))).toBe(true);
      expect(await store.numbers.get(n.id)).toMatchObject({ tenantId: null, routing: null, assignedAt: null });
      expect(await store.numbers.delete(n.id)).toBe(true);
    });
  });

  describe('tenant life cycle', () => {
    const state: DeletedTenantState = { status: 'active', numbers: [{ id: 'num_1', number: '+15550001', routing: { type: 'extension', target: '101' } }] };

    it('marks a tenant deleted once, suspended underneath, listed only as deleted, and restores it with its status', async () => {
      const r = await reseller();
      const t = await tenant(r.id);
      const alive = await tenant(r.id);
      expect(await store.lifecycle.markDeleted(sc(t.id)!, { deletedAt: at(1), purgeAt: at(100) }, state)).toBe(true);
      expect(await store.lifecycle.markDeleted(sc(t.id)!, { deletedAt: at(2), purgeAt: at(200) }, state)).toBe(false);
      expect(await store.tenants.get(t.id)).toMatchObject({ status: 'suspended', deletedAt: at(1), purgeAt: at(100), updatedAt: at(1) });
      expect(await store.lifecycle.deletedState(sc(t.id)!)).toEqual(state);
      expect(await store.lifecycle.deletedState(sc(alive.id)!)).toBeUndefined();
      const ids = async (filter: Parameters<KyselyStore['tenants']['list']>[1]) => (await store.tenants.list(page(), { resellerId: r.id, ...filter })).items.map((x) => x.id);
      expect(await ids({})).toEqual([alive.id]);
      expect(await ids({ status: 'suspended' })).toEqual([]);
      expect(await ids({ status: 'active' })).toEqual([alive.id]);
      expect(await ids({ deleted: true })).toEqual([t.id]);

      expect(await store.lifecycle.clearDeleted(sc(t.id)!, 'active', at(3))).toBe(true);
      expect(await store.lifecycle.clearDeleted(sc(t.id)!, 'active', at(4))).toBe(false);
      expect(await store.tenants.get(t.id)).toMatchObject({ status: 'active', deletedAt: null, purgeAt: null, updatedAt: at(3) });
      expect(await store.lifecycle.deletedState(sc(t.id)!)).toBeUndefined();
      expect(await ids({})).toEqual([t.id, alive.id].sort());
    });

    it('purges only deleted tenants that are due, with every row they own, and leaves their audit events', async () => {
      const due = await tenant();
      const later = await tenant();
      const restored = await tenant();
      await extension(due.id, '101');
      await store.audit.record(sc(due.id), { id: uid('aud'), occurredAt: at(0), actorKeyId: null, action: 'tenant.deleted', targetId: due.id, requestId: null });
      await store.lifecycle.markDeleted(sc(due.id)!, { deletedAt: at(1), purgeAt: at(10) }, state);
      await store.lifecycle.markDeleted(sc(later.id)!, { deletedAt: at(1), purgeAt: at(50) }, state);
      await store.lifecycle.markDeleted(sc(restored.id)!, { deletedAt: at(1), purgeAt: at(10) }, state);
      await store.lifecycle.clearDeleted(sc(restored.id)!, 'active', at(2));

      const dueNow = await store.lifecycle.duePurgeAcrossTenants(at(20), 100);
      expect(dueNow).toContain(due.id);
      expect(dueNow).not.toContain(later.id);
      expect(dueNow).not.toContain(restored.id);
      expect(await store.lifecycle.purge(sc(later.id)!, at(20))).toBe(false);
      expect(await store.lifecycle.purge(sc(restored.id)!, at(20))).toBe(false);
      expect(await store.lifecycle.purge(sc(due.id)!, at(20))).toBe(true);
      expect(await store.lifecycle.purge(sc(due.id)!, at(20))).toBe(false);
      expect(await store.tenants.get(due.id)).toBeUndefined();
      expect(await store.tenant(systemScope('test fixture', due.id)).extensions.count()).toBe(0);
      expect((await store.audit.listAcrossTenants(page(), { targetId: due.id })).items.map((e) => e.action)).toEqual(['tenant.deleted']);
      expect(await store.tenants.get(later.id)).toBeDefined();
      expect(await store.tenants.get(restored.id)).toMatchObject({ status: 'active' });
    });
  });

  describe('audit chain appends', () => {
    it('gives concurrent appends to one chain consecutive places, none refused', async () => {
      const t = await tenant();
      const append = (n: number) =>
        store.transaction(async () => {
          const head = await store.audit.head(sc(t.id));
          const chainSeq = (head?.chainSeq ?? 0) + 1;
          await store.audit.record(sc(t.id), { id: uid('aud'), occurredAt: at(n), actorKeyId: null, action: 'x', targetId: 't', requestId: null, chainSeq, prevHash: head?.hash ?? null, hash: `${t.id}:${chainSeq}` });
        });
      await Promise.all([1, 2, 3, 4, 5, 6].map(append));
      expect((await store.audit.chainAfter(sc(t.id), 0, 10)).map((e) => [e.chainSeq, e.prevHash])).toEqual([1, 2, 3, 4, 5, 6].map((seq) => [seq, seq === 1 ? null : `${t.id}:${seq - 1}`]));
    });
  });

  describe('tenant collections', () => {
    it('keeps extensions: one number per tenant, the same number in two tenants', async () => {
      const a = await tenant();
      const b = await tenant();
      const a101 = await extension(a.id, '101');
      const b101 = await extension(b.id, '101');
      await expect(extension(a.id, '101')).rejects.toThrow();
      const ext = store.tenant(systemScope('test fixture', a.id)).extensions;
      expect(await ext.getByNumber('101')).toEqual(a101);
      expect((await store.tenant(systemScope('test fixture', b.id)).extensions.getByNumber('101'))?.id).toBe(b101.id);
      expect(await ext.count()).toBe(1);
      expect(await ext.update(a101.id, { displayName: 'Reception', updatedAt: at(1) })).toMatchObject({ displayName: 'Reception', ha1: a101.ha1 });
      await extension(a.id, '102');
      expect((await ext.list(page(1))).next).toBe(a101.id);
      expect(await ext.delete(a101.id)).toBe(true);
      expect(await ext.delete(a101.id)).toBe(false);
    });

    it('inserts a batch of extensions all or none, and finds numbers taken by extensions or ring groups of that tenant only', async () => {
      const a = await tenant();
      const b = await tenant();
      const row = (number: string) => ({ id: uid('ext'), number, displayName: `Ext ${number}`, ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 });
      await store.tenant(systemScope('test fixture', a.id)).extensions.insertMany(Array.from({ length: 1200 }, (_, i) => row(String(1000 + i))));
      expect(await store.tenant(systemScope('test fixture', a.id)).extensions.count()).toBe(1200);
      await store.tenant(systemScope('test fixture', a.id)).ringGroups.insert({ id: uid('rg'), number: '600', name: 'g', strategy: 'simultaneous', memberTimeoutSeconds: 10, members: ['1000'], createdAt: T0, updatedAt: T0 });
      expect((await store.tenant(systemScope('test fixture', a.id)).extensions.takenNumbers(['1000', '600', '700', '2199'])).sort()).toEqual(['1000', '2199', '600']);
      expect(await store.tenant(systemScope('test fixture', b.id)).extensions.takenNumbers(['1000', '600'])).toEqual([]);
      // A tenant holding fewer numbers than asked about is read whole; as many or more, looked up: the same answer.
      const c = store.tenant(systemScope('test fixture', (await tenant()).id));
      await c.extensions.insertMany([row('1000'), row('1001')]);
      await c.ringGroups.insert({ id: uid('rg'), number: '600', name: 'g', strategy: 'simultaneous', memberTimeoutSeconds: 10, members: ['1000'], createdAt: T0, updatedAt: T0 });
      expect((await c.extensions.takenNumbers(['1000', '600', '700', '2199'])).sort()).toEqual(['1000', '600']);
      expect((await c.extensions.takenNumbers(['1000', '600', '700'])).sort()).toEqual(['1000', '600']);
      expect((await c.extensions.takenNumbers(['600', '700'])).sort()).toEqual(['600']);
      // A duplicate inside the batch fails the whole insert inside the caller's transaction.
      await expect(store.transaction(() => store.tenant(systemScope('test fixture', b.id)).extensions.insertMany([row('101'), row('102'), row('101')]))).rejects.toThrow();
      expect(await store.tenant(systemScope('test fixture', b.id)).extensions.count()).toBe(0);
    });

    it('keeps roles per owner, names unique per owner only', async () => {
      const r = await reseller();
      const t = await tenant(r.id);
      const role = (level: 'provider' | 'reseller' | 'tenant', name: string) => ({
        id: uid('rol'),
        level,
        tenantId: level === 'tenant' ? t.id : null,
        resellerId: level === 'reseller' ? r.id : null,
        name,
        description: 'd',
        permissions: ['extensions:read'],
        createdAt: T0,
        updatedAt: T0,
      });
      const tenantRole = await store.tenant(systemScope('test fixture', t.id)).roles.insert(role('tenant', 'agents'));
      const resellerRole = await store.roles({ resellerId: r.id }).insert(role('reseller', 'agents'));
      const providerName = uid('n');
      await store.roles('provider').insert(role('provider', providerName));
      await expect(store.tenant(systemScope('test fixture', t.id)).roles.insert(role('tenant', 'agents'))).rejects.toThrow();
      expect(await store.tenant(systemScope('test fixture', t.id)).roles.getByName('agents')).toEqual(tenantRole);
      expect(await store.roles({ resellerId: r.id }).get(tenantRole.id)).toBeUndefined();
      expect(await store.tenant(systemScope('test fixture', t.id)).roles.get(resellerRole.id)).toBeUndefined();
      expect((await store.roles('provider').getByName(providerName))?.level).toBe('provider');
      const updated = await store.tenant(systemScope('test fixture', t.id)).roles.update(tenantRole.id, { permissions: ['calls:read', 'extensions:read'], updatedAt: at(1) });
      expect(updated?.permissions).toEqual(['calls:read', 'extensions:read']);
      expect((await store.tenant(systemScope('test fixture', t.id)).roles.list(page())).items).toEqual([updated]);
      expect(await store.tenant(systemScope('test fixture', t.id)).roles.delete(tenantRole.id)).toBe(true);
    });

    it('keeps tenant keys (revoked ones hidden) and replaces the signing key', async () => {
      const t = await tenant();
      const scope = store.tenant(systemScope('test fixture', t.id));
      const key = await scope.apiKeys.insert({ id: uid('key'), secretHash: uid('h'), name: 'admin', createdAt: T0, lastUsedAt: null, roleId: 'rol_tenantOwner' });
      expect(key).toMatchObject({ principal: 'tenant', tenantId: t.id, resellerId: null });
      expect(await scope.apiKeys.get(key.id)).toEqual(key);
      expect((await scope.apiKeys.list(page())).items).toEqual([key]);
      // A tenant's key is out of reach of the platform's key calls and of every other tenant's scope.
      expect(await store.apiKeys.get(key.id, 'provider')).toBeUndefined();
      expect(await store.apiKeys.update(key.id, { revokedAt: at(1) })).toBeUndefined();
      const other = store.tenant(systemScope('test fixture', (await tenant()).id));
      expect(await other.apiKeys.get(key.id)).toBeUndefined();
      expect(await other.apiKeys.update(key.id, { revokedAt: at(1) })).toBeUndefined();
      expect(await scope.apiKeys.get(key.id)).toEqual(key);
      expect(await scope.apiKeys.update(key.id, { revokedAt: at(1) })).toMatchObject({ id: key.id, revokedAt: at(1) });
      expect(await scope.apiKeys.get(key.id)).toBeUndefined();
      expect(await scope.signingKey.get()).toBeUndefined();
      await scope.signingKey.set('s1', at(1));
      await scope.signingKey.set('s2', at(2));
      expect(await scope.signingKey.get()).toBe('s2');
    });

    it('keeps calls and filters them', async () => {
      const t = await tenant();
      const call = (n: number, from: string, to: string, disposition: 'answered' | 'busy') =>
        store.tenant(systemScope('test fixture', t.id)).calls.insert({
          id: uid('cal'),
          callId: `c${n}`,
          from,
          to,
          direction: 'internal',
          startedAt: at(n),
          answeredAt: disposition === 'answered' ? at(n) : null,
          endedAt: at(n + 1),
          durationSeconds: disposition === 'answered' ? 60 : 0,
          disposition,
          sipStatus: disposition === 'busy' ? 486 : null,
        });
      const c1 = await call(1, '101', '102', 'answered');
      const c2 = await call(2, '102', '103', 'busy');
      const c3 = await call(3, '104', '105', 'answered');
      const calls = store.tenant(systemScope('test fixture', t.id)).calls;
      expect(await calls.get(c2.id)).toEqual(c2);
      expect((await calls.list(page(), { extension: '102' })).items.map((c) => c.id)).toEqual([c1.id, c2.id]);
      expect((await calls.list(page(), { disposition: 'busy' })).items).toEqual([c2]);
      expect((await calls.list(page(), { startedFrom: at(2), startedBefore: at(4) })).items.map((c) => c.id)).toEqual([c2.id, c3.id]);
      expect((await calls.list(page(), { from: '104', to: '105', direction: 'internal' })).items).toEqual([c3]);
    });

    it('keeps dial rules in position order and bumps the revision', async () => {
      const t = await tenant();
      const rules = store.tenant(systemScope('test fixture', t.id)).dialRules;
      const rule = (position: number) =>
        rules.insert({ id: uid('dr'), name: `r${position}`, pattern: `${position}XX`, position, action: { type: 'reject', status: 403, reason: null }, createdAt: T0, updatedAt: T0 });
      const r0 = await rule(0);
      const r1 = await rule(1);
      const r2 = await rule(2);
      expect((await rules.all()).map((r) => r.id)).toEqual([r0.id, r1.id, r2.id]);
      const first = await rules.list(page(2));
      expect(first.next).toBe('1');
      expect((await rules.list(page(2, first.next ?? undefined))).items.map((r) => r.id)).toEqual([r2.id]);
      await rules.shift(1, 1);
      expect((await rules.get(r1.id))?.position).toBe(2);
      expect((await rules.get(r0.id))?.position).toBe(0);
      await rules.shift(0, 1, 1);
      expect((await rules.get(r0.id))?.position).toBe(1);
      const action = { type: 'trunk' as const, trunkId: 'trk_1', stripDigits: 1, prepend: '+1' };
      expect((await rules.update(r0.id, { action, updatedAt: at(1) }))?.action).toEqual(action);
      const before = await rules.revision();
      await rules.touch();
      expect(await rules.revision()).toBe(before + 1);
      expect(await rules.count()).toBe(3);
      expect(await rules.delete(r2.id)).toBe(true);
    });

    it('keeps ring groups and trunks, a null caller id clearing the old one', async () => {
      const t = await tenant();
      const groups = store.tenant(systemScope('test fixture', t.id)).ringGroups;
      const g = await groups.insert({ id: uid('rg'), number: '600', name: 'Sales', strategy: 'sequential', memberTimeoutSeconds: 20, members: ['101', '102'], createdAt: T0, updatedAt: T0 });
      expect(await groups.getByNumber('600')).toEqual(g);
      expect((await groups.update(g.id, { members: ['103'], updatedAt: at(1) }))?.members).toEqual(['103']);
      expect(await groups.count()).toBe(1);
      expect((await groups.list(page())).items.map((x) => x.id)).toEqual([g.id]);
      expect(await groups.delete(g.id)).toBe(true);

      const trunks = store.tenant(systemScope('test fixture', t.id)).trunks;
      const tr = await trunks.insert({ id: uid('trk'), name: 'pbx', username: 'pbx1', ha1: 'b'.repeat(32), callerId: '+14155550100', createdAt: T0, updatedAt: T0 });
      expect(await trunks.getByUsername('pbx1')).toEqual(tr);
      expect((await trunks.update(tr.id, { callerId: null, updatedAt: at(1) }))?.callerId).toBeNull();
      expect(await trunks.count()).toBe(1);
      expect((await trunks.list(page())).items).toHaveLength(1);
      expect(await trunks.delete(tr.id)).toBe(true);
    });
  });

  describe('call records in batches', () => {
    const H = '2031-01-01T10:00:00.000Z';
    const H2 = '2031-01-01T11:00:00.000Z';
    let n = 0;
    const row = (startedAt: string, disposition: 'answered' | 'busy' | 'limit', durationSeconds = 0) => ({
      id: uid('cal'),
      callId: `batch-${++n}`,
      from: '101',
      to: '102',
      direction: 'internal' as const,
      startedAt,
      answeredAt: disposition === 'answered' ? startedAt : null,
      endedAt: startedAt,
      durationSeconds,
      disposition,
      sipStatus: null,
    });

    it("adds a batch of several tenants' records to their tenant and owner hours, summed, and a later one on top", async () => {
      const r = await reseller();
      const [a, b] = [await tenant(r.id), await tenant(r.id)];
      const scope = (t: TenantRow) => systemScope('test fixture', t.id);
      await store.callRecords.append([
        { scope: scope(a), row: row(H, 'answered', 30) },
        { scope: scope(a), row: row('2031-01-01T10:59:59.000Z', 'busy') },
        { scope: scope(b), row: row(H, 'limit') },
        { scope: scope(b), row: row(H2, 'answered', 5) },
      ]);
      // A record arriving late for an hour that already has figures.
      await store.tenant(scope(a)).calls.insert(row('2031-01-01T10:30:00.000Z', 'answered', 10));

      const counts = (calls: number, answered: number, missed: number, failed: number, refusedChannels: number, durationSeconds: number) => ({ calls, answered, missed, failed, refusedChannels, durationSeconds });
      expect(await store.tenant(scope(a)).calls.hourly(H, '2031-01-02T00:00:00.000Z')).toEqual([{ hour: H, ...counts(3, 2, 1, 0, 0, 40) }]);
      expect(await store.tenant(scope(b)).calls.hourly(H, '2031-01-02T00:00:00.000Z')).toEqual([
        { hour: H, ...counts(1, 0, 0, 1, 1, 0) },
        { hour: H2, ...counts(1, 1, 0, 0, 0, 5) },
      ]);
      expect(await store.analytics.hourly(H, '2031-01-02T00:00:00.000Z', { resellerId: r.id })).toEqual([
        { hour: H, ...counts(4, 2, 1, 1, 1, 40) },
        { hour: H2, ...counts(1, 1, 0, 0, 0, 5) },
      ]);
      expect((await store.tenant(scope(a)).calls.list(page())).items).toHaveLength(3);
    });

    it('stores a batch all or nothing: a record of a tenant that is gone takes the batch with it', async () => {
      const r = await reseller();
      const a = await tenant(r.id);
      await expect(
        store.callRecords.append([
          { scope: systemScope('test fixture', a.id), row: row(H, 'answered', 30) },
          { scope: systemScope('test fixture', uid('ten')), row: row(H, 'busy') },
        ]),
      ).rejects.toThrow();
      expect((await store.tenant(systemScope('test fixture', a.id)).calls.list(page())).items).toEqual([]);
      expect(await store.analytics.hourly(H, '2031-01-02T00:00:00.000Z', { resellerId: r.id })).toEqual([]);
    });

    it('refuses a record whose scope is not a real scope', async () => {
      const a = await tenant();
      // @ts-expect-error a tenant id is not a scope
      await expect(store.callRecords.append([{ scope: a.id, row: row(H, 'busy') }])).rejects.toThrow(TypeError);
    });
  });

  describe('porting', () => {
    const order = (id: string, status: 'draft' | 'submitted' = 'draft', updatedAt = T0) => ({
      id,
      status,
      carrierName: 'Old Telco',
      accountNumber: '1234',
      pin: '0000',
      authorisedPerson: { name: 'A. Person' },
      serviceAddress: { line1: '1 Main St', city: 'SF', postalCode: '94105', country: 'US' },
      requestedFocDate: '2027-01-01',
      focDate: null,
      destination: { type: 'extension' as const, target: '101' },
      exceptionReason: null,
      exceptionMessage: null,
      carrierRef: null,
      createdAt: T0,
      updatedAt,
      submittedAt: null,
      completedAt: null,
      cancelledAt: null,
    });
    const e164 = () => `+1628${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

    it('holds numbers from submit, one open order per number, inside a transaction that goes on', async () => {
      const a = await tenant();
      const b = await tenant();
      const shared = e164();
      const mine = e164();
      const oa = await store.tenant(systemScope('test fixture', a.id)).portOrders.insert(order(uid('por')), [shared, mine]);
      const ob = await store.tenant(systemScope('test fixture', b.id)).portOrders.insert(order(uid('por')), [shared]);
      expect(await store.tenant(systemScope('test fixture', a.id)).portOrders.numbers(oa.id)).toEqual([shared, mine]);
      expect(await store.tenant(systemScope('test fixture', a.id)).portOrders.reserveNumbers(oa.id)).toBe(true);
      const claims = await store.porting.numberClaimsAcrossTenants([shared]);
      expect(claims).toEqual([{ number: shared, tenantId: a.id, orderId: oa.id }]);
      expect(await store.porting.numberClaimsAcrossTenants([shared], oa.id)).toEqual([]);

      // The losing reservation is refused and the transaction around it still commits its other work.
      await store.transaction(async () => {
        expect(await store.tenant(systemScope('test fixture', b.id)).portOrders.reserveNumbers(ob.id)).toBe(false);
        await store.tenant(systemScope('test fixture', b.id)).portOrders.updateIfStatus(ob.id, 'draft', { carrierRef: 'kept', updatedAt: at(1) });
      });
      expect((await store.tenant(systemScope('test fixture', b.id)).portOrders.get(ob.id))?.carrierRef).toBe('kept');
      expect((await store.porting.numberClaimsAcrossTenants([shared])).map((c) => c.orderId)).toEqual([oa.id]);

      await store.tenant(systemScope('test fixture', a.id)).portOrders.releaseNumbers(oa.id);
      expect(await store.tenant(systemScope('test fixture', b.id)).portOrders.reserveNumbers(ob.id)).toBe(true);
    });

    it('changes an order only from the expected status, counts open ones and lists by status', async () => {
      const t = await tenant();
      const orders = store.tenant(systemScope('test fixture', t.id)).portOrders;
      const o = await orders.insert(order(uid('por')), [e164()]);
      const o2 = await orders.insert(order(uid('por')), []);
      expect(await orders.updateIfStatus(o.id, 'submitted', { status: 'in_review', updatedAt: at(1) })).toBe(false);
      expect(await orders.updateIfStatus(o.id, 'draft', { status: 'submitted', submittedAt: at(1), authorisedPerson: { name: 'B' }, updatedAt: at(1) })).toBe(true);
      expect(await orders.get(o.id)).toMatchObject({ status: 'submitted', submittedAt: at(1), authorisedPerson: { name: 'B' } });
      expect((await orders.list(page(), { status: 'submitted' })).items.map((x) => x.id)).toEqual([o.id]);
      expect(await orders.countOpen()).toBe(2);
      expect(await orders.countOpen(o.id)).toBe(1);
      await orders.updateIfStatus(o2.id, 'draft', { status: 'cancelled', cancelledAt: at(2), updatedAt: at(2) });
      expect(await orders.countOpen()).toBe(1);
      const replacement = [e164(), e164()];
      await orders.replaceNumbers(o2.id, replacement);
      expect((await orders.numbersOf([o.id, o2.id])).get(o2.id)).toEqual(replacement);
      expect((await store.porting.ordersInAcrossTenants(['submitted'], 1000)).map((x) => x.id)).toContain(o.id);
    });

    it('lists orders across one reseller’s live tenants or all, in either order, with a cursor each way', async () => {
      const r = await reseller();
      const [a, b, gone, elsewhere] = [await tenant(r.id), await tenant(r.id), await tenant(r.id), await tenant()];
      const made: string[] = [];
      for (const t of [a, b, gone, elsewhere, a, b]) {
        const o = await store.tenant(systemScope('test fixture', t.id)).portOrders.insert(order(uid('por'), t === b ? 'submitted' : 'draft'), []);
        if (t === a || t === b) made.push(o.id);
      }
      await store.lifecycle.markDeleted(sc(gone.id)!, { deletedAt: at(1), purgeAt: at(100) }, { status: 'active', numbers: [] });
      const read = async (order: 'asc' | 'desc', status?: 'submitted') => {
        const ids: string[] = [];
        let after: string | undefined;
        do {
          const p = await store.porting.listAcrossTenants({ limit: 3, after, order }, { visible: { resellerId: r.id }, status });
          ids.push(...p.items.map((x) => x.id));
          after = p.next ?? undefined;
        } while (after);
        return ids;
      };
      expect(await read('asc')).toEqual(made);
      expect(await read('desc')).toEqual([...made].reverse());
      expect(await read('desc', 'submitted')).toEqual([made[3], made[1]]);
      const all = (await store.porting.listAcrossTenants({ limit: 1000 }, { visible: 'all' })).items.map((x) => x.tenantId);
      expect(all).toContain(elsewhere.id);
      expect(all).not.toContain(gone.id);
    });

    it('finds stale drafts across tenants, oldest first', async () => {
      const t = await tenant();
      const old = await store.tenant(systemScope('test fixture', t.id)).portOrders.insert(order(uid('por'), 'draft', '2001-01-01T00:00:00.000Z'), []);
      const stale = await store.porting.staleDraftsAcrossTenants('2001-01-02T00:00:00.000Z', 1000);
      expect(stale).toContainEqual({ id: old.id, tenantId: t.id });
      expect(stale.findIndex((x) => x.id === old.id)).toBeGreaterThanOrEqual(0);
    });

    it('activates ported numbers into the tenant and keeps documents, comments and events', async () => {
      const t = await tenant();
      const orders = store.tenant(systemScope('test fixture', t.id)).portOrders;
      const o = await orders.insert(order(uid('por')), []);
      const n = e164();
      await orders.activateNumbers([{ id: uid('num'), number: n }], { type: 'extension', target: '101' }, at(1));
      expect(await store.porting.numbersAcrossTenants([n, e164()])).toEqual([n]);
      expect((await store.tenant(systemScope('test fixture', t.id)).numbers.getByNumber(n))?.routing).toEqual({ type: 'extension', target: '101' });

      const doc = await orders.documents.insert({ id: uid('doc'), orderId: o.id, kind: 'loa', filename: 'loa.pdf', contentType: 'application/pdf', sizeBytes: 1000, storagePath: 'x/loa.pdf', createdAt: T0 });
      await orders.documents.insert({ ...doc, id: uid('doc'), kind: 'bill', sizeBytes: 24 });
      expect(await orders.documents.get(o.id, doc.id)).toEqual(doc);
      expect((await orders.documents.list(o.id, page())).items).toHaveLength(2);
      expect((await orders.documents.kinds(o.id)).sort()).toEqual(['bill', 'loa']);
      expect(await orders.documents.totalBytes()).toBe(1024);

      await orders.comments.insert({ id: uid('com'), orderId: o.id, visibility: 'internal', body: 'note', authorPrincipal: 'provider', authorKeyId: 'key_p', createdAt: T0 });
      const pub = await orders.comments.insert({ id: uid('com'), orderId: o.id, visibility: 'public', body: 'hi', authorPrincipal: 'tenant', authorKeyId: 'key_t', createdAt: T0 });
      expect((await orders.comments.list(o.id, page(), false)).items).toEqual([pub]);
      expect((await orders.comments.list(o.id, page(), true)).items).toHaveLength(2);

      const ev = await orders.events.insert({ id: uid('poe'), orderId: o.id, action: 'submit', fromStatus: 'draft', toStatus: 'submitted', actorType: 'api_key', actorKeyId: 'key_t', actorPrincipal: 'tenant', reason: null, message: null, occurredAt: T0 });
      expect((await orders.events.list(o.id, page())).items).toEqual([ev]);
    });
  });

  describe('webhooks', () => {
    const endpoint = () => ({
      id: uid('we'),
      url: 'https://example.test/hook',
      description: 'd',
      enabledEvents: ['*'],
      status: 'enabled' as const,
      secretSealed: 'sealed',
      previousSecretSealed: null,
      previousExpiresAt: null,
      createdAt: T0,
      updatedAt: T0,
    });

    it('keeps endpoints per owner and queues, delivers and logs attempts', async () => {
      const r = await reseller();
      const t = await tenant(r.id);
      const provider = await store.webhooks.endpoints('provider').insert(endpoint());
      const ofReseller = await store.webhooks.endpoints({ resellerId: r.id }).insert(endpoint());
      const ofTenant = await store.tenant(systemScope('test fixture', t.id)).webhookEndpoints.insert(endpoint());
      expect(ofTenant).toMatchObject({ level: 'tenant', tenantId: t.id, resellerId: null });
      expect(await store.webhooks.endpoints({ resellerId: r.id }).get(ofTenant.id)).toBeUndefined();
      expect(await store.webhooks.endpoints('provider').get(ofReseller.id)).toBeUndefined();
      expect((await store.tenant(systemScope('test fixture', t.id)).webhookEndpoints.update(ofTenant.id, { enabledEvents: ['extension.created'], updatedAt: at(1) }))?.enabledEvents).toEqual([
        'extension.created',
      ]);
      const subscribers = (await store.webhooks.subscribers(sc(t.id))).map((e) => e.id);
      expect(subscribers).toEqual(expect.arrayContaining([provider.id, ofReseller.id, ofTenant.id]));
      expect((await store.webhooks.subscribers(null)).map((e) => e.id)).not.toContain(ofTenant.id);

      const eventId = uid('evt');
      await store.webhooks.insertEvent(sc(t.id), { id: eventId, type: 'extension.created', createdAt: T0, data: '{}' });
      const deliveryId = uid('del');
      await store.webhooks.insertDelivery({ id: deliveryId, endpointId: ofTenant.id, eventId, status: 'pending', attemptCount: 0, nextAttemptAt: '2000-01-01T00:00:00.000Z', createdAt: T0, updatedAt: T0 });
      const due = await store.webhooks.dueAcrossTenants('2000-01-01T00:00:01.000Z', 1000, []);
      const job = due.find((j) => j.delivery.id === deliveryId);
      expect(job).toMatchObject({ delivery: { eventType: 'extension.created', endpointId: ofTenant.id }, event: { id: eventId }, endpoint: { id: ofTenant.id } });
      expect((await store.webhooks.dueAcrossTenants('2000-01-01T00:00:01.000Z', 1000, [deliveryId])).map((j) => j.delivery.id)).not.toContain(deliveryId);

      await store.webhooks.recordAttempt(deliveryId, { attemptedAt: at(1), statusCode: 500, error: null, durationMs: 12 }, { status: 'pending', nextAttemptAt: at(2), updatedAt: at(1) });
      await store.webhooks.recordAttempt(deliveryId, { attemptedAt: at(2), statusCode: 200, error: null, durationMs: 8 }, { status: 'delivered', nextAttemptAt: null, updatedAt: at(2) });
      const delivered = await store.tenant(systemScope('test fixture', t.id)).webhookEndpoints.getDelivery(ofTenant.id, deliveryId);
      expect(delivered).toMatchObject({ status: 'delivered', attemptCount: 2, eventType: 'extension.created' });
      expect(delivered?.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
      expect((await store.tenant(systemScope('test fixture', t.id)).webhookEndpoints.deliveries(ofTenant.id, page())).items.map((d) => d.id)).toEqual([deliveryId]);
      expect(await store.webhooks.endpoints({ resellerId: r.id }).getDelivery(ofTenant.id, deliveryId)).toBeUndefined();
      expect((await store.webhooks.endpoints({ resellerId: r.id }).deliveries(ofTenant.id, page())).items).toEqual([]);
      expect(await store.tenant(systemScope('test fixture', t.id)).webhookEndpoints.delete(ofTenant.id)).toBe(true);
      await store.webhooks.recordAttempt(deliveryId, { attemptedAt: at(3), statusCode: 200, error: null, durationMs: 1 }, { status: 'delivered', nextAttemptAt: null, updatedAt: at(3) });
    });
  });

  describe('tenant isolation', () => {
    it("never shows, changes or deletes tenant A's rows through tenant B's scope, in any tenant-owned collection", async () => {
      const a = await tenant();
      const b = await tenant();
      const A = store.tenant(systemScope('test fixture', a.id));
      const B = store.tenant(systemScope('test fixture', b.id));
      const ext = await extension(a.id, '101');
      const role = await A.roles.insert({ id: uid('rol'), level: 'tenant', tenantId: a.id, resellerId: null, name: 'r', description: '', permissions: [], createdAt: T0, updatedAt: T0 });
      const key = await A.apiKeys.insert({ id: uid('key'), secretHash: uid('h'), name: 'k', createdAt: T0, lastUsedAt: null });
      await A.signingKey.set('secret-a', T0);
      const call = await A.calls.insert({ id: uid('cal'), callId: 'c', from: '101', to: '102', direction: 'internal', startedAt: T0, answeredAt: null, endedAt: T0, durationSeconds: 0, disposition: 'busy', sipStatus: 486 });
      await store.audit.record(sc(a.id), { id: uid('aud'), occurredAt: T0, actorKeyId: null, action: 'x', targetId: 't', requestId: null, chainSeq: 1, hash: uid('h') });
      const num = await store.numbers.insert({ id: uid('num'), number: `+1650${Math.floor(Math.random() * 1e7)}`, createdAt: T0, updatedAt: T0 });
      await store.numbers.assign(num.id, systemScope('test fixture', a.id), T0);
      const rule = await A.dialRules.insert({ id: uid('dr'), name: 'r', pattern: '9X', position: 0, action: { type: 'reject', status: 403, reason: null }, createdAt: T0, updatedAt: T0 });
      const group = await A.ringGroups.insert({ id: uid('rg'), number: '600', name: 'g', strategy: 'simultaneous', memberTimeoutSeconds: 10, members: ['101'], createdAt: T0, updatedAt: T0 });
      const trunk = await A.trunks.insert({ id: uid('trk'), name: 't', username: 'u', ha1: 'c'.repeat(32), callerId: null, createdAt: T0, updatedAt: T0 });
      const portOrder = await A.portOrders.insert(
        {
          id: uid('por'),
          status: 'draft',
          carrierName: 'c',
          accountNumber: '1',
          pin: '1',
          authorisedPerson: { name: 'n' },
          serviceAddress: { line1: 'l', city: 'c', postalCode: 'p', country: 'US' },
          requestedFocDate: '2027-01-01',
          focDate: null,
          destination: { type: 'extension', target: '101' },
          exceptionReason: null,
          exceptionMessage: null,
          carrierRef: null,
          createdAt: T0,
          updatedAt: T0,
          submittedAt: null,
          completedAt: null,
          cancelledAt: null,
        },
        ['+16285550199'],
      );
      const doc = await A.portOrders.documents.insert({ id: uid('doc'), orderId: portOrder.id, kind: 'loa', filename: 'f', contentType: 'application/pdf', sizeBytes: 10, storagePath: 'p', createdAt: T0 });
      await A.portOrders.comments.insert({ id: uid('com'), orderId: portOrder.id, visibility: 'public', body: 'b', authorPrincipal: 'tenant', authorKeyId: key.id, createdAt: T0 });
      await A.portOrders.events.insert({ id: uid('poe'), orderId: portOrder.id, action: 'create', fromStatus: null, toStatus: 'draft', actorType: 'system', actorKeyId: null, actorPrincipal: null, reason: null, message: null, occurredAt: T0 });
      const hook = await A.webhookEndpoints.insert({ id: uid('we'), url: 'https://a.test', description: '', enabledEvents: ['*'], status: 'enabled', secretSealed: 's', previousSecretSealed: null, previousExpiresAt: null, createdAt: T0, updatedAt: T0 });

      // Reads: nothing of A's, by list, by id, by natural key.
      expect((await B.extensions.list(page())).items).toEqual([]);
      expect(await B.extensions.get(ext.id)).toBeUndefined();
      expect(await B.extensions.getByNumber('101')).toBeUndefined();
      expect(await B.extensions.count()).toBe(0);
      expect(await B.roles.get(role.id)).toBeUndefined();
      expect((await B.roles.list(page())).items).toEqual([]);
      expect(await B.apiKeys.get(key.id)).toBeUndefined();
      expect((await B.apiKeys.list(page())).items).toEqual([]);
      expect(await B.signingKey.get()).toBeUndefined();
      expect(await B.calls.get(call.id)).toBeUndefined();
      expect((await B.calls.list(page())).items).toEqual([]);
      expect((await B.auditEvents.list(page())).items).toEqual([]);
      expect(await B.auditEvents.chainAfter(0, 10)).toEqual([]);
      expect(await B.numbers.get(num.id)).toBeUndefined();
      expect(await B.numbers.getByNumber(num.number)).toBeUndefined();
      expect(await B.numbers.count()).toBe(0);
      expect(await B.dialRules.get(rule.id)).toBeUndefined();
      expect(await B.dialRules.all()).toEqual([]);
      expect(await B.ringGroups.get(group.id)).toBeUndefined();
      expect(await B.ringGroups.getByNumber('600')).toBeUndefined();
      expect(await B.trunks.get(trunk.id)).toBeUndefined();
      expect(await B.trunks.getByUsername('u')).toBeUndefined();
      expect(await B.portOrders.get(portOrder.id)).toBeUndefined();
      expect(await B.portOrders.numbers(portOrder.id)).toEqual([]);
      expect((await B.portOrders.numbersOf([portOrder.id])).get(portOrder.id)).toEqual([]);
      expect(await B.portOrders.countOpen()).toBe(0);
      expect(await B.portOrders.documents.get(portOrder.id, doc.id)).toBeUndefined();
      expect((await B.portOrders.documents.list(portOrder.id, page())).items).toEqual([]);
      expect(await B.portOrders.documents.totalBytes()).toBe(0);
      expect((await B.portOrders.comments.list(portOrder.id, page(), true)).items).toEqual([]);
      expect((await B.portOrders.events.list(portOrder.id, page())).items).toEqual([]);
      expect(await B.webhookEndpoints.get(hook.id)).toBeUndefined();
      expect((await B.webhookEndpoints.list(page())).items).toEqual([]);

      // Writes: nothing of A's changes.
      expect(await B.extensions.update(ext.id, { displayName: 'x' })).toBeUndefined();
      expect(await B.extensions.delete(ext.id)).toBe(false);
      expect(await B.roles.update(role.id, { name: 'x' })).toBeUndefined();
      expect(await B.roles.delete(role.id)).toBe(false);
      expect(await B.numbers.route(num.id, { type: 'extension', target: '1' }, T0)).toBeUndefined();
      expect(await B.numbers.release(num.id, T0)).toBe(false);
      expect(await B.dialRules.update(rule.id, { name: 'x' })).toBeUndefined();
      expect(await B.dialRules.delete(rule.id)).toBe(false);
      await B.dialRules.shift(0, 1);
      expect(await B.ringGroups.update(group.id, { name: 'x' })).toBeUndefined();
      expect(await B.ringGroups.delete(group.id)).toBe(false);
      expect(await B.trunks.update(trunk.id, { name: 'x' })).toBeUndefined();
      expect(await B.trunks.delete(trunk.id)).toBe(false);
      expect(await B.portOrders.updateIfStatus(portOrder.id, 'draft', { status: 'cancelled' })).toBe(false);
      await B.portOrders.replaceNumbers(portOrder.id, []);
      expect(await B.portOrders.reserveNumbers(portOrder.id)).toBe(true);
      expect(await B.webhookEndpoints.update(hook.id, { url: 'https://b.test' })).toBeUndefined();
      expect(await B.webhookEndpoints.delete(hook.id)).toBe(false);

      expect(await A.extensions.get(ext.id)).toEqual(ext);
      expect(await A.roles.get(role.id)).toEqual(role);
      expect((await A.numbers.get(num.id))?.routing).toBeNull();
      expect(await A.dialRules.get(rule.id)).toEqual(rule);
      expect(await A.ringGroups.get(group.id)).toEqual(group);
      expect(await A.trunks.get(trunk.id)).toEqual(trunk);
      expect(await A.portOrders.get(portOrder.id)).toEqual(portOrder);
      expect(await A.portOrders.numbers(portOrder.id)).toEqual(['+16285550199']);
      expect((await store.porting.numberClaimsAcrossTenants(['+16285550199'])).filter((c) => c.orderId === portOrder.id)).toEqual([]);
      expect(await A.webhookEndpoints.get(hook.id)).toEqual(hook);
      expect(await A.signingKey.get()).toBe('secret-a');
    });
  });

  describe('transactions', () => {
    it('commits everything or nothing, nested calls joining the outer one', async () => {
      const t = await tenant();
      const scope = store.tenant(systemScope('test fixture', t.id));
      await expect(
        store.transaction(async () => {
          await extension(t.id, '201');
          await store.transaction(async () => {
            await extension(t.id, '202');
          });
          expect(await scope.extensions.count()).toBe(2);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await scope.extensions.count()).toBe(0);

      await expect(
        store.transaction(async () => {
          await extension(t.id, '203');
          await store.transaction(async () => {
            await extension(t.id, '204');
            throw new Error('inner');
          });
        }),
      ).rejects.toThrow('inner');
      expect(await scope.extensions.count()).toBe(0);

      const value = await store.transaction(async () => {
        await extension(t.id, '205');
        return store.transaction(async () => (await extension(t.id, '206')).number);
      });
      expect(value).toBe('206');
      expect(await scope.extensions.count()).toBe(2);
    });

    it('rolls back a failing statement with the transaction it is in', async () => {
      const t = await tenant();
      await extension(t.id, '301');
      await expect(
        store.transaction(async () => {
          await extension(t.id, '302');
          await extension(t.id, '301');
        }),
      ).rejects.toThrow();
      expect((await store.tenant(systemScope('test fixture', t.id)).extensions.list(page())).items.map((e) => e.number)).toEqual(['301']);
    });
  });

  describe('directory changes', () => {
    it('are told before the write resolves, once per commit, never for a rollback, only for directory rows', async () => {
      const told: DirectoryChange[][] = [];
      const stop = store.onDirectoryChange(async (changes) => {
        told.push([...changes]);
      });
      try {
        const r = await reseller();
        const t = await tenant(r.id);
        expect(told).toEqual([[{ kind: 'tenant', tenantId: t.id }]]);
        told.length = 0;

        // One extension written is that extension's change (the edge reloads one row), not the tenant's.
        const e101 = await extension(t.id, '101');
        expect(told).toEqual([[{ kind: 'extension', tenantId: t.id, extensionId: e101.id }]]);
        told.length = 0;
        await store.tenant(systemScope('test fixture', t.id)).extensions.update(e101.id, { displayName: 'Renamed', updatedAt: T0 });
        await store.tenant(systemScope('test fixture', t.id)).extensions.delete(e101.id);
        expect(told).toEqual([[{ kind: 'extension', tenantId: t.id, extensionId: e101.id }], [{ kind: 'extension', tenantId: t.id, extensionId: e101.id }]]);
        told.length = 0;
        // Many at once: one change carrying the rows written, so the edge adds them without reading them back.
        const bulk = Array.from({ length: 60 }, (_, i) => ({ id: uid('ext'), number: String(500 + i), displayName: 'Bulk', ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 }));
        await store.tenant(systemScope('test fixture', t.id)).extensions.insertMany(bulk);
        expect(told).toEqual([[{ kind: 'extensions', tenantId: t.id, rows: bulk.map((row) => ({ ...row, tenantId: t.id })) }]]);
        told.length = 0;

        await store.transaction(async () => {
          await extension(t.id, '102');
          await store.tenant(systemScope('test fixture', t.id)).dialRules.touch();
          await store.tenant(systemScope('test fixture', t.id)).signingKey.set('s', T0);
          expect(told).toEqual([]);
        });
        expect(told).toEqual([[{ kind: 'tenant', tenantId: t.id }]]);
        told.length = 0;

        // A batch insert is one change with its rows, told once its transaction commits; two batches
        // of one tenant in one transaction are one change with the rows of both.
        const batchRow = (number: string) => ({ id: uid('ext'), number, displayName: number, ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 });
        const [b110, b111, b112] = [batchRow('110'), batchRow('111'), batchRow('112')];
        await store.transaction(async () => {
          await store.tenant(systemScope('test fixture', t.id)).extensions.insertMany([b110, b111]);
          await store.tenant(systemScope('test fixture', t.id)).extensions.insertMany([b112]);
          expect(told).toEqual([]);
        });
        expect(told).toEqual([[{ kind: 'extensions', tenantId: t.id, rows: [b110, b111, b112].map((row) => ({ ...row, tenantId: t.id })) }]]);
        told.length = 0;
        // Beside a change of the whole tenant, the batch's own change is left out: the reload reads its rows.
        await store.transaction(async () => {
          await store.tenant(systemScope('test fixture', t.id)).extensions.insertMany([batchRow('113')]);
          await store.tenant(systemScope('test fixture', t.id)).dialRules.touch();
        });
        expect(told).toEqual([[{ kind: 'tenant', tenantId: t.id }]]);
        told.length = 0;

        await expect(
          store.transaction(async () => {
            await extension(t.id, '103');
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        await store.tenant(systemScope('test fixture', t.id)).calls.insert({ id: uid('cal'), callId: 'c', from: '1', to: '2', direction: 'internal', startedAt: T0, answeredAt: null, endedAt: T0, durationSeconds: 0, disposition: 'busy', sipStatus: null });
        await store.settings.getOrInsert(uid('set'), 'v');
        expect(told).toEqual([]);

        await store.resellers.update(r.id, { status: 'suspended' });
        expect(told).toEqual([[{ kind: 'all' }]]);
        told.length = 0;
        const n = await store.numbers.insert({ id: uid('num'), number: `+1510${Math.floor(Math.random() * 1e7)}`, createdAt: T0, updatedAt: T0 });
        expect(told).toEqual([]);
        await store.numbers.assign(n.id, systemScope('test fixture', t.id), T0);
        await store.tenants.update(t.id, { status: 'suspended' });
        expect(told).toEqual([[{ kind: 'tenant', tenantId: t.id }], [{ kind: 'tenant', tenantId: t.id }]]);
      } finally {
        stop();
      }
    });

    // How soon is a latency figure for bench/; here only that it arrives, and what it says.
    it("reach another store's listeners", async () => {
      const other = await openKyselyStore(database.options);
      const heard: DirectoryChange[][] = [];
      const stop = other.onDirectoryChange(async (changes) => {
        heard.push([...changes]);
      });
      try {
        // A first change heard means the other store is listening (no fixed wait for it to settle).
        const warmUp = await tenant();
        await extension(warmUp.id, '100');
        await vi.waitFor(() => expect(heard.length).toBeGreaterThan(0), { timeout: 10_000, interval: 5 });
        const t = await tenant();
        heard.length = 0;
        const e = await extension(t.id, '101');
        // PostgreSQL names the extension; SQLite only sees that the file changed.
        const expected = [database.name === 'postgres' ? { kind: 'extension', tenantId: t.id, extensionId: e.id } : { kind: 'all' }];
        await vi.waitFor(() => expect(heard).toContainEqual(expected), { timeout: 10_000, interval: 5 });
        // A batch insert (written past Kysely's builder) is announced to other nodes all the same.
        const u = await tenant();
        const announced = [database.name === 'postgres' ? { kind: 'tenant', tenantId: u.id } : { kind: 'all' }];
        // The tenant's own creation is announced the same way: heard first, so what follows is the batch's.
        await vi.waitFor(() => expect(heard).toContainEqual(announced), { timeout: 10_000, interval: 5 });
        heard.length = 0;
        await store.tenant(systemScope('test fixture', u.id)).extensions.insertMany([{ id: uid('ext'), number: '101', displayName: '101', ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 }]);
        await vi.waitFor(() => expect(heard).toContainEqual(announced), { timeout: 10_000, interval: 5 });
      } finally {
        stop();
        await other.close();
      }
    });
  });

  describe('change version', () => {
    it('changes at once on this store after a committed write, not on a read', async () => {
      const before = await store.changeVersion();
      await store.tenants.get('ten_none');
      expect(await store.changeVersion()).toBe(before);
      await tenant();
      const afterWrite = await store.changeVersion();
      expect(afterWrite).not.toBe(before);
      await store.transaction(async () => {
        await tenant();
      });
      expect(await store.changeVersion()).not.toBe(afterWrite);
    });

    it('reaches a second store on the same database after a commit', async () => {
      const other = await openKyselyStore(database.options);
      try {
        // A first commit seen means the other store's periodic look (SQLite) or subscription
        // (PostgreSQL) is running; how soon is a latency figure for bench/, not a bound here.
        const initial = await other.changeVersion();
        await tenant();
        await vi.waitFor(async () => expect(await other.changeVersion()).not.toBe(initial), { timeout: 10_000, interval: 5 });
        const seen = await other.changeVersion();
        await store.transaction(async () => {
          await tenant();
        });
        await vi.waitFor(async () => expect(await other.changeVersion()).not.toBe(seen), { timeout: 10_000, interval: 5 });
      } finally {
        await other.close();
      }
    });
  });
});

describe('the PostgreSQL change signal', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => database?.drop());

  it('counts a lost LISTEN connection as a change and hears commits again once it is back', async () => {
    const writer = await openKyselyStore(database.options);
    const reader = await openKyselyStore(database.options);
    const admin = connect(database.options);
    try {
      const changed = async (from: string, withinMs: number) => {
        const start = Date.now();
        while ((await reader.changeVersion()) === from && Date.now() - start < withinMs) await new Promise((resolve) => setTimeout(resolve, 5));
        return (await reader.changeVersion()) !== from;
      };
      const before = await reader.changeVersion();
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(admin.db);
      // Lost: a change at once (something may have been missed). Back: another, after its retry delay.
      expect(await changed(before, 1000)).toBe(true);
      expect(await changed(await reader.changeVersion(), 3000)).toBe(true);

      const seen = await reader.changeVersion();
      await writer.settings.getOrInsert(uid('set'), 'v');
      expect(await changed(seen, 1000)).toBe(true);
    } finally {
      await admin.close();
      await writer.close();
      await reader.close();
    }
  });

  it('does not signal a rolled-back transaction to other stores', async () => {
    const writer = await openKyselyStore(database.options);
    const reader = await openKyselyStore(database.options);
    // The reader counts what it hears in commit order (`local:heard`): a commit after the rollback
    // must be the one and only thing heard since, with no fixed wait for "nothing arrived".
    const heardOf = (version: string) => Number(version.split(':')[1]);
    const commitAndHear = async () => {
      const before = await reader.changeVersion();
      await writer.settings.getOrInsert(uid('set'), 'v');
      await vi.waitFor(async () => expect(await reader.changeVersion()).not.toBe(before), { timeout: 10_000, interval: 5 });
      return reader.changeVersion();
    };
    try {
      // Anything in flight from opening the stores is heard before this marker.
      const seen = await commitAndHear();
      await expect(
        writer.transaction(async () => {
          await writer.settings.getOrInsert(uid('set'), 'v');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const after = await commitAndHear();
      expect(heardOf(after), 'only the commit after the rollback was heard').toBe(heardOf(seen) + 1);
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});

describe('the Kamailio outbox on PostgreSQL', () => {
  let database: TestDatabase;
  let store: KyselyStore;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openKyselyStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('stores a batch in one write; a batch that fails is stored item by item, and only the item that fails is dropped', async () => {
    const admin = connect(database.options);
    const keys = async () => (await sql<{ key: string }>`SELECT key FROM settings WHERE key LIKE 'outbox-%' ORDER BY key`.execute(admin.db)).rows.map((r) => r.key);
    try {
      for (const body of ['a', 'poison', 'b', 'refused']) await sql`INSERT INTO kamailio_call_outbox (body) VALUES (${body})`.execute(admin.db);
      const writes: string[][] = [];
      const { taken, failed } = await store.kamailioOutbox.drain(10, {
        each: async (body) => {
          if (body === 'refused') throw new Error('not a record');
          return body;
        },
        all: async (items) => {
          writes.push([...items].sort());
          // Writes, then fails wherever the poison is (as a batch fails whole for one bad row): what it wrote goes too.
          await store.settings.getOrInsert(`outbox-${[...items].sort().join(',')}`, 'v');
          if (items.includes('poison')) throw new Error('poison');
        },
      });
      expect(taken).toBe(4);
      expect(failed.map((f) => f.body).sort()).toEqual(['poison', 'refused']);
      // The whole batch first, then each item alone.
      expect(writes[0]).toEqual(['a', 'b', 'poison']);
      expect(writes.slice(1).map((w) => w.join()).sort()).toEqual(['a', 'b', 'poison']);
      // Only what the items alone wrote is kept, and the outbox is empty.
      expect(await keys()).toEqual(['outbox-a', 'outbox-b']);
      expect((await store.kamailioOutbox.drain(10, { each: async (b) => b, all: async () => {} })).taken).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
