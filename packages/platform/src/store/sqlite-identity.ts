import type Database from 'better-sqlite3';
import type { ApiKeyInsert, ApiKeyPatch, ApiKeyRow, Page, RoleCollection, RoleRow, Store, TenantData } from './types';
import { str, strOrNull, paginate, type Row } from './sqlite-rows';
import type { Synchronous } from './sqlite-async';

// The identity collections of the SQLite store (roles, keys, signing keys), kept apart from
// sqlite.ts so that file only wires them in.

export function toApiKey(r: Row): ApiKeyRow {
  return {
    id: str(r.id),
    secretHash: str(r.secret_hash),
    principal: r.principal as ApiKeyRow['principal'],
    resellerId: strOrNull(r.reseller_id),
    tenantId: strOrNull(r.tenant_id),
    name: str(r.name),
    createdAt: str(r.created_at),
    lastUsedAt: strOrNull(r.last_used_at),
    roleId: strOrNull(r.role_id),
    extensionId: strOrNull(r.extension_id),
    expiresAt: strOrNull(r.expires_at),
    revokedAt: strOrNull(r.revoked_at),
    previousSecretHash: strOrNull(r.previous_secret_hash),
    previousExpiresAt: strOrNull(r.previous_expires_at),
  };
}

function toRole(r: Row): RoleRow {
  return {
    id: str(r.id),
    level: r.level as RoleRow['level'],
    tenantId: strOrNull(r.tenant_id),
    resellerId: strOrNull(r.reseller_id),
    name: str(r.name),
    description: str(r.description),
    permissions: JSON.parse(str(r.permissions)) as string[],
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

function insertKey(db: Database.Database, row: ApiKeyInsert): ApiKeyRow {
  const full: ApiKeyRow = {
    roleId: null,
    extensionId: null,
    expiresAt: null,
    revokedAt: null,
    previousSecretHash: null,
    previousExpiresAt: null,
    ...row,
  };
  db.prepare(
    `INSERT INTO api_keys (id, secret_hash, principal, reseller_id, tenant_id, name, created_at, last_used_at,
       role_id, extension_id, expires_at, revoked_at, previous_secret_hash, previous_expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    full.id,
    full.secretHash,
    full.principal,
    full.resellerId,
    full.tenantId,
    full.name,
    full.createdAt,
    full.lastUsedAt,
    full.roleId,
    full.extensionId,
    full.expiresAt,
    full.revokedAt,
    full.previousSecretHash,
    full.previousExpiresAt,
  );
  return full;
}

/** Roles of one owner; `ownerId` is 'provider', a reseller id or a tenant id and bounds every query. */
function roleCollection(db: Database.Database, ownerId: string): Synchronous<RoleCollection> {
  return {
    list(page) {
      const rows = db.prepare('SELECT * FROM roles WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?').all(ownerId, page.after ?? '', page.limit + 1) as Row[];
      return paginate(rows, page.limit, toRole);
    },
    get(id) {
      const row = db.prepare('SELECT * FROM roles WHERE owner_id = ? AND id = ?').get(ownerId, id) as Row | undefined;
      return row && toRole(row);
    },
    getByName(name) {
      const row = db.prepare('SELECT * FROM roles WHERE owner_id = ? AND name = ?').get(ownerId, name) as Row | undefined;
      return row && toRole(row);
    },
    insert(row) {
      db.prepare(
        `INSERT INTO roles (id, owner_id, level, tenant_id, reseller_id, name, description, permissions, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(row.id, ownerId, row.level, row.tenantId, row.resellerId, row.name, row.description, JSON.stringify(row.permissions), row.createdAt, row.updatedAt);
      return row;
    },
    update(id, patch) {
      const parts: string[] = [];
      const values: unknown[] = [];
      if (patch.name !== undefined) parts.push('name = ?') && values.push(patch.name);
      if (patch.description !== undefined) parts.push('description = ?') && values.push(patch.description);
      if (patch.permissions !== undefined) parts.push('permissions = ?') && values.push(JSON.stringify(patch.permissions));
      if (patch.updatedAt !== undefined) parts.push('updated_at = ?') && values.push(patch.updatedAt);
      if (parts.length > 0) db.prepare(`UPDATE roles SET ${parts.join(', ')} WHERE owner_id = ? AND id = ?`).run(...values, ownerId, id);
      return this.get(id);
    },
    delete(id) {
      return db.prepare('DELETE FROM roles WHERE owner_id = ? AND id = ?').run(ownerId, id).changes > 0;
    },
  };
}

/** A key's rotation or revocation, bounded to one tenant's keys or to the platform's (tenant_id NULL). */
function updateKey(db: Database.Database, id: string, patch: ApiKeyPatch, owner: { tenantId: string } | 'platform'): ApiKeyRow | undefined {
  const columns: Record<string, string> = {
    secretHash: 'secret_hash',
    revokedAt: 'revoked_at',
    previousSecretHash: 'previous_secret_hash',
    previousExpiresAt: 'previous_expires_at',
  };
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || !columns[key]) continue;
    parts.push(`${columns[key]} = ?`);
    values.push(value);
  }
  const [where, ownerValues] = owner === 'platform' ? ['tenant_id IS NULL', []] : ['tenant_id = ?', [owner.tenantId]];
  if (parts.length > 0) db.prepare(`UPDATE api_keys SET ${parts.join(', ')} WHERE id = ? AND ${where}`).run(...values, id, ...ownerValues);
  const row = db.prepare(`SELECT * FROM api_keys WHERE id = ? AND ${where}`).get(id, ...ownerValues) as Row | undefined;
  return row && toApiKey(row);
}

