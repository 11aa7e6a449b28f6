import type { Migration } from './types';

/**
 * Identity: roles, API keys with role/expiry/rotation/revocation, user keys bound to an extension,
 * and per-tenant softphone token signing keys.
 *
 * `api_keys` gains columns rather than being rebuilt: SQLite cannot alter a CHECK, so a user key
 * stays `principal = 'tenant'` in the table and is told apart by `extension_id`. Added columns
 * carry no REFERENCES and their indexes are dropped first on the way down, because SQLite's
 * DROP COLUMN refuses indexed or foreign-key columns.
 */
export const identity: Migration = {
  version: 2,
  name: 'identity',
  up: `
    CREATE TABLE roles (
      id TEXT PRIMARY KEY,
      -- 'provider', a reseller id or a tenant id: names are unique per owner only.
      owner_id TEXT NOT NULL,
      level TEXT NOT NULL CHECK (level IN ('provider', 'reseller', 'tenant')),
      tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
      reseller_id TEXT REFERENCES resellers (id),
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      permissions TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (owner_id, name),
      CHECK ((level = 'tenant') = (tenant_id IS NOT NULL))
    );
    CREATE INDEX roles_tenant ON roles (tenant_id, id);

    CREATE TABLE tenant_signing_keys (
      tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
      secret TEXT NOT NULL,
      created_at TEXT NOT NULL
    );

    ALTER TABLE api_keys ADD COLUMN role_id TEXT;
    ALTER TABLE api_keys ADD COLUMN extension_id TEXT;
    ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
    ALTER TABLE api_keys ADD COLUMN revoked_at TEXT;
    ALTER TABLE api_keys ADD COLUMN previous_secret_hash TEXT;
    ALTER TABLE api_keys ADD COLUMN previous_expires_at TEXT;
    -- Keys made before roles existed were all-powerful at their level: they become its owners.
    UPDATE api_keys SET role_id = CASE principal
      WHEN 'provider' THEN 'rol_providerOwner'
      WHEN 'reseller' THEN 'rol_resellerOwner'
      ELSE 'rol_tenantOwner' END;
    CREATE UNIQUE INDEX api_keys_previous_secret ON api_keys (previous_secret_hash);
    CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
    CREATE INDEX api_keys_reseller ON api_keys (reseller_id, id);
    CREATE INDEX api_keys_role ON api_keys (role_id);
  `,
  down: `
    DROP INDEX api_keys_role;
    DROP INDEX api_keys_reseller;
    DROP INDEX api_keys_tenant;
    DROP INDEX api_keys_previous_secret;
    ALTER TABLE api_keys DROP COLUMN previous_expires_at;
    ALTER TABLE api_keys DROP COLUMN previous_secret_hash;
    ALTER TABLE api_keys DROP COLUMN revoked_at;
    ALTER TABLE api_keys DROP COLUMN expires_at;
    ALTER TABLE api_keys DROP COLUMN extension_id;
    ALTER TABLE api_keys DROP COLUMN role_id;
    DROP TABLE tenant_signing_keys;
    DROP TABLE roles;
  `,
};
