import type { AsyncStore, AsyncTenantScope } from '../async-types';
import type { RowPatch } from '../db/tables';
import type { PortDocumentKindName, PortOrderPatch } from '../porting-types';
import { isUniqueViolation, type StoreContext } from './context';
import type { TenantDb } from './tenant-db';
import { defined, keyset, paginate, toPortComment, toPortDocument, toPortEvent, toPortOrder } from './rows';

function orderColumns(p: PortOrderPatch): RowPatch<'port_orders'> {
  return defined({
    status: p.status,
    carrier_name: p.carrierName,
    account_number: p.accountNumber,
    pin: p.pin,
    authorised_person: p.authorisedPerson && JSON.stringify(p.authorisedPerson),
    service_address: p.serviceAddress && JSON.stringify(p.serviceAddress),
    requested_foc_date: p.requestedFocDate,
    foc_date: p.focDate,
    destination_type: p.destination?.type,
    destination_target: p.destination?.target,
    exception_reason: p.exceptionReason,
    exception_message: p.exceptionMessage,
    carrier_ref: p.carrierRef,
    updated_at: p.updatedAt,
    submitted_at: p.submittedAt,
    completed_at: p.completedAt,
    cancelled_at: p.cancelledAt,
  });
}

export function portingPlatform(ctx: StoreContext): AsyncStore['porting'] {
  const system = ctx.db;
  return {
    async ordersInAcrossTenants(statuses, limit) {
      if (statuses.length === 0) return [];
      const rows = await system()
        .selectFrom('port_orders')
        .select(['id', 'tenant_id'])
        .where('status', 'in', statuses)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
    },
    async staleDraftsAcrossTenants(before, limit) {
      const rows = await system()
        .selectFrom('port_orders')
        .select(['id', 'tenant_id'])
        .where('status', '=', 'draft')
        .where('updated_at', '<', before)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
    },
    async numberClaimsAcrossTenants(numbers, exceptOrderId) {
      if (numbers.length === 0) return [];
      const onPlatform = await system().selectFrom('numbers').select(['number', 'tenant_id']).where('number', 'in', numbers).execute();
      let held = system().selectFrom('port_order_numbers').select(['number', 'tenant_id', 'order_id']).where('open', '=', 1).where('number', 'in', numbers);
      if (exceptOrderId !== undefined) held = held.where('order_id', '!=', exceptOrderId);
      return [
        ...onPlatform.map((r) => ({ number: r.number, tenantId: r.tenant_id, orderId: null })),
        ...(await held.execute()).map((r) => ({ number: r.number, tenantId: r.tenant_id, orderId: r.order_id })),
      ];
    },
    async listAcrossTenants(page, filter) {
      // Tenants kept for their purge are out of every listing, as in GET /v1/tenants.
      const step = keyset(page);
      const rows = await system()
        .selectFrom('port_orders')
        .selectAll()
        .where('tenant_id', 'in', (eb) => {
          const live = eb.selectFrom('tenants').select('id').where('deleted_at', 'is', null);
          return filter.visible === 'all' ? live : live.where('reseller_id', '=', filter.visible.resellerId);
        })
        .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
        .$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!))
        .orderBy('id', step.direction)
        .limit(page.limit + 1)
        .execute();
      return paginate(rows, page.limit, toPortOrder);
    },
    async numbersAcrossTenants(numbers) {
      if (numbers.length === 0) return [];
      const rows = await system().selectFrom('numbers').select('number').where('number', 'in', numbers).execute();
      return rows.map((r) => r.number);
    },
  };
}

