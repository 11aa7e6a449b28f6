import type { Migration } from './types';

/**
 * The tenant's storage limit (porting documents today), a per-tenant limit like the others rather than
 * one platform-wide figure, so a provider can sell more storage to one tenant. Existing tenants get
 * the old platform default, 100 MiB.
 */
export const tenantStorageLimit: Migration = {
  version: 8,
  name: 'tenant_storage_limit',
  up: `
    ALTER TABLE tenants ADD COLUMN limit_storage_bytes INTEGER NOT NULL DEFAULT 104857600;
  `,
  down: `
    ALTER TABLE tenants DROP COLUMN limit_storage_bytes;
  `,
  // PostgreSQL's INTEGER is 32 bits (2 GiB); SQLite's is 64.
  postgres: {
    up: `
      ALTER TABLE tenants ADD COLUMN limit_storage_bytes BIGINT NOT NULL DEFAULT 104857600;
    `,
    down: `
      ALTER TABLE tenants DROP COLUMN limit_storage_bytes;
    `,
  },
};
