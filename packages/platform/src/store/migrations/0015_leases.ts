import type { Migration } from './types';

/**
 * Background work shared by several nodes on one database (docs/decisions/2026-12-01-leasing.md):
 * - a webhook delivery is claimed before it is sent (`lease_owner`, `leased_until`), so one node
 *   sends it, and a node that dies mid-attempt loses it to another once the lease runs out;
 * - `job_leases`: one row per periodic job (the porting automation, the cleanup jobs) held by the
 *   node running that job's tick;
 * - `rate_events`: sliding-window counters every node sees (failed authentications, webhook
 *   redeliveries), one row per counted event, purged once out of every window.
 * Down drops them: nothing in them outlives a lease or a window.
 */
const up = (bigint: string) => `
    ALTER TABLE webhook_deliveries ADD COLUMN lease_owner TEXT;
    ALTER TABLE webhook_deliveries ADD COLUMN leased_until TEXT;
    CREATE TABLE job_leases (
      name TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      leased_until TEXT NOT NULL
    );
    CREATE TABLE rate_events (
      id TEXT PRIMARY KEY,
      bucket TEXT NOT NULL,
      at_ms ${bigint} NOT NULL
    );
    CREATE INDEX rate_events_bucket_at ON rate_events (bucket, at_ms);
  `;
const down = `
    DROP INDEX rate_events_bucket_at;
    DROP TABLE rate_events;
    DROP TABLE job_leases;
    ALTER TABLE webhook_deliveries DROP COLUMN leased_until;
    ALTER TABLE webhook_deliveries DROP COLUMN lease_owner;
  `;

export const leases: Migration = {
  version: 15,
  name: 'leases',
  up: up('INTEGER'),
  down,
  // Milliseconds since 1970 overflow PostgreSQL's 32-bit INTEGER.
  postgres: { up: up('BIGINT'), down },
};
