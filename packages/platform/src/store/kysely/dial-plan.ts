import type { AsyncStore, AsyncTenantScope } from '../async-types';
import type { StoreContext } from './context';
import { scopedTenantId, type TenantDb } from './tenant-db';
import { defined, paginate, toDialRule, toNumber, toRingGroup, toTenantNumber, toTrunk } from './rows';

const count = (n: number | string | bigint) => Number(n);

export function numberInventory(ctx: StoreContext): AsyncStore['numbers'] {
  const system = ctx.db;
  return {
    async insert(row) {
      await system().insertInto('numbers').values({ id: row.id, number: row.number, created_at: row.createdAt, updated_at: row.updatedAt }).execute();
      return { ...row, tenantId: null, routing: null, assignedAt: null };
    },
    async get(id) {
      const row = await system().selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toNumber(row);
    },
    async getByNumber(number) {
      const row = await system().selectFrom('numbers').selectAll().where('number', '=', number).executeTakeFirst();
      return row && toNumber(row);
    },
    async list(page, filter = {}) {
      let query = system().selectFrom('numbers').selectAll().where('id', '>', page.after ?? '');
      if (filter.assigned === true) query = query.where('tenant_id', 'is not', null);
      if (filter.assigned === false) query = query.where('tenant_id', 'is', null);
      const rows = await query.orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toNumber);
    },
    async assign(id, to, at) {
      const tenantId = scopedTenantId(to);
      const result = await system()
        .updateTable('numbers')
        .set({ tenant_id: tenantId, route_type: null, route_target: null, assigned_at: at, updated_at: at })
        .where('id', '=', id)
        .where('tenant_id', 'is', null)
        .executeTakeFirst();
      const assigned = Number(result.numUpdatedRows) > 0;
      if (assigned) await ctx.directoryChanged({ kind: 'tenant', tenantId });
      return assigned;
    },
    async delete(id) {
      const result = await system().deleteFrom('numbers').where('id', '=', id).where('tenant_id', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function tenantDialPlan(tenant: TenantDb): Pick<AsyncTenantScope, 'numbers' | 'dialRules' | 'ringGroups' | 'trunks'> {
  const toOwnNumber = toTenantNumber(tenant.tenantId);
  const numbers: AsyncTenantScope['numbers'] = {
    async list(page) {
      const rows = await tenant.selectFrom('numbers').selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toOwnNumber);
    },
    async get(id) {
      const row = await tenant.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOwnNumber(row);
    },
    async getByNumber(number) {
      const row = await tenant.selectFrom('numbers').selectAll().where('number', '=', number).executeTakeFirst();
      return row && toOwnNumber(row);
    },
    async count() {
      const row = await tenant.selectFrom('numbers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return count(row.n);
    },
    async routedTo(routing) {
      const rows = await tenant.selectFrom('numbers').selectAll().where('route_type', '=', routing.type).where('route_target', '=', routing.target).orderBy('id').execute();
      return rows.map(toOwnNumber);
    },
    async route(id, routing, at) {
      await tenant
        .updateTable('numbers')
        .set({ route_type: routing?.type ?? null, route_target: routing?.target ?? null, updated_at: at })
        .where('id', '=', id)
        .execute();
      return numbers.get(id);
    },
    async release(id, at) {
      const result = await tenant
        .updateTable('numbers')
        .set({ tenant_id: null, route_type: null, route_target: null, assigned_at: null, updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };

  const dialRules: AsyncTenantScope['dialRules'] = {
    async all() {
      const rows = await tenant.selectFrom('dial_rules').selectAll().orderBy('position').orderBy('id').execute();
      return rows.map(toDialRule);
    },
    async list(page) {
      const after = page.after === undefined ? -1 : Number.parseInt(page.after, 10);
      const rows = await tenant
        .selectFrom('dial_rules')
        .selectAll()
        .where('position', '>', Number.isFinite(after) ? after : -1)
        .orderBy('position')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute();
      return paginate(rows, page.limit, toDialRule, (r) => String(r.position));
    },
    async get(id) {
      const row = await tenant.selectFrom('dial_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toDialRule(row);
    },
    async count() {
      const row = await tenant.selectFrom('dial_rules').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return count(row.n);
    },
    async insert(row) {
      await tenant
        .insertInto('dial_rules', {
          id: row.id,
          name: row.name,
          pattern: row.pattern,
          position: row.position,
          action: JSON.stringify(row.action),
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        })
        .execute();
      return { ...row, tenantId: tenant.tenantId };
    },
    async update(id, patch) {
      const set = defined({
        name: patch.name,
        pattern: patch.pattern,
        position: patch.position,
        action: patch.action && JSON.stringify(patch.action),
        updated_at: patch.updatedAt,
      });
      if (Object.keys(set).length > 0) await tenant.updateTable('dial_rules').set(set).where('id', '=', id).execute();
      return dialRules.get(id);
    },
    async delete(id) {
      const result = await tenant.deleteFrom('dial_rules').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async shift(from, by, to) {
      await tenant
        .updateTable('dial_rules')
        .set((eb) => ({ position: eb('position', '+', by) }))
        .where('position', '>=', from)
        .where('position', '<', to ?? 2_147_483_647)
        .execute();
    },
    async revision() {
      const row = await tenant.selectOwnTenant().select('dial_plan_revision').executeTakeFirst();
      return row?.dial_plan_revision ?? 0;
    },
    async touch() {
      await tenant
        .updateOwnTenant()
        .set((eb) => ({ dial_plan_revision: eb('dial_plan_revision', '+', 1) }))
        .execute();
    },
  };

  const ringGroups: AsyncTenantScope['ringGroups'] = {
    async list(page) {
      const rows = await tenant.selectFrom('ring_groups').selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toRingGroup);
    },
    async get(id) {
      const row = await tenant.selectFrom('ring_groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRingGroup(row);
    },
    async getByNumber(number) {
      const row = await tenant.selectFrom('ring_groups').selectAll().where('number', '=', number).executeTakeFirst();
      return row && toRingGroup(row);
    },
    async count() {
      const row = await tenant.selectFrom('ring_groups').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return count(row.n);
    },
    async insert(row) {
      await tenant
        .insertInto('ring_groups', {
          id: row.id,
          number: row.number,
          name: row.name,
          strategy: row.strategy,
          member_timeout_seconds: row.memberTimeoutSeconds,
          members: JSON.stringify(row.members),
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        })
        .execute();
      return { ...row, tenantId: tenant.tenantId };
    },
    async update(id, patch) {
      const set = defined({
        name: patch.name,
        strategy: patch.strategy,
        member_timeout_seconds: patch.memberTimeoutSeconds,
        members: patch.members && JSON.stringify(patch.members),
        updated_at: patch.updatedAt,
      });
      if (Object.keys(set).length > 0) await tenant.updateTable('ring_groups').set(set).where('id', '=', id).execute();
      return ringGroups.get(id);
    },
    async delete(id) {
      const result = await tenant.deleteFrom('ring_groups').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };

  const trunks: AsyncTenantScope['trunks'] = {
    async list(page) {
      const rows = await tenant.selectFrom('trunks').selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toTrunk);
    },
    async get(id) {
      const row = await tenant.selectFrom('trunks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTrunk(row);
    },
    async getByUsername(username) {
      const row = await tenant.selectFrom('trunks').selectAll().where('username', '=', username).executeTakeFirst();
      return row && toTrunk(row);
    },
    async count() {
      const row = await tenant.selectFrom('trunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return count(row.n);
    },
    async insert(row) {
      await tenant
        .insertInto('trunks', {
          id: row.id,
          name: row.name,
          username: row.username,
          ha1: row.ha1,
          caller_id: row.callerId,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        })
        .execute();
      return { ...row, tenantId: tenant.tenantId };
    },
    async update(id, patch) {
      // null is a value here (it clears the caller id); only undefined leaves a column alone.
      const set = defined({ name: patch.name, ha1: patch.ha1, caller_id: patch.callerId, updated_at: patch.updatedAt });
      if (Object.keys(set).length > 0) await tenant.updateTable('trunks').set(set).where('id', '=', id).execute();
      return trunks.get(id);
    },
    async delete(id) {
      const result = await tenant.deleteFrom('trunks').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };

  return { numbers, dialRules, ringGroups, trunks };
}
