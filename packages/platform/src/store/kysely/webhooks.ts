import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { AsyncStore, AsyncTenantScope, AsyncWebhookEndpointCollection } from '../async-types';
import type { Database, Row } from '../db/tables';
import type { Page } from '../types';
import type { WebhookDeliveryRow, WebhookDeliveryWithAttempts, WebhookEndpointRow, WebhookEventRow } from '../webhook-types';
import { insertRows } from './bulk-insert';
import type { StoreContext } from './context';
import { scopedTenantId, sharedDb, type SharedDatabase, type TenantDb } from './tenant-db';
import type { TenantScope } from '../tenant-scope';
import { defined, keyset, paginate, toWebhookAttempt, toWebhookDelivery, toWebhookEndpoint, toWebhookEvent } from './rows';

/** Who owns a collection of endpoints: a tenant (through its TenantDb), a reseller, or the provider. */
type EndpointOwner = { level: 'tenant'; tenant: TenantDb } | { level: 'reseller'; resellerId: string; system: () => Kysely<Database> } | { level: 'provider'; system: () => Kysely<Database> };

/**
 * One owner's endpoints. Every endpoint query starts from the owner's predicate, so another owner's
 * endpoint id is simply not found; deliveries are read only for an endpoint found that way.
 */
function endpointCollection(owner: EndpointOwner, shared: () => Kysely<SharedDatabase>): AsyncWebhookEndpointCollection {
  const select = (): SelectQueryBuilder<Database, 'webhook_endpoints', {}> => {
    if (owner.level === 'tenant') return owner.tenant.selectFrom('webhook_endpoints').where('level', '=', 'tenant');
    const q = owner.system().selectFrom('webhook_endpoints').where('level', '=', owner.level);
    return owner.level === 'reseller' ? q.where('reseller_id', '=', owner.resellerId) : q;
  };
  const update = () => {
    if (owner.level === 'tenant') return owner.tenant.updateTable('webhook_endpoints').where('level', '=', 'tenant');
    const q = owner.system().updateTable('webhook_endpoints').where('level', '=', owner.level);
    return owner.level === 'reseller' ? q.where('reseller_id', '=', owner.resellerId) : q;
  };
  const remove = () => {
    if (owner.level === 'tenant') return owner.tenant.deleteFrom('webhook_endpoints').where('level', '=', 'tenant');
    const q = owner.system().deleteFrom('webhook_endpoints').where('level', '=', owner.level);
    return owner.level === 'reseller' ? q.where('reseller_id', '=', owner.resellerId) : q;
  };
  const eventTypes = async (ids: readonly string[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const query = owner.level === 'tenant' ? owner.tenant.selectFrom('webhook_events') : owner.system().selectFrom('webhook_events');
    const rows = await query.select(['id', 'type']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.type]));
  };
  const withAttempts = async (deliveries: readonly Row<'webhook_deliveries'>[]): Promise<WebhookDeliveryWithAttempts[]> => {
    const types = await eventTypes([...new Set(deliveries.map((d) => d.event_id))]);
    const out: WebhookDeliveryWithAttempts[] = [];
    for (const d of deliveries) {
      const attempts = await shared().selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', d.id).orderBy('seq').execute();
      out.push({ ...toWebhookDelivery(d, types.get(d.event_id) ?? ''), attempts: attempts.map(toWebhookAttempt) });
    }
    return out;
  };
  const collection: AsyncWebhookEndpointCollection = {
    async list(page) {
      const rows = await select().selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toWebhookEndpoint);
    },
    async get(id) {
      const row = await select().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWebhookEndpoint(row);
    },
    async insert(row) {
      const full: WebhookEndpointRow = {
        ...row,
        level: owner.level,
        resellerId: owner.level === 'reseller' ? owner.resellerId : null,
        tenantId: owner.level === 'tenant' ? owner.tenant.tenantId : null,
      };
      const values = {
        id: full.id,
        level: full.level,
        reseller_id: full.resellerId,
        url: full.url,
        description: full.description,
        enabled_events: JSON.stringify(full.enabledEvents),
        status: full.status,
        secret_sealed: full.secretSealed,
        previous_secret_sealed: full.previousSecretSealed,
        previous_expires_at: full.previousExpiresAt,
        created_at: full.createdAt,
        updated_at: full.updatedAt,
      };
      if (owner.level === 'tenant') await owner.tenant.insertInto('webhook_endpoints', values).execute();
      else await owner.system().insertInto('webhook_endpoints').values({ ...values, tenant_id: null }).execute();
      return full;
    },
    async update(id, patch) {
      const set = defined({
        url: patch.url,
        description: patch.description,
        enabled_events: patch.enabledEvents && JSON.stringify(patch.enabledEvents),
        status: patch.status,
        secret_sealed: patch.secretSealed,
        previous_secret_sealed: patch.previousSecretSealed,
        previous_expires_at: patch.previousExpiresAt,
        updated_at: patch.updatedAt,
      });
      if (Object.keys(set).length > 0) await update().set(set).where('id', '=', id).execute();
      return collection.get(id);
    },
    async delete(id) {
      const result = await remove().where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deliveries(endpointId, page): Promise<Page<WebhookDeliveryWithAttempts>> {
      if (!(await collection.get(endpointId))) return { items: [], next: null };
      const step = keyset(page);
      const rows = await shared()
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!))
        .orderBy('id', step.direction)
        .limit(page.limit + 1)
        .execute();
      const items = await withAttempts(rows.slice(0, page.limit));
      return { items, next: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
    },
    async getDelivery(endpointId, deliveryId) {
      if (!(await collection.get(endpointId))) return undefined;
      const row = await shared().selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).where('id', '=', deliveryId).executeTakeFirst();
      return row && (await withAttempts([row]))[0];
    },
  };
  return collection;
}