export function tenantIdentityCollections(db: Database.Database, tenantId: string): Synchronous<Pick<TenantData, 'roles' | 'apiKeys' | 'signingKey'>> {
  return {
    roles: roleCollection(db, tenantId),
    apiKeys: {
      list(page) {
        const rows = db
          .prepare('SELECT * FROM api_keys WHERE tenant_id = ? AND revoked_at IS NULL AND id > ? ORDER BY id LIMIT ?')
          .all(tenantId, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toApiKey);
      },
      get(id) {
        const row = db.prepare('SELECT * FROM api_keys WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL').get(tenantId, id) as Row | undefined;
        return row && toApiKey(row);
      },
      insert(row) {
        return insertKey(db, { ...row, principal: 'tenant', resellerId: null, tenantId });
      },
      update(id, patch) {
        return updateKey(db, id, patch, { tenantId });
      },
    },
    signingKey: {
      get() {
        const row = db.prepare('SELECT secret FROM tenant_signing_keys WHERE tenant_id = ?').get(tenantId) as { secret: string } | undefined;
        return row?.secret;
      },
      set(secret, at) {
        db.prepare(
          `INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES (?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`,
        ).run(tenantId, secret, at);
      },
      getOrInsert(secret, at) {
        db.prepare('INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING').run(tenantId, secret, at);
        return (db.prepare('SELECT secret FROM tenant_signing_keys WHERE tenant_id = ?').get(tenantId) as { secret: string }).secret;
      },
    },
  };
}

export function platformIdentityCollections(db: Database.Database): Synchronous<Pick<Store, 'apiKeys' | 'roles'>> {
  return {
    roles: (owner) => roleCollection(db, owner === 'provider' ? 'provider' : owner.resellerId),
    apiKeys: {
      insert: (row) => insertKey(db, row),
      getBySecretHash(hash) {
        // Two unique indexes, one lookup each: O(1) whichever secret was presented.
        const row = (db.prepare('SELECT * FROM api_keys WHERE secret_hash = ?').get(hash) ??
          db.prepare('SELECT * FROM api_keys WHERE previous_secret_hash = ?').get(hash)) as Row | undefined;
        return row && toApiKey(row);
      },
      countByPrincipal(principal) {
        return (db.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE principal = ?').get(principal) as { n: number }).n;
      },
      touch(id, at) {
        db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
      },
      get(id, viewer) {
        const row = (viewer === 'provider'
          ? db.prepare('SELECT * FROM api_keys WHERE id = ? AND revoked_at IS NULL AND tenant_id IS NULL').get(id)
          : db.prepare('SELECT * FROM api_keys WHERE id = ? AND revoked_at IS NULL AND tenant_id IS NULL AND reseller_id = ?').get(id, viewer.resellerId)) as Row | undefined;
        return row && toApiKey(row);
      },
      list(page, owner) {
        const [where, values] = owner === 'provider' ? ["principal = 'provider'", []] : ['reseller_id = ?', [owner.resellerId]];
        const rows = db
          .prepare(`SELECT * FROM api_keys WHERE ${where} AND revoked_at IS NULL AND id > ? ORDER BY id LIMIT ?`)
          .all(...values, page.after ?? '', page.limit + 1) as Row[];
        return paginate(rows, page.limit, toApiKey);
      },
      update(id, patch) {
        return updateKey(db, id, patch, 'platform');
      },
      countByRole(roleId) {
        return (db.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE role_id = ? AND revoked_at IS NULL').get(roleId) as { n: number }).n;
      },
    },
  };
}
