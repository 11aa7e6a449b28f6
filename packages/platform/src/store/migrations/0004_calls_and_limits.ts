import type { Migration } from './types';

/**
 * Call records and the messaging limit. A call record belongs to one tenant (`tenant_id` in every
 * key); `from_number`/`to_number` are the tenant-scoped strings as dialled, never global ids, so
 * two tenants' "101" never meet in one query.
 */
export const callsAndLimits: Migration = {
  version: 4,
  name: 'calls_and_limits',
  up: `
    ALTER TABLE tenants ADD COLUMN limit_messages_per_minute INTEGER NOT NULL DEFAULT 600;

    CREATE TABLE calls (
      id TEXT PRIMARY KEY,
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      call_id TEXT NOT NULL,
      from_number TEXT NOT NULL,
      to_number TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('internal', 'inbound', 'outbound')),
      started_at TEXT NOT NULL,
      answered_at TEXT,
      ended_at TEXT NOT NULL,
      duration_seconds INTEGER NOT NULL,
      disposition TEXT NOT NULL CHECK (disposition IN ('answered', 'no_answer', 'busy', 'failed', 'cancelled', 'limit', 'rejected')),
      sip_status INTEGER,
      UNIQUE (tenant_id, id)
    );
    CREATE INDEX calls_tenant ON calls (tenant_id, id);
    CREATE INDEX calls_tenant_started ON calls (tenant_id, started_at);
  `,
  down: `
    DROP TABLE calls;
    ALTER TABLE tenants DROP COLUMN limit_messages_per_minute;
  `,
};
