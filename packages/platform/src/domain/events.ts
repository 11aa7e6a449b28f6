import type { WebhookEventType } from '@highrise/sdk/schemas';
import { newId } from '../ids';
import type { DomainContext } from './context';
import type { TenantScope } from '../store/tenant-scope';

export type { WebhookEventType };

export interface EventDraft {
  type: WebhookEventType;
  /** The tenant the event concerns, as the caller reached it; null for a platform event (provider endpoints only). */
  scope: TenantScope | null;
  /** The resource after the change (before it, for a deletion), as the domain holds it. */
  data: object;
}

/**
 * Records an event and queues one delivery per enabled endpoint subscribed to it: every provider
 * endpoint, the tenant's reseller's endpoints, the tenant's own. Call it inside the mutation's
 * transaction (it joins it), so an event exists exactly when its change was committed and the
 * delivery loop can never send news of a change that was rolled back.
 *
 * `data` is turned into the resource as the API presents it by `ctx.presentEvent` (the HTTP layer
 * installs it; the domain does not know the API's shapes). An event nobody subscribes to is not
 * stored: the table is a delivery queue, not an event log (that is the audit log's job).
 * Returns the event id, or null when nobody was subscribed.
 */
export async function emitEvent(ctx: DomainContext, draft: EventDraft): Promise<string | null> {
  return (await emitEvents(ctx, draft.type, draft.scope, [draft.data]))[0] ?? null;
}

/**
 * One event of `type` per item of `data` (a batch's), in order, with the subscribers looked up once:
 * a batch nobody subscribes to costs one query, not one per item. Returns the event ids, or nulls.
 */
export async function emitEvents(ctx: DomainContext, type: WebhookEventType, scope: TenantScope | null, data: readonly object[]): Promise<(string | null)[]> {
  return ctx.store.transaction(async () => {
    const subscribers = (await ctx.store.webhooks
      .subscribers(scope))
      .filter((endpoint) => endpoint.enabledEvents.includes('*') || endpoint.enabledEvents.includes(type));
    if (subscribers.length === 0) return data.map(() => null);
    const now = ctx.now().toISOString();
    const events = data.map((item) => ({ id: newId('evt'), type, createdAt: now, data: JSON.stringify(ctx.presentEvent ? ctx.presentEvent(type, item) : item) }));
    // One insert for the events and one for their deliveries, however many items and subscribers.
    await ctx.store.webhooks.insertEvents(scope, events);
    await ctx.store.webhooks.insertDeliveries(
      events.flatMap((event) =>
        subscribers.map((endpoint) => ({ id: newId('whd'), endpointId: endpoint.id, eventId: event.id, status: 'pending' as const, attemptCount: 0, nextAttemptAt: now, createdAt: now, updatedAt: now })),
      ),
    );
    return events.map((event) => event.id);
  });
}
