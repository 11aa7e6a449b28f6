/**
 * Work shared by several nodes on one database (docs/decisions/2026-12-01-leasing.md), on both
 * databases. On PostgreSQL two stores opened on one database stand for two nodes; SQLite is one
 * node (one process, one connection), so there both names are the one store and the same
 * statements must give the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../ids';
import type { TenantRow } from '../types';
import { openKyselyStore, type KyselyStore } from './store';
import { testDatabases, type TestDatabase } from './testing';
import { systemScope } from '../../domain/system-scope';

const T0 = '2026-12-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const LIMITS: TenantRow['limits'] = { extensions: 10, channels: 2, messagesPerMinute: 600, storageBytes: 1_000_000, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 };
const uid = (prefix: string) => `${prefix}${newId('ten').slice('ten'.length)}`;

describe.each(testDatabases)('leases on $name', ({ name, create }) => {
  let database: TestDatabase;
  let one: KyselyStore;
  let two: KyselyStore;

  beforeAll(async () => {
    database = await create();
    one = await openKyselyStore(database.options);
    two = name === 'postgres' ? await openKyselyStore(database.options) : one;
  });
  afterAll(async () => {
    await one?.close();
    if (two !== one) await two?.close();
    await database?.drop();
  });

  async function queue(count: number): Promise<string[]> {
    const endpoint = await one.webhooks.endpoints('provider').insert({
      id: uid('we'),
      url: 'https://hooks.example.test/',
      description: '',
      enabledEvents: ['*'],
      status: 'enabled',
      secretSealed: 's',
      previousSecretSealed: null,
      previousExpiresAt: null,
      createdAt: T0,
      updatedAt: T0,
    });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const eventId = uid('evt');
      await one.webhooks.insertEvent(null, { id: eventId, type: 'tenant.updated', createdAt: T0, data: '{}' });
      const id = uid('whd');
      await one.webhooks.insertDelivery({ id, endpointId: endpoint.id, eventId, status: 'pending', attemptCount: 0, nextAttemptAt: T0, createdAt: T0, updatedAt: T0 });
      ids.push(id);
    }
    return ids;
  }

  it('claims each due delivery for one node only, until its lease runs out', async () => {
    const ids = await queue(30);
    const lease = (owner: string) => ({ owner, until: at(60) });
    // Both nodes poll at once, several times, five at a time.
    const polls = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two).webhooks.dueAcrossTenants(at(1), 5, [], lease(i % 2 === 0 ? 'node-1' : 'node-2'))),
    );
    const claimed = polls.flat().map((j) => j.delivery.id).filter((id) => ids.includes(id));
    expect(new Set(claimed).size, 'no delivery claimed twice').toBe(claimed.length);
    expect(claimed.length).toBe(30);
    // Held: nobody gets them again before the lease ends.
    expect((await two.webhooks.dueAcrossTenants(at(30), 100, [], lease('node-3'))).filter((j) => ids.includes(j.delivery.id))).toEqual([]);
    // Ran out (its node died): another node takes them over.
    const takenOver = (await two.webhooks.dueAcrossTenants(at(61), 100, [], lease('node-3'))).map((j) => j.delivery.id).filter((id) => ids.includes(id));
    expect(takenOver.sort()).toEqual([...ids].sort());
  });

  it("records an outcome only while the lease is the recorder's; a stop gives leases back", async () => {
    const [id] = await queue(1);
    const [job] = (await one.webhooks.dueAcrossTenants(at(1), 100, [], { owner: 'node-1', until: at(10) })).filter((j) => j.delivery.id === id);
    expect(job?.event.id).toBeDefined();
    // node-1 stalls past its lease; node-2 takes the delivery over and delivers it.
    const [again] = (await two.webhooks.dueAcrossTenants(at(11), 100, [], { owner: 'node-2', until: at(70) })).filter((j) => j.delivery.id === id);
    expect(again?.event.id, 'the same event id on the retry: receivers dedupe on it').toBe(job?.event.id);
    expect(await one.webhooks.renewLease(id!, 'node-1', at(80)), 'node-1 finds it lost before sending').toBe(false);
    expect(await two.webhooks.renewLease(id!, 'node-2', at(80)), 'node-2 still holds it').toBe(true);
    expect(await two.webhooks.recordAttempt(id!, { attemptedAt: at(12), statusCode: 200, error: null, durationMs: 3 }, { status: 'delivered', nextAttemptAt: null, updatedAt: at(12) }, 'node-2')).toBe(true);
    expect(await two.webhooks.renewLease(id!, 'node-2', at(90)), 'nothing to renew once recorded').toBe(false);
    // node-1's late failure does not put the delivered delivery back in the queue.
    expect(await one.webhooks.recordAttempt(id!, { attemptedAt: at(13), statusCode: 500, error: null, durationMs: 3 }, { status: 'pending', nextAttemptAt: at(20), updatedAt: at(13) }, 'node-1')).toBe(false);
    const delivery = await one.webhooks.endpoints('provider').getDelivery(job!.endpoint.id, id!);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 1 });

    const [cut] = await queue(1);
    expect((await one.webhooks.dueAcrossTenants(at(1), 100, [], { owner: 'node-1', until: at(600) })).map((j) => j.delivery.id)).toContain(cut);
    await one.webhooks.releaseLeases('node-1');
    expect((await two.webhooks.dueAcrossTenants(at(2), 100, [], { owner: 'node-2', until: at(600) })).map((j) => j.delivery.id)).toContain(cut);
  });

  it('hands a delivery whose node died mid-POST to another only once the lease renewed at the fence ran out', async () => {
    // What a SIGKILL mid-delivery leaves (test/two-nodes.test.ts): claimed, lease renewed just
    // before the POST, nothing recorded. The takeover must wait for the renewed lease, not the claim's.
    const [id] = await queue(1);
    const mine = (jobs: Awaited<ReturnType<KyselyStore['webhooks']['dueAcrossTenants']>>) => jobs.filter((j) => j.delivery.id === id);
    const [job] = mine(await one.webhooks.dueAcrossTenants(at(1), 100, [], { owner: 'node-1', until: at(10) }));
    expect(await one.webhooks.renewLease(id!, 'node-1', at(25)), 'the fence before the POST').toBe(true);
    // node-1 dies here.
    expect(mine(await two.webhooks.dueAcrossTenants(at(11), 100, [], { owner: 'node-2', until: at(71) })), "past the claim's lease, within the renewed one").toEqual([]);
    expect(mine(await two.webhooks.dueAcrossTenants(at(24.999), 100, [], { owner: 'node-2', until: at(84) }))).toEqual([]);
    const [taken] = mine(await two.webhooks.dueAcrossTenants(at(25), 100, [], { owner: 'node-2', until: at(85) }));
    expect(taken?.delivery).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect(taken?.event.id, 'the same event id: receivers dedupe on it').toBe(job?.event.id);
    expect(mine(await one.webhooks.dueAcrossTenants(at(26), 100, [], { owner: 'node-3', until: at(86) })), 'held by node-2 now').toEqual([]);
    expect(await two.webhooks.recordAttempt(id!, { attemptedAt: at(25), statusCode: 200, error: null, durationMs: 3 }, { status: 'delivered', nextAttemptAt: null, updatedAt: at(25) }, 'node-2')).toBe(true);
    expect(await one.webhooks.endpoints('provider').getDelivery(job!.endpoint.id, id!)).toMatchObject({ status: 'delivered', attemptCount: 1 });
  });

  it('claims each delivery once while deliveries are queued and recorded all the while', async () => {
    const [seedId] = await queue(1);
    const endpointId = (await one.webhooks.dueAcrossTenants(at(0), 100, [], { owner: 'seed', until: at(0) })).find((j) => j.delivery.id === seedId)!.endpoint.id;
    const claims = new Map<string, string[]>();
    let queuing = true;
    const inserter = (async () => {
      for (let i = 0; i < 120; i++) {
        await one.transaction(async () => {
          const eventId = uid('evt');
          await one.webhooks.insertEvent(null, { id: eventId, type: 'tenant.updated', createdAt: T0, data: '{}' });
          await one.webhooks.insertDelivery({ id: uid('whd'), endpointId, eventId, status: 'pending', attemptCount: 0, nextAttemptAt: T0, createdAt: T0, updatedAt: T0 });
        });
      }
      queuing = false;
    })();
    const node = async (store: KyselyStore, owner: string) => {
      const sending: Promise<unknown>[] = [];
      for (let idle = 0; queuing || idle < 5; ) {
        const jobs = await store.webhooks.dueAcrossTenants(at(1), 16, [], { owner, until: at(60) });
        idle = jobs.length === 0 ? idle + 1 : 0;
        for (const job of jobs) {
          claims.set(job.delivery.id, [...(claims.get(job.delivery.id) ?? []), owner]);
          sending.push(
            new Promise((r) => setTimeout(r, Math.random() * 30)).then(() =>
              store.webhooks.recordAttempt(job.delivery.id, { attemptedAt: at(2), statusCode: 200, error: null, durationMs: 1 }, { status: 'delivered', nextAttemptAt: null, updatedAt: at(2) }, owner),
            ),
          );
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return Promise.all(sending);
    };
    await Promise.all([inserter, node(one, 'node-1'), node(two, 'node-2'), node(two, 'node-3')]);
    const twice = [...claims].filter(([, owners]) => owners.length > 1);
    expect(twice).toEqual([]);
    expect(claims.size).toBeGreaterThanOrEqual(120);
  });

  it('gives a job to one node at a time, and to another once the lease ran out', async () => {
    const job = uid('job.');
    const results = await Promise.all([one, two, one, two].map((store, i) => store.leases.jobs.acquire(job, `node-${i}`, at(0), at(30))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = `node-${results.indexOf(true)}`;
    expect(await two.leases.jobs.acquire(job, holder, at(10), at(40)), 'the holder renews').toBe(true);
    expect(await one.leases.jobs.acquire(job, 'node-x', at(39), at(70))).toBe(false);
    expect(await one.leases.jobs.acquire(job, 'node-x', at(40), at(70)), 'taken over once it ran out').toBe(true);
    expect(await two.leases.jobs.acquire(job, holder, at(41), at(80)), 'the old holder lost it').toBe(false);
    await one.leases.jobs.release(job, 'node-x');
    expect(await two.leases.jobs.acquire(job, holder, at(42), at(80)), 'free once released').toBe(true);
  });

  it('counts a rate window across nodes: exactly max of a parallel burst get through', async () => {
    const bucket = uid('test:');
    const now = Date.parse(T0);
    const takes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).leases.rates.take(bucket, uid('rte'), now, 60_000, 10)));
    expect(takes.filter((wait) => wait === 0)).toHaveLength(10);
    expect(Math.min(...takes.filter((wait) => wait > 0))).toBe(60_000);
    expect(await one.leases.rates.take(bucket, uid('rte'), now + 60_000, 60_000, 10), 'the window moved on').toBe(0);
    expect(await one.leases.rates.purgeUpTo(now)).toBeGreaterThanOrEqual(10);
  });

  it('lets one of two nodes create the last row under a cap when both count at once', async () => {
    const tenantId = uid('ten');
    await one.tenants.insert({ id: tenantId, resellerId: null, name: 'Capped', slug: tenantId.toLowerCase(), status: 'active', limits: LIMITS, createdAt: T0, updatedAt: T0 });
    for (let n = 0; n < 9; n++) {
      await one.tenant(systemScope('test fixture', tenantId)).trunks.insert({ id: uid('trk'), name: `t${n}`, username: `u${n}`, ha1: 'a'.repeat(32), callerId: null, createdAt: T0, updatedAt: T0 });
    }
    // What a create does: lock, count, insert when under the cap. The pause between count and
    // insert is where two unlocked transactions would both see nine.
    const create = (store: KyselyStore, n: number) =>
      store.transaction(async () => {
        await store.leases.lockTenant(systemScope('test fixture', tenantId));
        const count = await store.tenant(systemScope('test fixture', tenantId)).trunks.count();
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (count >= LIMITS.trunks) return false;
        await store.tenant(systemScope('test fixture', tenantId)).trunks.insert({ id: uid('trk'), name: `x${n}`, username: `x${n}`, ha1: 'a'.repeat(32), callerId: null, createdAt: T0, updatedAt: T0 });
        return true;
      });
    const created = await Promise.all([create(one, 1), create(two, 2), create(one, 3), create(two, 4)]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await one.tenant(systemScope('test fixture', tenantId)).trunks.count()).toBe(10);
  });

  it.runIf(name === 'postgres')('claims with FOR UPDATE SKIP LOCKED: a node never waits on rows another is claiming', async () => {
    const ids = await queue(3);
    // node-1's claim stays open in a transaction; node-2's poll returns at once without them.
    let releaseOne!: () => void;
    const holding = new Promise<void>((resolve) => (releaseOne = resolve));
    let claimedByOne: string[] = [];
    const first = one.transaction(async () => {
      claimedByOne = (await one.webhooks.dueAcrossTenants(at(1), 100, [], { owner: 'node-1', until: at(60) })).map((j) => j.delivery.id);
      await holding;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const seenByTwo = (await two.webhooks.dueAcrossTenants(at(1), 100, [], { owner: 'node-2', until: at(60) })).map((j) => j.delivery.id);
    expect(Date.now() - started).toBeLessThan(1000);
    releaseOne();
    await first;
    expect(claimedByOne).toEqual(expect.arrayContaining(ids));
    expect(seenByTwo.filter((id) => ids.includes(id))).toEqual([]);
  });
});
