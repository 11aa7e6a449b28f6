import { sql, type ExpressionBuilder } from 'kysely';
import type { AsyncStore, AsyncTenantScope, DirectoryChangeSource } from '../async-types';
import { connect, type ConnectOptions } from '../db/connect';
import { migrateTo, migrateUp, schemaVersion } from '../db/migrate';
import type { Database } from '../db/tables';
import type { AuditEventRow, AuditFilter } from '../types';
import { insertRows } from './bulk-insert';
import { changeFeedFor } from './change-feed';
import { createContext, type StoreContext } from './context';
import { numberInventory, tenantDialPlan } from './dial-plan';
import { platformIdentity, tenantIdentity } from './identity';
import { platformBranding, tenantBranding } from './branding';
import { portingPlatform, tenantPorting } from './porting';
import { scopedTenantId, tenantDb, type TenantDb } from './tenant-db';
import { tenantLifecycle } from './lifecycle';
import type { TenantScope } from '../tenant-scope';
import { tenantWebhooks, webhookPlatform } from './webhooks';
import { leasePlatform } from './leases';
import { kamailioOutbox } from './kamailio-outbox';
import { analyticsPlatform, tenantCallAnalytics } from './analytics';
import { callRecordsPlatform } from './call-records';
import { tenantUsageRollups, usageAnalytics, usageRollupsPlatform } from './usage-rollups';
import { defined, keyset, paginate, toAudit, toCall, toExtension, toIdempotency, toReseller, toTenant } from './rows';

export type KyselyStoreOptions = ConnectOptions & {
  /** Schema version to migrate to on open; default the newest (several nodes may do this at once). */
  migrateTo?: number | undefined;
};

/** Today's store contract, async, plus the directory change notifications the SIP edge's cache needs. */
export type KyselyStore = AsyncStore & DirectoryChangeSource;

/**
 * A batch's one audit event names every extension it made inside its changes (domain/extensions.ts),
 * so a search by an extension's id finds its creation there too: the id as a JSON string, matched
 * only in batch events (LIKE needs no dialect switch; `%`, `_` and `\` are escaped).
 */
const batchNaming = (eb: ExpressionBuilder<Database, 'audit_events'>, targetId: string) =>
  eb.and([
    eb('action', '=', 'extension.batch_created'),
    sql<boolean>`${eb.ref('changes')} LIKE ${`%${JSON.stringify(targetId).replace(/[\\%_]/g, '\\$&')}%`} ESCAPE '\\'`,
  ]);

/** The audit filters as predicates, shared by the tenant's and the platform-wide list. */
function auditFilter(eb: ExpressionBuilder<Database, 'audit_events'>, filter: AuditFilter) {
  const and = [];
  if (filter.actorKeyId !== undefined) and.push(eb('actor_key_id', '=', filter.actorKeyId));
  if (filter.action !== undefined) and.push(eb('action', '=', filter.action));
  if (filter.targetId !== undefined) and.push(eb.or([eb('target_id', '=', filter.targetId), batchNaming(eb, filter.targetId)]));
  if (filter.from !== undefined) and.push(eb('occurred_at', '>=', filter.from));
  if (filter.to !== undefined) and.push(eb('occurred_at', '<', filter.to));
  return eb.and(and);
}

/** An audit event as its table's row, in the chain of `scope`'s tenant (null: the platform's). */
const auditValues = (scope: TenantScope | null, e: Omit<AuditEventRow, 'tenantId'>) => ({
  id: e.id,
  occurred_at: e.occurredAt,
  actor_key_id: e.actorKeyId,
  tenant_id: chainOf(scope),
  action: e.action,
  target_id: e.targetId,
  request_id: e.requestId,
  actor_principal: e.actorPrincipal ?? null,
  actor_role: e.actorRole ?? null,
  target_type: e.targetType ?? null,
  changes: e.changes ?? null,
  source_address: e.sourceAddress ?? null,
  chain_seq: e.chainSeq ?? null,
  prev_hash: e.prevHash ?? null,
  hash: e.hash ?? null,
});

