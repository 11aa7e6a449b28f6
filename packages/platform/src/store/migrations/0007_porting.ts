import type { Migration } from './types';

/**
 * Number porting: port orders with their numbers, documents, comments and timeline.
 *
 * `port_order_numbers.open` is 1 while the order is neither completed nor cancelled; the partial
 * unique index makes "one open order per number" a database rule, so two concurrent orders cannot
 * both claim a number. Account number and PIN are kept for the carrier and never returned by the API.
 */
export const porting: Migration = {
  version: 7,
  name: 'porting',
  up: `
    CREATE TABLE port_orders (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      status TEXT NOT NULL,
      carrier_name TEXT NOT NULL,
      account_number TEXT NOT NULL,
      pin TEXT NOT NULL,
      authorised_person TEXT NOT NULL,
      service_address TEXT NOT NULL,
      requested_foc_date TEXT NOT NULL,
      foc_date TEXT,
      destination_type TEXT NOT NULL CHECK (destination_type IN ('extension', 'ring_group')),
      destination_target TEXT NOT NULL,
      exception_reason TEXT,
      exception_message TEXT,
      carrier_ref TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      submitted_at TEXT,
      completed_at TEXT,
      cancelled_at TEXT,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX port_orders_status ON port_orders (status, id);

    CREATE TABLE port_order_numbers (
      order_id TEXT NOT NULL REFERENCES port_orders (id) ON DELETE CASCADE,
      tenant_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      number TEXT NOT NULL,
      open INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (order_id, position)
    );
    CREATE UNIQUE INDEX port_order_numbers_open ON port_order_numbers (number) WHERE open = 1;

    CREATE TABLE port_documents (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      order_id TEXT NOT NULL REFERENCES port_orders (id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('loa', 'bill')),
      filename TEXT NOT NULL,
      content_type TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      storage_path TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX port_documents_order ON port_documents (tenant_id, order_id, id);

    CREATE TABLE port_comments (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      order_id TEXT NOT NULL REFERENCES port_orders (id) ON DELETE CASCADE,
      visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
      body TEXT NOT NULL,
      author_principal TEXT NOT NULL,
      author_key_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX port_comments_order ON port_comments (tenant_id, order_id, id);

    CREATE TABLE port_order_events (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      order_id TEXT NOT NULL REFERENCES port_orders (id) ON DELETE CASCADE,
      action TEXT NOT NULL,
      from_status TEXT,
      to_status TEXT NOT NULL,
      actor_type TEXT NOT NULL,
      actor_key_id TEXT,
      actor_principal TEXT,
      reason TEXT,
      message TEXT,
      occurred_at TEXT NOT NULL,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX port_order_events_order ON port_order_events (tenant_id, order_id, id);
  `,
  down: `
    DROP TABLE port_order_events;
    DROP TABLE port_comments;
    DROP TABLE port_documents;
    DROP TABLE port_order_numbers;
    DROP TABLE port_orders;
  `,
};
