import type { Migration } from './types';

/**
 * White-label branding in three levels (docs/decisions/2026-12-01-branding.md): the provider's and
 * each reseller's in `brandings` (owner `provider` or a reseller id), each tenant's in
 * `tenant_brandings`, reached only through the tenant scope. The fields a level sets are one JSON
 * document (absent = inherited); the logo is kept in the row, base64, at most 256 KB, so every node
 * of a PostgreSQL deployment serves it without shared files, and it is counted in the tenant's storage.
 * PostgreSQL: TEXT and BIGINT are the same words there; only the foreign key's cascade is written alike.
 */
export const branding: Migration = {
  version: 14,
  name: 'branding',
  up: `
    CREATE TABLE brandings (
      owner TEXT PRIMARY KEY,
      fields TEXT NOT NULL,
      logo_type TEXT,
      logo_base64 TEXT,
      logo_bytes INTEGER NOT NULL DEFAULT 0,
      logo_sha256 TEXT,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE tenant_brandings (
      tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      fields TEXT NOT NULL,
      logo_type TEXT,
      logo_base64 TEXT,
      logo_bytes INTEGER NOT NULL DEFAULT 0,
      logo_sha256 TEXT,
      updated_at TEXT NOT NULL
    );
  `,
  down: `
    DROP TABLE tenant_brandings;
    DROP TABLE brandings;
  `,
  // PostgreSQL's INTEGER is 32 bits; a logo never nears it, but byte counts are BIGINT everywhere there.
  postgres: {
    up: `
      CREATE TABLE brandings (
        owner TEXT PRIMARY KEY,
        fields TEXT NOT NULL,
        logo_type TEXT,
        logo_base64 TEXT,
        logo_bytes BIGINT NOT NULL DEFAULT 0,
        logo_sha256 TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE tenant_brandings (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        fields TEXT NOT NULL,
        logo_type TEXT,
        logo_base64 TEXT,
        logo_bytes BIGINT NOT NULL DEFAULT 0,
        logo_sha256 TEXT,
        updated_at TEXT NOT NULL
      );
    `,
    down: `
      DROP TABLE tenant_brandings;
      DROP TABLE brandings;
    `,
  },
};