/** The chain a scope names: its tenant's, checked to be a real scope, or the platform's for null. */
const chainOf = (scope: TenantScope | null): string | null => (scope === null ? null : scopedTenantId(scope));
const inChain = (eb: ExpressionBuilder<Database, 'audit_events'>, tenantId: string | null) => (tenantId === null ? eb('tenant_id', 'is', null) : eb('tenant_id', '=', tenantId));

function tenantCore(tenant: TenantDb, scope: TenantScope, records: AsyncStore['callRecords'], dialect: StoreContext['conn']['dialect']): Pick<AsyncTenantScope, 'extensions' | 'auditEvents' | 'calls'> {
  const extensions: AsyncTenantScope['extensions'] = {
    async list(page) {
      const rows = await tenant.selectFrom('extensions').selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toExtension);
    },
    async get(id) {
      const row = await tenant.selectFrom('extensions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toExtension(row);
    },
    async getByNumber(number) {
      const row = await tenant.selectFrom('extensions').selectAll().where('number', '=', number).executeTakeFirst();
      return row && toExtension(row);
    },
    async count() {
      const row = await tenant.selectFrom('extensions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insert(row) {
      await tenant
        .insertInto('extensions', { id: row.id, number: row.number, display_name: row.displayName, ha1: row.ha1, created_at: row.createdAt, updated_at: row.updatedAt })
        .execute();
      return { ...row, tenantId: tenant.tenantId };
    },
    async insertMany(rows) {
      await tenant.insertRows('extensions', rows.map((row) => ({ id: row.id, number: row.number, display_name: row.displayName, ha1: row.ha1, created_at: row.createdAt, updated_at: row.updatedAt })));
    },
    async takenNumbers(numbers) {
      if (numbers.length === 0) return [];
      // A tenant holding fewer numbers than asked about (a new tenant's first batch holds none) is
      // read whole and matched here: cheaper than looking up each number (SQLite first builds a
      // table of the list, twice). A tenant holding as many or more is asked number by number.
      const held = await tenant.selectFrom('extensions').select('number').unionAll(tenant.selectFrom('ring_groups').select('number')).limit(numbers.length).execute();
      if (held.length < numbers.length) {
        const asked = new Set(numbers);
        return held.filter((r) => asked.has(r.number)).map((r) => r.number);
      }
      // The list as one bound array, not a parameter per number: a batch's thousand would cost
      // Kysely's compiler, and SQLite's parser, more than the lookup itself.
      const list = () =>
        dialect === 'postgres' ? sql<string>`(SELECT unnest(${[...numbers]}::text[]))` : sql<string>`(SELECT value FROM json_each(${JSON.stringify(numbers)}))`;
      const taken = await tenant
        .selectFrom('extensions')
        .select('number')
        .where('number', 'in', list())
        .unionAll(tenant.selectFrom('ring_groups').select('number').where('number', 'in', list()))
        .execute();
      return taken.map((r) => r.number);
    },
    async update(id, patch) {
      const set = defined({ display_name: patch.displayName, ha1: patch.ha1, updated_at: patch.updatedAt });
      if (Object.keys(set).length > 0) await tenant.updateExtension(id).set(set).execute();
      return extensions.get(id);
    },
    async delete(id) {
      const result = await tenant.deleteExtension(id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
  return {
    extensions,
    auditEvents: {
      async list(page, filter = {}) {
        const step = keyset(page);
        const rows = await tenant
          .selectFrom('audit_events')
          .selectAll()
          .$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!))
          .where((eb) => auditFilter(eb, filter))
          .orderBy('id', step.direction)
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toAudit);
      },
      async chainAfter(afterSeq, limit) {
        const rows = await tenant.selectFrom('audit_events').selectAll().where('chain_seq', '>', afterSeq).orderBy('chain_seq').limit(limit).execute();
        return rows.map(toAudit);
      },
    },
    calls: {
      async insert(row) {
        // The record and its hour's rollups are one write: a summary never disagrees with the records.
        await records.append([{ scope, row }]);
        return { ...row, tenantId: tenant.tenantId };
      },
      async get(id) {
        const row = await tenant.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toCall(row);
      },
      async list(page, filter = {}) {
        const step = keyset(page);
        const rows = await tenant
          .selectFrom('calls')
          .selectAll()
          .$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!))
          .where((eb) => {
            const and = [];
            if (filter.from !== undefined) and.push(eb('from_number', '=', filter.from));
            if (filter.to !== undefined) and.push(eb('to_number', '=', filter.to));
            if (filter.extension !== undefined) and.push(eb.or([eb('from_number', '=', filter.extension), eb('to_number', '=', filter.extension)]));
            if (filter.disposition !== undefined) and.push(eb('disposition', '=', filter.disposition));
            if (filter.direction !== undefined) and.push(eb('direction', '=', filter.direction));
            if (filter.startedFrom !== undefined) and.push(eb('started_at', '>=', filter.startedFrom));
            if (filter.startedBefore !== undefined) and.push(eb('started_at', '<', filter.startedBefore));
            return eb.and(and);
          })
          .orderBy('id', step.direction)
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toCall);
      },
      ...tenantCallAnalytics(tenant),
    },
  };
}

