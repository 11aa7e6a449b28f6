import type { WebhookEventType } from '@highrise/sdk/schemas';
import { newId } from '../ids';
import type { DomainContext } from './context';

export type { WebhookEventType };

export interface EventDraft {
  type: WebhookEventType;
  /** The tenant the event concerns; null for a platform event (provider endpoints only). */
  tenantId: string | null;
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
  return (await emitEvents(ctx, draft.type, draft.tenantId, [draft.data]))[0] ?? null;
}

/**
 * One event of `type` per item of `data` (a batch's), in order, with the subscribers looked up once:
 * a batch nobody subscribes to costs one query, not one per item. Returns the event ids, or nulls.
 */
export async function emitEvents(ctx: DomainContext, type: WebhookEventType, tenantId: string | null, data: readonly object[]): Promise<(string | null)[]> {
  return ctx.store.transaction(async () => {
    const resellerId = tenantId === null ? null : ((await ctx.store.tenants.get(tenantId))?.resellerId ?? null);
    const subscribers = (await ctx.store.webhooks
      .subscribers(tenantId, resellerId))
      .filter((endpoint) => endpoint.enabledEvents.includes('*') || endpoint.enabledEvents.includes(type));
    if (subscribers.length === 0) return data.map(() => null);
    const ids: string[] = [];
    for (const item of data) ids.push(await queueEvent(ctx, { type, tenantId, data: item }, subscribers));
    return ids;
  });
}

async function queueEvent(ctx: DomainContext, draft: EventDraft, subscribers: readonly { id: string }[]): Promise<string> {
  const now = ctx.now().toISOString();
  const eventId = newId('evt');
  const data = ctx.presentEvent ? ctx.presentEvent(draft.type, draft.data) : draft.data;
  await ctx.store.webhooks.insertEvent({ id: eventId, type: draft.type, tenantId: draft.tenantId, createdAt: now, data: JSON.stringify(data) });
  for (const endpoint of subscribers) {
    await ctx.store.webhooks.insertDelivery({
      id: newId('whd'),
      endpointId: endpoint.id,
      eventId,
      status: 'pending',
      attemptCount: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    });
  }
  return eventId;
}
