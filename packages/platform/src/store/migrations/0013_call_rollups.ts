import type { Migration } from './types';

/**
 * Hourly call rollups per tenant (issue 12; docs/decisions/2026-12-01-analytics.md). One row per
 * tenant and UTC hour in which calls started, kept in the same transaction as each call record's
 * insert, so the analytics summaries read at most 24 rows per tenant and day instead of every call.
 * `hour` is the ISO instant the hour starts (`2026-11-30T14:00:00.000Z`), comparable as text with
 * the calls' own ISO timestamps. Existing call records are rolled up here once.
 *
 * `owner_call_rollups` sums the same hours per owner of tenants: a reseller's id, or '' for the
 * provider's own tenants (a tenant never changes owner). The summary across tenants reads a few
 * rows per hour from it (the provider sums every owner, a reseller reads its own) instead of one
 * per tenant and hour. It holds sums only: no tenant's figures can be read back from it.
 *
 * Boolean arithmetic is avoided (CASE instead), so one statement fits SQLite and PostgreSQL.
 */
const outcome = (dispositions: string) => `SUM(CASE WHEN disposition IN (${dispositions}) THEN 1 ELSE 0 END)`;

const table = (clustered: string) => `
    CREATE TABLE call_rollups (
      tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      hour TEXT NOT NULL,
      calls INTEGER NOT NULL,
      answered INTEGER NOT NULL,
      missed INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      refused_channels INTEGER NOT NULL,
      duration_seconds INTEGER NOT NULL,
      PRIMARY KEY (hour, tenant_id)
    )${clustered};
    CREATE INDEX call_rollups_tenant ON call_rollups (tenant_id, hour);
    INSERT INTO call_rollups (tenant_id, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
      SELECT tenant_id, SUBSTR(started_at, 1, 13) || ':00:00.000Z', COUNT(*), ${outcome("'answered'")},
             ${outcome("'no_answer', 'busy', 'cancelled'")}, ${outcome("'failed', 'rejected', 'limit'")}, ${outcome("'limit'")},
             SUM(duration_seconds)
      FROM calls GROUP BY tenant_id, SUBSTR(started_at, 1, 13);

    CREATE TABLE owner_call_rollups (
      owner TEXT NOT NULL,
      hour TEXT NOT NULL,
      calls INTEGER NOT NULL,
      answered INTEGER NOT NULL,
      missed INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      refused_channels INTEGER NOT NULL,
      duration_seconds INTEGER NOT NULL,
      PRIMARY KEY (owner, hour)
    )${clustered};
    INSERT INTO owner_call_rollups (owner, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
      SELECT COALESCE(tenants.reseller_id, ''), hour, SUM(calls), SUM(answered), SUM(missed), SUM(failed), SUM(refused_channels), SUM(duration_seconds)
      FROM call_rollups JOIN tenants ON tenants.id = call_rollups.tenant_id
      GROUP BY COALESCE(tenants.reseller_id, ''), hour;
  `;

/**
 * SQLite keeps the table in primary-key order (WITHOUT ROWID): the summary across tenants reads a
 * range of hours as one contiguous run instead of a row lookup per index entry. PostgreSQL has no
 * such clause; there the same key is an index like any other.
 */
export const callRollups: Migration = {
  version: 13,
  name: 'call_rollups',
  up: table(' WITHOUT ROWID'),
  down: `
    DROP TABLE owner_call_rollups;
    DROP TABLE call_rollups;
  `,
  postgres: {
    up: table(''),
    down: `
    DROP TABLE owner_call_rollups;
    DROP TABLE call_rollups;
  `,
  },
};