function platformCore(ctx: StoreContext): Pick<AsyncStore, 'settings' | 'resellers' | 'tenants' | 'idempotency' | 'audit'> {
  const system = ctx.db;
  const tenants: AsyncStore['tenants'] = {
    async insert(row) {
      await system()
        .insertInto('tenants')
        .values({
          id: row.id,
          reseller_id: row.resellerId,
          name: row.name,
          slug: row.slug,
          status: row.status,
          limit_extensions: row.limits.extensions,
          limit_channels: row.limits.channels,
          limit_messages_per_minute: row.limits.messagesPerMinute,
          limit_storage_bytes: row.limits.storageBytes,
          limit_dial_rules: row.limits.dialRules,
          limit_ring_groups: row.limits.ringGroups,
          limit_trunks: row.limits.trunks,
          limit_open_port_orders: row.limits.openPortOrders,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        })
        .execute();
      await ctx.directoryChanged({ kind: 'tenant', tenantId: row.id });
      // As `get` reads it back: a new tenant is not deleted.
      return { ...row, deletedAt: null, purgeAt: null };
    },
    async get(id) {
      const row = await system().selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    async getBySlug(slug) {
      const row = await system().selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toTenant(row);
    },
    async list(page, filter = {}) {
      let query = system().selectFrom('tenants').selectAll().where('id', '>', page.after ?? '');
      if (filter.resellerId !== undefined) query = query.where('reseller_id', '=', filter.resellerId);
      if (filter.id !== undefined) query = query.where('id', '=', filter.id);
      query = query.where('deleted_at', filter.deleted === true ? 'is not' : 'is', null);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const rows = await query.orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toTenant);
    },
    async update(id, patch) {
      const limits = patch.limits;
      const set = defined({
        name: patch.name,
        status: patch.status,
        updated_at: patch.updatedAt,
        limit_extensions: limits?.extensions,
        limit_channels: limits?.channels,
        limit_messages_per_minute: limits?.messagesPerMinute,
        limit_storage_bytes: limits?.storageBytes,
        limit_dial_rules: limits?.dialRules,
        limit_ring_groups: limits?.ringGroups,
        limit_trunks: limits?.trunks,
        limit_open_port_orders: limits?.openPortOrders,
      });
      if (Object.keys(set).length > 0) {
        await system().updateTable('tenants').set(set).where('id', '=', id).execute();
        await ctx.directoryChanged({ kind: 'tenant', tenantId: id });
      }
      return tenants.get(id);
    },
  };
  const resellers: AsyncStore['resellers'] = {
    async insert(row) {
      await system().insertInto('resellers').values({ id: row.id, name: row.name, status: row.status, created_at: row.createdAt, updated_at: row.updatedAt }).execute();
      return row;
    },
    async get(id) {
      const row = await system().selectFrom('resellers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toReseller(row);
    },
    async list(page) {
      const rows = await system().selectFrom('resellers').selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toReseller);
    },
    async update(id, patch) {
      const set = defined({ name: patch.name, status: patch.status, updated_at: patch.updatedAt });
      if (Object.keys(set).length > 0) {
        await system().updateTable('resellers').set(set).where('id', '=', id).execute();
        // A reseller's status decides whether its tenants are in service.
        await ctx.directoryChanged({ kind: 'all' });
      }
      return resellers.get(id);
    },
  };
  return {
    settings: {
      async get(key) {
        const row = await system().selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
        return row?.value;
      },
      async getOrInsert(key, value) {
        await system()
          .insertInto('settings')
          .values({ key, value })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        const row = await system().selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
        return row.value;
      },
    },
    resellers,
    tenants,
    idempotency: {
      async get(apiKeyId, key) {
        const row = await system().selectFrom('idempotency_records').selectAll().where('api_key_id', '=', apiKeyId).where('idempotency_key', '=', key).executeTakeFirst();
        return row && toIdempotency(row);
      },
      async tryLock(_apiKeyId, key) {
        if (ctx.conn.dialect !== 'postgres') return true;
        // The two-int form, with a class of our own: single-bigint advisory locks (audit chain,
        // rates, migrations) are another key space, and kamailio_take_channel's class is
        // hashtext('kamailio_channels'). Two keys whose hashes collide only make one wait for a 409.
        const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext('highrise.idempotency'), hashtext(${key})) AS locked`.execute(system());
        return rows[0]!.locked;
      },
      async claim(record) {
        const result = await system()
          .insertInto('idempotency_records')
          .values({ api_key_id: record.apiKeyId, idempotency_key: record.idempotencyKey, request_hash: record.requestHash, state: 'in_flight', created_at: record.createdAt })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
      },
      async complete(apiKeyId, key, status, body) {
        await system()
          .updateTable('idempotency_records')
          .set({ state: 'done', response_status: status, response_body: body })
          .where('api_key_id', '=', apiKeyId)
          .where('idempotency_key', '=', key)
          .execute();
      },
      async release(apiKeyId, key) {
        await system().deleteFrom('idempotency_records').where('api_key_id', '=', apiKeyId).where('idempotency_key', '=', key).execute();
      },
      async purgeCreatedBefore(createdAt) {
        const result = await system().deleteFrom('idempotency_records').where('created_at', '<', createdAt).executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    },
    audit: {
      async record(scope, e) {
        await system().insertInto('audit_events').values(auditValues(scope, e)).execute();
      },
      async recordMany(scope, events) {
        await insertRows(ctx, 'audit_events', events.map((e) => auditValues(scope, e)));
      },
      async head(scope) {
        const tenantId = chainOf(scope);
        // Reading the head is the first half of an append (head, then seq + 1). On PostgreSQL two
        // transactions could read the same head; a per-chain lock held to commit serialises them
        // (SQLite has one writer at a time already). The unique index stays the last word.
        if (ctx.conn.dialect === 'postgres' && ctx.inTransaction()) {
          await sql`SELECT pg_advisory_xact_lock(hashtext(${`highrise.audit_chain:${tenantId ?? ''}`}))`.execute(system());
        }
        const row = await system()
          .selectFrom('audit_events')
          .select(['chain_seq', 'hash'])
          .where((eb) => inChain(eb, tenantId))
          .where('chain_seq', 'is not', null)
          .orderBy('chain_seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row && row.chain_seq !== null && row.hash !== null ? { chainSeq: row.chain_seq, hash: row.hash } : undefined;
      },
      async chainAfter(scope, afterSeq, limit) {
        const tenantId = chainOf(scope);
        const rows = await system()
          .selectFrom('audit_events')
          .selectAll()
          .where((eb) => inChain(eb, tenantId))
          .where('chain_seq', '>', afterSeq)
          .orderBy('chain_seq')
          .limit(limit)
          .execute();
        return rows.map(toAudit);
      },
      async chainsAcrossTenants() {
        const rows = await system().selectFrom('audit_events').select('tenant_id').distinct().where('chain_seq', 'is not', null).execute();
        return rows.map((r) => r.tenant_id);
      },
      async anyHashStartingWithAcrossTenants(prefix) {
        const row = await system()
          .selectFrom('audit_events')
          .select('id')
          .where((eb) => eb(eb.fn('substr', ['hash', eb.val(1), eb.val(prefix.length)]), '=', prefix))
          .limit(1)
          .executeTakeFirst();
        return row !== undefined;
      },
      async rehash(scope, id, prevHash, hash) {
        const tenantId = chainOf(scope);
        await system().updateTable('audit_events').set({ prev_hash: prevHash, hash }).where('id', '=', id).where((eb) => inChain(eb, tenantId)).execute();
      },
      async listAcrossTenants(page, filter) {
        const step = keyset(page);
        let query = system().selectFrom('audit_events').selectAll().$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!));
        if (filter.resellerId !== undefined) {
          const resellerId = filter.resellerId;
          query = query.where('tenant_id', 'in', (eb) => eb.selectFrom('tenants').select('id').where('reseller_id', '=', resellerId));
        }
        const rows = await query
          .where((eb) => auditFilter(eb, filter))
          .orderBy('id', step.direction)
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toAudit);
      },
    },
  };
}

/**
 * Opens the store on SQLite (`{ sqlite: { dataDir } }`, the embedded default, in `highrise.db`)
 * or PostgreSQL (`{ postgres: { url } }`), migrating it to the newest
 * schema first (under the migration lock: several nodes may open one database at once).
 */
export async function openKyselyStore(options: KyselyStoreOptions): Promise<KyselyStore> {
  const conn = connect(options);
  try {
    if (options.migrateTo === undefined) await migrateUp(conn);
    else await migrateTo(conn, options.migrateTo);
  } catch (error) {
    await conn.close();
    throw error;
  }
  const feed = await changeFeedFor(conn).catch(async (error: unknown) => {
    await conn.close();
    throw error;
  });
  const ctx = createContext(conn, {
    onCommit: (how) => feed.committed(how),
    beforeCommit: feed.beforeCommit,
    directoryCommitted: (changes, how) => feed.directoryCommitted(changes, how),
  });

  const callRecords = callRecordsPlatform(ctx);
  const tenant = (scope: TenantScope): AsyncTenantScope => {
    const scoped = tenantDb(ctx, scope);
    return {
      tenantId: scoped.tenantId,
      ...tenantCore(scoped, scope, callRecords, ctx.conn.dialect),
      ...tenantIdentity(scoped),
      ...tenantBranding(scoped),
      ...tenantDialPlan(scoped),
      ...tenantPorting(ctx, scoped),
      ...tenantWebhooks(scoped),
      ...tenantUsageRollups(scoped),
    };
  };

  return {
    transaction: ctx.transaction,
    tenant,
    numbers: numberInventory(ctx),
    lifecycle: tenantLifecycle(ctx),
    porting: portingPlatform(ctx),
    webhooks: webhookPlatform(ctx),
    leases: leasePlatform(ctx),
    kamailioOutbox: kamailioOutbox(ctx),
    analytics: { ...analyticsPlatform(ctx), ...usageAnalytics(ctx) },
    callRecords,
    usageRollups: usageRollupsPlatform(ctx),
    ...platformCore(ctx),
    ...platformIdentity(ctx),
    ...platformBranding(ctx),
    changeVersion: async () => feed.version(),
    onDirectoryChange: (listener) => feed.onDirectoryChange(listener),
    migrateTo: async (version) => {
      await migrateTo(conn, version);
    },
    schemaVersion: () => schemaVersion(conn),
    close: async () => {
      await feed.close();
      await conn.close();
    },
  };
}