export function tenantPorting(ctx: StoreContext, tenant: TenantDb): Pick<AsyncTenantScope, 'portOrders'> {
  // Inserted unreserved: an order holds its numbers only from submit on (reserveNumbers).
  const insertNumbers = async (orderId: string, numbers: readonly string[]) => {
    if (numbers.length === 0) return;
    await tenant.insertInto('port_order_numbers', numbers.map((number, position) => ({ order_id: orderId, position, number, open: 0 }))).execute();
  };
  const portOrders: AsyncTenantScope['portOrders'] = {
    async insert(row, numbers) {
      await ctx.transaction(async () => {
        await tenant
          .insertInto('port_orders', {
            id: row.id,
            status: row.status,
            carrier_name: row.carrierName,
            account_number: row.accountNumber,
            pin: row.pin,
            authorised_person: JSON.stringify(row.authorisedPerson),
            service_address: JSON.stringify(row.serviceAddress),
            requested_foc_date: row.requestedFocDate,
            foc_date: row.focDate,
            destination_type: row.destination.type,
            destination_target: row.destination.target,
            exception_reason: row.exceptionReason,
            exception_message: row.exceptionMessage,
            carrier_ref: row.carrierRef,
            created_at: row.createdAt,
            updated_at: row.updatedAt,
            submitted_at: row.submittedAt,
            completed_at: row.completedAt,
            cancelled_at: row.cancelledAt,
          })
          .execute();
        await insertNumbers(row.id, numbers);
      });
      return { ...row, tenantId: tenant.tenantId };
    },
    async get(id) {
      const row = await tenant.selectFrom('port_orders').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPortOrder(row);
    },
    async list(page, filter = {}) {
      const step = keyset(page);
      let query = tenant.selectFrom('port_orders').selectAll().$if(page.after !== undefined, (q) => q.where('id', step.past, page.after!));
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      const rows = await query.orderBy('id', step.direction).limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toPortOrder);
    },
    async numbers(id) {
      const rows = await tenant.selectFrom('port_order_numbers').select('number').where('order_id', '=', id).orderBy('position').execute();
      return rows.map((r) => r.number);
    },
    async numbersOf(ids) {
      const out = new Map<string, string[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return out;
      const rows = await tenant
        .selectFrom('port_order_numbers')
        .select(['order_id', 'number'])
        .where('order_id', 'in', ids)
        .orderBy('order_id')
        .orderBy('position')
        .execute();
      for (const r of rows) out.get(r.order_id)?.push(r.number);
      return out;
    },
    async replaceNumbers(id, numbers) {
      await ctx.transaction(async () => {
        await tenant.deleteFrom('port_order_numbers').where('order_id', '=', id).execute();
        await insertNumbers(id, numbers);
      });
    },
    async reserveNumbers(id) {
      try {
        // In a savepoint: the unique index refuses a number another order holds, and on PostgreSQL
        // that error would otherwise abort the caller's whole transaction.
        await ctx.savepoint(() => tenant.updateTable('port_order_numbers').set({ open: 1 }).where('order_id', '=', id).execute());
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async releaseNumbers(id) {
      await tenant.updateTable('port_order_numbers').set({ open: 0 }).where('order_id', '=', id).execute();
    },
    async countOpen(exceptId) {
      let query = tenant
        .selectFrom('port_orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'not in', ['completed', 'cancelled']);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },
    async updateIfStatus(id, expected, patch) {
      const set = orderColumns(patch);
      if (Object.keys(set).length === 0) return false;
      const result = await tenant.updateTable('port_orders').set(set).where('id', '=', id).where('status', '=', expected).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async activateNumbers(rows, routing, at) {
      if (rows.length === 0) return;
      const type = routing.type === 'extension' || routing.type === 'ring_group' || routing.type === 'dial_rule' ? routing.type : null;
      if (!type) throw new Error(`unknown route type ${routing.type}`);
      await tenant
        .insertInto(
          'numbers',
          rows.map((r) => ({ id: r.id, number: r.number, route_type: type, route_target: routing.target, assigned_at: at, created_at: at, updated_at: at })),
        )
        .execute();
    },
    documents: {
      async insert(row) {
        await tenant
          .insertInto('port_documents', {
            id: row.id,
            order_id: row.orderId,
            kind: row.kind,
            filename: row.filename,
            content_type: row.contentType,
            size_bytes: row.sizeBytes,
            storage_path: row.storagePath,
            created_at: row.createdAt,
          })
          .execute();
        return { ...row, tenantId: tenant.tenantId };
      },
      async list(orderId, page) {
        const rows = await tenant
          .selectFrom('port_documents')
          .selectAll()
          .where('order_id', '=', orderId)
          .where('id', '>', page.after ?? '')
          .orderBy('id')
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toPortDocument);
      },
      async get(orderId, id) {
        const row = await tenant.selectFrom('port_documents').selectAll().where('order_id', '=', orderId).where('id', '=', id).executeTakeFirst();
        return row && toPortDocument(row);
      },
      async kinds(orderId) {
        const rows = await tenant.selectFrom('port_documents').select('kind').distinct().where('order_id', '=', orderId).execute();
        return rows.map((r) => r.kind);
      },
      async kindsOf(orderIds) {
        const out = new Map<string, PortDocumentKindName[]>(orderIds.map((id) => [id, []]));
        if (orderIds.length === 0) return out;
        const rows = await tenant.selectFrom('port_documents').select(['order_id', 'kind']).distinct().where('order_id', 'in', [...orderIds]).execute();
        for (const r of rows) out.get(r.order_id)?.push(r.kind);
        return out;
      },
      async totalBytes() {
        const row = await tenant
          .selectFrom('port_documents')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), eb.lit(0)).as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      },
    },
    comments: {
      async insert(row) {
        await tenant
          .insertInto('port_comments', {
            id: row.id,
            order_id: row.orderId,
            visibility: row.visibility,
            body: row.body,
            author_principal: row.authorPrincipal,
            author_key_id: row.authorKeyId,
            created_at: row.createdAt,
          })
          .execute();
        return { ...row, tenantId: tenant.tenantId };
      },
      async list(orderId, page, includeInternal) {
        let query = tenant.selectFrom('port_comments').selectAll().where('order_id', '=', orderId).where('id', '>', page.after ?? '');
        if (!includeInternal) query = query.where('visibility', '=', 'public');
        const rows = await query.orderBy('id').limit(page.limit + 1).execute();
        return paginate(rows, page.limit, toPortComment);
      },
    },
    events: {
      async insert(row) {
        await tenant
          .insertInto('port_order_events', {
            id: row.id,
            order_id: row.orderId,
            action: row.action,
            from_status: row.fromStatus,
            to_status: row.toStatus,
            actor_type: row.actorType,
            actor_key_id: row.actorKeyId,
            actor_principal: row.actorPrincipal,
            reason: row.reason,
            message: row.message,
            occurred_at: row.occurredAt,
          })
          .execute();
        return { ...row, tenantId: tenant.tenantId };
      },
      async list(orderId, page) {
        const rows = await tenant
          .selectFrom('port_order_events')
          .selectAll()
          .where('order_id', '=', orderId)
          .where('id', '>', page.after ?? '')
          .orderBy('id')
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toPortEvent);
      },
    },
  };
  return { portOrders };
}