export const tenantWebhooks = (tenant: TenantDb): Pick<AsyncTenantScope, 'webhookEndpoints'> => ({
  webhookEndpoints: endpointCollection({ level: 'tenant', tenant }, () => tenant.shared()),
});

/** An event of `scope`'s tenant (null: a platform event) as its table's row. */
const eventValues = (scope: TenantScope | null, row: Omit<WebhookEventRow, 'tenantId'>) => ({
  id: row.id,
  type: row.type,
  tenant_id: scope === null ? null : scopedTenantId(scope),
  created_at: row.createdAt,
  data: row.data,
});

const deliveryValues = (row: Omit<WebhookDeliveryRow, 'eventType'>) => ({
  id: row.id,
  endpoint_id: row.endpointId,
  event_id: row.eventId,
  status: row.status,
  attempt_count: row.attemptCount,
  next_attempt_at: row.nextAttemptAt,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

export function webhookPlatform(ctx: StoreContext): AsyncStore['webhooks'] {
  const system = ctx.db;
  const shared = () => sharedDb(ctx);
  return {
    endpoints: (owner) =>
      endpointCollection(owner === 'provider' ? { level: 'provider', system } : { level: 'reseller', resellerId: owner.resellerId, system }, shared),
    async subscribers(scope) {
      const tenantId = scope === null ? null : scopedTenantId(scope);
      const rows = await system()
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('status', '=', 'enabled')
        .where((eb) => {
          const reach = [eb('level', '=', 'provider')];
          if (tenantId !== null) {
            // The tenant's reseller from the tenant's own row: no caller-supplied reseller id.
            const reseller = eb.selectFrom('tenants').select('reseller_id').where('tenants.id', '=', tenantId);
            reach.push(eb.and([eb('level', '=', 'reseller'), eb('reseller_id', '=', reseller)]));
            reach.push(eb.and([eb('level', '=', 'tenant'), eb('tenant_id', '=', tenantId)]));
          }
          return eb.or(reach);
        })
        .orderBy('id')
        .execute();
      return rows.map(toWebhookEndpoint);
    },
    async insertEvent(scope, row) {
      await system().insertInto('webhook_events').values(eventValues(scope, row)).execute();
    },
    async insertDelivery(row) {
      await system().insertInto('webhook_deliveries').values(deliveryValues(row)).execute();
    },
    async insertEvents(scope, rows) {
      await insertRows(ctx, 'webhook_events', rows.map((row) => eventValues(scope, row)));
    },
    async insertDeliveries(rows) {
      await insertRows(ctx, 'webhook_deliveries', rows.map(deliveryValues));
    },
    async dueAcrossTenants(now, limit, excludeIds, lease) {
      const pick = (db: Kysely<Database>) => {
        let query = db
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
          .select('d.id')
          .where('d.status', '=', 'pending')
          .where('d.next_attempt_at', '<=', now)
          .where('w.status', '=', 'enabled');
        if (excludeIds.length > 0) query = query.where('d.id', 'not in', excludeIds);
        if (lease) query = query.where((eb) => eb.or([eb('d.leased_until', 'is', null), eb('d.leased_until', '<=', now)]));
        query = query.orderBy('d.next_attempt_at').orderBy('d.id').limit(limit);
        // Two nodes polling at once lock disjoint rows instead of queueing behind each other.
        return lease && ctx.conn.dialect === 'postgres' ? query.forUpdate('d').skipLocked() : query;
      };
      let ids: string[];
      if (lease) {
        // Picked and claimed in one statement: the row is claimed before anyone else can pick it.
        const claimed = await system()
          .updateTable('webhook_deliveries')
          .set({ lease_owner: lease.owner, leased_until: lease.until })
          .where('id', 'in', pick(system()))
          .returning(['id', 'next_attempt_at'])
          .execute();
        ids = claimed.sort((a, b) => (a.next_attempt_at ?? '').localeCompare(b.next_attempt_at ?? '') || a.id.localeCompare(b.id)).map((r) => r.id);
      } else {
        ids = (await pick(system()).execute()).map((r) => r.id);
      }
      const jobs = [];
      for (const id of ids) {
        const d = await system().selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
        if (!d) continue;
        const event = await system().selectFrom('webhook_events').selectAll().where('id', '=', d.event_id).executeTakeFirstOrThrow();
        const endpoint = await system().selectFrom('webhook_endpoints').selectAll().where('id', '=', d.endpoint_id).executeTakeFirstOrThrow();
        jobs.push({ delivery: toWebhookDelivery(d, event.type), event: toWebhookEvent(event), endpoint: toWebhookEndpoint(endpoint) });
      }
      return jobs;
    },
    async recordAttempt(deliveryId, attempt, next, owner) {
      return ctx.transaction(async () => {
        // The count is bumped first and read back from the same statement: the row lock it takes
        // (PostgreSQL) orders two nodes recording attempts of one delivery, so seqs never collide.
        let update = system()
          .updateTable('webhook_deliveries')
          .set((eb) => ({
            status: next.status,
            attempt_count: eb('attempt_count', '+', 1),
            next_attempt_at: next.nextAttemptAt,
            updated_at: next.updatedAt,
            lease_owner: null,
            leased_until: null,
          }))
          .where('id', '=', deliveryId);
        // A node whose lease ran out (it stalled past it) must not overwrite the outcome of the
        // node that took the delivery over.
        if (owner !== undefined) update = update.where('lease_owner', '=', owner);
        const updated = await update.returning('attempt_count').executeTakeFirst();
        // The endpoint (and its deliveries) may have been deleted while the attempt ran.
        if (!updated) return false;
        await system()
          .insertInto('webhook_attempts')
          .values({
            delivery_id: deliveryId,
            seq: updated.attempt_count,
            attempted_at: attempt.attemptedAt,
            status_code: attempt.statusCode,
            error: attempt.error,
            duration_ms: attempt.durationMs,
          })
          .execute();
        return true;
      });
    },
    async renewLease(deliveryId, owner, until) {
      const result = await system()
        .updateTable('webhook_deliveries')
        .set({ leased_until: until })
        .where('id', '=', deliveryId)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async releaseLeases(owner) {
      await system().updateTable('webhook_deliveries').set({ lease_owner: null, leased_until: null }).where('lease_owner', '=', owner).execute();
    },
  };
}
