import type { Migration } from './types';

/**
 * Hourly usage rollups beside the call rollups (issue 12; docs/decisions/2026-12-02-usage-rollups.md):
 * SIP MESSAGEs routed, refusals by limit (messages, extensions, storage; channel refusals are call
 * records and stay in call_rollups), and the peaks of registrations and stored bytes, per tenant and
 * UTC hour. Nothing stored before this step holds these figures, so nothing is rolled up here.
 *
 * Written by each platform node's UsageCounter, which counts in memory and flushes periodically with
 * additive upserts (`n = n + excluded.n`, the larger of two peaks), so several nodes may share one
 * PostgreSQL. `owner_usage_rollups` sums the counts per owner of tenants (a reseller id, '' for the
 * provider's own) as owner_call_rollups does; peaks are per tenant only (a sum of peaks is no peak).
 * BIGINT: stored bytes pass 2^31 (PostgreSQL's INTEGER); SQLite reads either as an integer.
 */
const table = (clustered: string) => `
    CREATE TABLE usage_rollups (
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      hour TEXT NOT NULL,
      messages INTEGER NOT NULL,
      refused_messages INTEGER NOT NULL,
      refused_extensions INTEGER NOT NULL,
      refused_storage INTEGER NOT NULL,
      peak_registrations INTEGER NOT NULL,
      peak_storage_bytes BIGINT NOT NULL,
      PRIMARY KEY (hour, tenant_id)
    )${clustered};
    CREATE INDEX usage_rollups_tenant ON usage_rollups (tenant_id, hour);

    CREATE TABLE owner_usage_rollups (
      owner TEXT NOT NULL,
      hour TEXT NOT NULL,
      messages INTEGER NOT NULL,
      refused_messages INTEGER NOT NULL,
      refused_extensions INTEGER NOT NULL,
      refused_storage INTEGER NOT NULL,
      PRIMARY KEY (owner, hour)
    )${clustered};
  `;

const down = `
    DROP TABLE owner_usage_rollups;
    DROP TABLE usage_rollups;
  `;

export const usageRollups: Migration = {
  version: 19,
  name: 'usage_rollups',
  up: table(' WITHOUT ROWID'),
  down,
  postgres: { up: table(''), down },
};
