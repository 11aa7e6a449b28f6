import type { Migration } from './types';

/**
 * Tamper-evident audit log: each event gains the full who/what/where of the issue and a place in a
 * hash chain. A chain is one tenant's events (or the platform's, `tenant_id IS NULL`), numbered by
 * `chain_seq`; `hash` covers the event's fields and `prev_hash`, the hash of the event before it.
 *
 * Events written before this migration keep `chain_seq`/`hash` NULL and are outside every chain
 * (SQLite has no sha256 to backfill them with); verification starts at the first chained event.
 * The unique index is the fork guard: two writers can never both append seq N to one chain.
 * Indexes are dropped first on the way down because SQLite's DROP COLUMN refuses indexed columns.
 */
export const auditChain: Migration = {
  version: 3,
  name: 'audit_chain',
  up: `
    ALTER TABLE audit_events ADD COLUMN actor_principal TEXT;
    ALTER TABLE audit_events ADD COLUMN actor_role TEXT;
    ALTER TABLE audit_events ADD COLUMN target_type TEXT;
    ALTER TABLE audit_events ADD COLUMN changes TEXT;
    ALTER TABLE audit_events ADD COLUMN source_address TEXT;
    ALTER TABLE audit_events ADD COLUMN chain_seq INTEGER;
    ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit_events ADD COLUMN hash TEXT;
    CREATE UNIQUE INDEX audit_events_chain ON audit_events (COALESCE(tenant_id, ''), chain_seq);
    CREATE INDEX audit_events_chain_head ON audit_events (tenant_id, chain_seq);
  `,
  down: `
    DROP INDEX audit_events_chain_head;
    DROP INDEX audit_events_chain;
    ALTER TABLE audit_events DROP COLUMN hash;
    ALTER TABLE audit_events DROP COLUMN prev_hash;
    ALTER TABLE audit_events DROP COLUMN chain_seq;
    ALTER TABLE audit_events DROP COLUMN source_address;
    ALTER TABLE audit_events DROP COLUMN changes;
    ALTER TABLE audit_events DROP COLUMN target_type;
    ALTER TABLE audit_events DROP COLUMN actor_role;
    ALTER TABLE audit_events DROP COLUMN actor_principal;
  `,
};
