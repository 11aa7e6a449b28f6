import type { Migration } from './types';

/**
 * Webhook endpoints, the events they subscribe to, and the delivery queue with its attempt log.
 *
 * An endpoint belongs to exactly one level: the provider (both owner ids NULL), one reseller, or
 * one tenant; tenant endpoints carry `tenant_id` and are read only through the tenant scope. The
 * signing secret must be usable to compute HMACs, so it cannot be hashed: it is sealed
 * (AES-256-GCM under a key derived from the platform secret) before it is stored.
 *
 * The queue is the table: a delivery is `pending` until a 2xx (`delivered`) or until its attempts
 * run out (`failed`), and `next_attempt_at` says when the loop may try it. Nothing about an attempt
 * in progress is stored, so one interrupted by a crash is simply due again after a restart.
 */
export const webhooks: Migration = {
  version: 6,
  name: 'webhooks',
  up: `
    CREATE TABLE webhook_endpoints (
      id TEXT PRIMARY KEY,
      level TEXT NOT NULL CHECK (level IN ('provider', 'reseller', 'tenant')),
      reseller_id TEXT REFERENCES resellers (id) ON DELETE CASCADE,
      tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
      url TEXT NOT NULL,
      description TEXT NOT NULL,
      enabled_events TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
      secret_sealed TEXT NOT NULL,
      previous_secret_sealed TEXT,
      previous_expires_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((level = 'provider' AND reseller_id IS NULL AND tenant_id IS NULL)
          OR (level = 'reseller' AND reseller_id IS NOT NULL AND tenant_id IS NULL)
          OR (level = 'tenant' AND tenant_id IS NOT NULL))
    );
    CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);
    CREATE INDEX webhook_endpoints_reseller ON webhook_endpoints (reseller_id, id);

    CREATE TABLE webhook_events (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      data TEXT NOT NULL
    );

    CREATE TABLE webhook_deliveries (
      id TEXT PRIMARY KEY,
      endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
      event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempt_count INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

    CREATE TABLE webhook_attempts (
      delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      attempted_at TEXT NOT NULL,
      status_code INTEGER,
      error TEXT,
      duration_ms INTEGER NOT NULL,
      PRIMARY KEY (delivery_id, seq)
    );
  `,
  down: `
    DROP TABLE webhook_attempts;
    DROP TABLE webhook_deliveries;
    DROP TABLE webhook_events;
    DROP TABLE webhook_endpoints;
  `,
};
