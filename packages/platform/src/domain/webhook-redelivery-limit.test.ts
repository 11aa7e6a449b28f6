/**
 * The redelivery limit under parallel requests, on both databases. On PostgreSQL the transaction
 * that queues a redelivery spans real I/O, so a limit checked before it and counted after it lets
 * every request in flight through; the slot has to be taken before the first await.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKyselyStore, type KyselyStore } from '../store/kysely/store';
import { testDatabases, type TestDatabase } from '../store/kysely/testing';
import { auditKeyFrom } from './audit-key';
import type { DomainContext } from './context';
import { NotFound, RateLimited } from './errors';
import { newId } from '../ids';
import type { Actor } from './principal';
import { createWebhookEndpoint, redeliverWebhook, webhookRules } from './webhooks';

const provider: Actor = { principal: { kind: 'provider', keyId: 'key_provider0000', roleId: 'rol_providerOwner', permissions: new Set() }, requestId: 'req_test' };
const owner = { principal: provider.principal };

describe.each(testDatabases)('webhook redelivery limit on $name', ({ create }) => {
  let database: TestDatabase;
  let store: KyselyStore;
  let ctx: DomainContext;

  beforeAll(async () => {
    database = await create();
    store = await openKyselyStore(database.options);
    ctx = { store, baseSipDomain: 'sip.example.test', auditKey: auditKeyFrom('unit-test audit key of at least 32 bytes'), now: () => new Date(), webhooks: webhookRules({ redeliveryLimit: { max: 10, windowSeconds: 60 } }) };
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('queues exactly ten of 20 parallel redeliveries and refuses ten; refused ones give their slot back', async () => {
    const { endpoint } = await createWebhookEndpoint(ctx, provider, owner, { url: 'https://hooks.example.com/highrise', enabledEvents: ['*'], description: '', status: 'enabled' });
    const now = new Date().toISOString();
    const eventId = newId('evt');
    const deliveryId = newId('whd');
    await store.webhooks.insertEvent(null, { id: eventId, type: 'tenant.updated', createdAt: now, data: '{}' });
    await store.webhooks.insertDelivery({ id: deliveryId, endpointId: endpoint.id, eventId, status: 'delivered', attemptCount: 1, nextAttemptAt: null, createdAt: now, updatedAt: now });

    // Requests that fail (an unknown delivery) take a slot while in flight and must give it back.
    const unknown = await Promise.allSettled(Array.from({ length: 5 }, () => redeliverWebhook(ctx, provider, owner, endpoint.id, 'whd_00000000000000000000000000')));
    expect(unknown.every((o) => o.status === 'rejected' && o.reason instanceof NotFound)).toBe(true);

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => redeliverWebhook(ctx, provider, owner, endpoint.id, deliveryId)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof RateLimited)).toHaveLength(10);
    expect((await store.webhooks.endpoints('provider').deliveries(endpoint.id, { limit: 100 })).items).toHaveLength(11);
  });
});
