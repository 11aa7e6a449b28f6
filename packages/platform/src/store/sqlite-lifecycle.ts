import type Database from 'better-sqlite3';
import type { DeletedTenantState, TenantLifecycleStore } from './lifecycle-types';
import type { Synchronous } from './sqlite-async';

/** The tenant life cycle on the synchronous SQLite store; the same statements as store/kysely/lifecycle.ts. */
export function sqliteTenantLifecycle(db: Database.Database): Synchronous<TenantLifecycleStore> {
  return {
    markDeleted(tenantId, at, state) {
      const result = db
        .prepare(`UPDATE tenants SET status = 'suspended', deleted_at = ?, purge_at = ?, deleted_state = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`)
        .run(at.deletedAt, at.purgeAt, JSON.stringify(state), at.deletedAt, tenantId);
      return result.changes > 0;
    },
    deletedState(tenantId) {
      const value = db.prepare('SELECT deleted_state FROM tenants WHERE id = ? AND deleted_at IS NOT NULL').pluck().get(tenantId) as string | null | undefined;
      return value ? (JSON.parse(value) as DeletedTenantState) : undefined;
    },
    clearDeleted(tenantId, status, updatedAt) {
      const result = db
        .prepare('UPDATE tenants SET status = ?, deleted_at = NULL, purge_at = NULL, deleted_state = NULL, updated_at = ? WHERE id = ? AND deleted_at IS NOT NULL')
        .run(status, updatedAt, tenantId);
      return result.changes > 0;
    },
    duePurge(at, limit) {
      return db.prepare('SELECT id FROM tenants WHERE purge_at <= ? ORDER BY purge_at, id LIMIT ?').pluck().all(at, limit) as string[];
    },
    purge(tenantId, at) {
      return db.prepare('DELETE FROM tenants WHERE id = ? AND deleted_at IS NOT NULL AND purge_at <= ?').run(tenantId, at).changes > 0;
    },
  };
}
