import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../db/tables';
import type { AsyncRoleCollection, AsyncStore, AsyncTenantScope } from '../async-types';
import type { ApiKeyInsert, ApiKeyPatch, ApiKeyRow, RolePatch } from '../types';
import type { StoreContext } from './context';
import { tenantDb, type TenantDb } from './tenant-db';
import type { TenantScope } from '../tenant-scope';
import { defined, paginate, toApiKey, toRole } from './rows';

type RoleOwner = { kind: 'platform'; ownerId: string; system: () => Kysely<Database> } | { kind: 'tenant'; tenant: TenantDb };

/** Roles of one owner; the owner bounds every statement (a tenant's through its TenantDb). */
function roleCollection(owner: RoleOwner): AsyncRoleCollection {
  const ownerId = owner.kind === 'tenant' ? owner.tenant.tenantId : owner.ownerId;
  const select = (): SelectQueryBuilder<Database, 'roles', {}> =>
    (owner.kind === 'tenant' ? owner.tenant.selectFrom('roles') : owner.system().selectFrom('roles')).where('owner_id', '=', ownerId);
  const collection: AsyncRoleCollection = {
    async list(page) {
      const rows = await select().selectAll().where('id', '>', page.after ?? '').orderBy('id').limit(page.limit + 1).execute();
      return paginate(rows, page.limit, toRole);
    },
    async get(id) {
      const row = await select().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRole(row);
    },
    async getByName(name) {
      const row = await select().selectAll().where('name', '=', name).executeTakeFirst();
      return row && toRole(row);
    },
    async insert(row) {
      const values = {
        id: row.id,
        owner_id: ownerId,
        level: row.level,
        reseller_id: row.resellerId,
        name: row.name,
        description: row.description,
        permissions: JSON.stringify(row.permissions),
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      };
      if (owner.kind === 'tenant') await owner.tenant.insertInto('roles', values).execute();
      else await owner.system().insertInto('roles').values({ ...values, tenant_id: row.tenantId }).execute();
      return row;
    },
    async update(id, patch: RolePatch) {
      const set = defined({
        name: patch.name,
        description: patch.description,
        permissions: patch.permissions && JSON.stringify(patch.permissions),
        updated_at: patch.updatedAt,
      });
      if (Object.keys(set).length > 0) {
        const update = owner.kind === 'tenant' ? owner.tenant.updateTable('roles') : owner.system().updateTable('roles');
        await update.set(set).where('owner_id', '=', ownerId).where('id', '=', id).execute();
      }
      return collection.get(id);
    },
    async delete(id) {
      const del = owner.kind === 'tenant' ? owner.tenant.deleteFrom('roles') : owner.system().deleteFrom('roles');
      const result = await del.where('owner_id', '=', ownerId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
  return collection;
}

function fullKey(row: ApiKeyInsert): ApiKeyRow {
  return { roleId: null, extensionId: null, expiresAt: null, revokedAt: null, previousSecretHash: null, previousExpiresAt: null, ...row };
}

function keyColumns(k: ApiKeyRow) {
  return {
    id: k.id,
    secret_hash: k.secretHash,
    principal: k.principal,
    reseller_id: k.resellerId,
    name: k.name,
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    role_id: k.roleId,
    extension_id: k.extensionId,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    previous_secret_hash: k.previousSecretHash,
    previous_expires_at: k.previousExpiresAt,
  };
}

const keyPatch = (patch: ApiKeyPatch) =>
  defined({
    secret_hash: patch.secretHash,
    revoked_at: patch.revokedAt,
    previous_secret_hash: patch.previousSecretHash,
    previous_expires_at: patch.previousExpiresAt,
  });

export function tenantIdentity(tenant: TenantDb): Pick<AsyncTenantScope, 'roles' | 'apiKeys' | 'signingKey'> {
  return {
    roles: roleCollection({ kind: 'tenant', tenant }),
    apiKeys: {
      async list(page) {
        const rows = await tenant
          .selectFrom('api_keys')
          .selectAll()
          .where('revoked_at', 'is', null)
          .where('id', '>', page.after ?? '')
          .orderBy('id')
          .limit(page.limit + 1)
          .execute();
        return paginate(rows, page.limit, toApiKey);
      },
      async get(id) {
        const row = await tenant.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        return row && toApiKey(row);
      },
      async insert(row) {
        const key = fullKey({ ...row, principal: 'tenant', resellerId: null, tenantId: tenant.tenantId });
        await tenant.insertInto('api_keys', keyColumns(key)).execute();
        return key;
      },
      async update(id, patch) {
        const set = keyPatch(patch);
        if (Object.keys(set).length > 0) await tenant.updateTable('api_keys').set(set).where('id', '=', id).execute();
        const row = await tenant.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toApiKey(row);
      },
    },
    signingKey: {
      async get() {
        const row = await tenant.selectFrom('tenant_signing_keys').select('secret').executeTakeFirst();
        return row?.secret;
      },
      async set(secret, at) {
        await tenant
          .insertInto('tenant_signing_keys', { secret, created_at: at })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet((eb) => ({ secret: eb.ref('excluded.secret'), created_at: eb.ref('excluded.created_at') })))
          .execute();
      },
      async getOrInsert(secret, at) {
        // DO NOTHING waits for a competing insert's transaction, then yields to it.
        await tenant.insertInto('tenant_signing_keys', { secret, created_at: at }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
        const row = await tenant.selectFrom('tenant_signing_keys').select('secret').executeTakeFirstOrThrow();
        return row.secret;
      },
    },
  };
}

export function platformIdentity(ctx: StoreContext): Pick<AsyncStore, 'apiKeys' | 'roles'> {
  const system = ctx.db;
  /** Updates of one tenant's keys (through its scope's helper), or of the platform's keys for null. */
  const ownedKeys = (scope: TenantScope | null) => (scope === null ? system().updateTable('api_keys').where('tenant_id', 'is', null) : tenantDb(ctx, scope).updateTable('api_keys'));
  const apiKeys: AsyncStore['apiKeys'] = {
    async insert(row) {
      // A platform key: a tenant's keys are inserted through its scope.
      const key = fullKey({ ...row, tenantId: null });
      await system().insertInto('api_keys').values({ ...keyColumns(key), tenant_id: null }).execute();
      return key;
    },
    async getBySecretHashAnyTenant(hash) {
      // Two unique indexes, one lookup each: O(1) whichever secret was presented.
      const row =
        (await system().selectFrom('api_keys').selectAll().where('secret_hash', '=', hash).executeTakeFirst()) ??
        (await system().selectFrom('api_keys').selectAll().where('previous_secret_hash', '=', hash).executeTakeFirst());
      return row && toApiKey(row);
    },
    async countByPrincipal(principal) {
      const row = await system()
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('principal', '=', principal)
        .where('tenant_id', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async touch(scope, id, at) {
      await ownedKeys(scope).set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async get(id, viewer) {
      let query = system().selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).where('tenant_id', 'is', null);
      if (viewer !== 'provider') query = query.where('reseller_id', '=', viewer.resellerId);
      const row = await query.executeTakeFirst();
      return row && toApiKey(row);
    },
    async list(page, owner) {
      let query = system().selectFrom('api_keys').selectAll().where('revoked_at', 'is', null);
      query = owner === 'provider' ? query.where('principal', '=', 'provider') : query.where('reseller_id', '=', owner.resellerId);
      const rows = await query
        .where('id', '>', page.after ?? '')
        .orderBy('id')
        .limit(page.limit + 1)
        .execute();
      return paginate(rows, page.limit, toApiKey);
    },
    async update(id, patch) {
      const set = keyPatch(patch);
      // `tenant_id is null` keeps a tenant's key out of reach here: those change through the scope.
      if (Object.keys(set).length > 0) await system().updateTable('api_keys').set(set).where('id', '=', id).where('tenant_id', 'is', null).execute();
      const row = await system().selectFrom('api_keys').selectAll().where('id', '=', id).where('tenant_id', 'is', null).executeTakeFirst();
      return row && toApiKey(row);
    },
    async countByRole(scope, roleId) {
      const row = await (scope === null ? system().selectFrom('api_keys').where('tenant_id', 'is', null) : tenantDb(ctx, scope).selectFrom('api_keys'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role_id', '=', roleId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
  return {
    roles: (owner) => roleCollection({ kind: 'platform', ownerId: owner === 'provider' ? 'provider' : owner.resellerId, system }),
    apiKeys,
  };
}
