import type { Migration } from './types';

/**
 * Numbers, dial rules, ring groups and trunks.
 *
 * `numbers` is the one platform-level table here: an E.164 number exists once on the platform
 * (`UNIQUE (number)`), in the provider's inventory while `tenant_id` is NULL and owned by exactly
 * one tenant otherwise. Deleting a tenant returns its numbers to inventory rather than losing them.
 * The other three are tenant-owned and carry `tenant_id` in every unique key.
 */
export const numbersDialPlan: Migration = {
  version: 5,
  name: 'numbers_dial_plan',
  up: `
    CREATE TABLE numbers (
      id TEXT PRIMARY KEY,
      number TEXT NOT NULL UNIQUE,
      tenant_id TEXT REFERENCES tenants (id) ON DELETE SET NULL,
      route_type TEXT CHECK (route_type IN ('extension', 'ring_group', 'dial_rule')),
      route_target TEXT,
      assigned_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX numbers_tenant ON numbers (tenant_id, id);

    CREATE TABLE dial_rules (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      pattern TEXT NOT NULL,
      position INTEGER NOT NULL,
      action TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX dial_rules_order ON dial_rules (tenant_id, position, id);

    CREATE TABLE ring_groups (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      number TEXT NOT NULL,
      name TEXT NOT NULL,
      strategy TEXT NOT NULL CHECK (strategy IN ('simultaneous', 'sequential')),
      member_timeout_seconds INTEGER NOT NULL,
      members TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (tenant_id, number),
      UNIQUE (tenant_id, id)
    );

    CREATE TABLE trunks (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      username TEXT NOT NULL,
      ha1 TEXT NOT NULL,
      caller_id TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      UNIQUE (tenant_id, username),
      UNIQUE (tenant_id, id)
    );
  `,
  down: `
    DROP TABLE trunks;
    DROP TABLE ring_groups;
    DROP TABLE dial_rules;
    DROP TABLE numbers;
  `,
};
