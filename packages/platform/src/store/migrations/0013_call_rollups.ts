import type { Migration } from './types';

/**
 * Hourly call rollups per tenant (issue 12; docs/decisions/2026-12-01-analytics.md). One row per
 * tenant and UTC hour in which calls started, kept in the same transaction as each call record's
 * insert, so the analytics summaries read at most 24 rows per tenant and day instead of every call.
 * `hour` is the ISO instant the hour starts (`2026-11-30T14:00:00.000Z`), comparable as text with
 * the calls' own ISO timestamps. Existing call records are rolled up here once.
 *
 * The same SQL runs on SQLite and PostgreSQL (CASE rather than boolean arithmetic).
 */
const outcome = (dispositions: string) => `SUM(CASE WHEN disposition IN (${dispositions}) THEN 1 ELSE 0 END)`;

export const callRollups: Migration = {
  version: 13,
  name: 'call_rollups',
  up: `
    CREATE TABLE call_rollups (
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      hour TEXT NOT NULL,
      calls INTEGER NOT NULL,
      answered INTEGER NOT NULL,
      missed INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      refused_channels INTEGER NOT NULL,
      duration_seconds INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, hour)
    );
    CREATE INDEX call_rollups_hour ON call_rollups (hour, tenant_id);
    INSERT INTO call_rollups (tenant_id, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
      SELECT tenant_id, SUBSTR(started_at, 1, 13) || ':00:00.000Z', COUNT(*), ${outcome("'answered'")},
             ${outcome("'no_answer', 'busy', 'cancelled'")}, ${outcome("'failed', 'rejected', 'limit'")}, ${outcome("'limit'")},
             SUM(duration_seconds)
      FROM calls GROUP BY tenant_id, SUBSTR(started_at, 1, 13);
  `,
  down: `
    DROP TABLE call_rollups;
  `,
};
