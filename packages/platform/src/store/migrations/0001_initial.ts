import type { Migration } from './types';

/**
 * The first schema. Tenant-owned tables carry `tenant_id` in every unique key, so two tenants can
 * own the same extension number and no lookup can match across tenants by accident.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE resellers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE tenants (
      id TEXT PRIMARY KEY,
      reseller_id TEXT REFERENCES resellers (id),
      name TEXT NOT NULL,
      slug TEXT NOT NULL UNIQUE,
      status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
      limit_extensions INTEGER NOT NULL,
      limit_channels INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX tenants_reseller ON tenants (reseller_id, id);

    CREATE TABLE extensions (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      number TEXT NOT NULL,
      display_name TEXT NOT NULL,
      ha1 TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (tenant_id, number),
      UNIQUE (tenant_id, id)
    );

    CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      secret_hash TEXT NOT NULL UNIQUE,
      principal TEXT NOT NULL CHECK (principal IN ('provider', 'reseller', 'tenant')),
      reseller_id TEXT REFERENCES resellers (id),
      tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      CHECK ((principal = 'tenant') = (tenant_id IS NOT NULL)),
      CHECK ((principal = 'reseller') = (reseller_id IS NOT NULL))
    );

    CREATE TABLE idempotency_records (
      api_key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      idempotency_key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
      response_status INTEGER,
      response_body TEXT,
      created_at TEXT NOT NULL,
      PRIMARY KEY (api_key_id, idempotency_key)
    );

    CREATE TABLE audit_events (
      id TEXT PRIMARY KEY,
      occurred_at TEXT NOT NULL,
      actor_key_id TEXT,
      tenant_id TEXT,
      action TEXT NOT NULL,
      target_id TEXT NOT NULL,
      request_id TEXT
    );
    CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);
  `,
  down: `
    DROP TABLE audit_events;
    DROP TABLE idempotency_records;
    DROP TABLE api_keys;
    DROP TABLE extensions;
    DROP TABLE tenants;
    DROP TABLE resellers;
    DROP TABLE settings;
  `,
};
