import type { Migration } from './types';

/**
 * A tenant's limits across every Kamailio node (issue 10; docs/decisions/2026-12-02-kamailio-limits-across-nodes.md).
 * The nodes share this database already (registrations, the directory), so they count here too:
 *
 * - `kamailio_channels`: one row per call a node admitted, while it lasts. The node deletes it when
 *   the dialog ends and renews `lease_until` for all of its rows every 10 s; a row whose lease ran out
 *   (its node died or restarted: a node is its listener plus its start time) is no longer counted.
 *   `kamailio_take_channel` counts and inserts under a per-tenant advisory lock, so two nodes cannot
 *   both take a tenant's last channel. The limit is the caller's to pass: it is read from the tenant
 *   on the same request, so a change through the API applies to the next call at every node.
 * - `kamailio_message_counts`: MESSAGEs per tenant and minute of the database's clock, one upsert each.
 *
 * Both are UNLOGGED: their rows live for seconds to a minute, and a commit that touches only unlogged
 * tables does not wait for a WAL flush, which every call paid twice (take and release) when logged:
 * calls/s through Kamailio went from 0.24x of a bare Kamailio's (logged) to 0.31–0.44x (three runs).
 * The price: after a PostgreSQL crash (or on a promoted standby) the counts start from zero, so for
 * the length of the calls then up a tenant may have more calls than its limit; messages per minute,
 * for at most a minute.
 *
 * Kamailio's role needs `SELECT, INSERT, UPDATE, DELETE` on both tables (deploy/kamailio/README.md);
 * the function runs with the caller's rights. SQLite: a no-op, as for the other Kamailio objects (0012).
 */
/** The tables this step makes, on PostgreSQL only. */
export const KAMAILIO_LIMIT_TABLES = ['kamailio_channels', 'kamailio_message_counts'] as const;

export const kamailioLimits: Migration = {
  version: 20,
  name: 'kamailio_limits',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      CREATE UNLOGGED TABLE kamailio_channels (
        node TEXT NOT NULL,
        dialog TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        lease_until TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (node, dialog)
      );
      CREATE INDEX kamailio_channels_tenant ON kamailio_channels (tenant_id, lease_until);

      CREATE UNLOGGED TABLE kamailio_message_counts (
        tenant_id TEXT NOT NULL,
        minute BIGINT NOT NULL,
        sent INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, minute)
      );

      -- 1 when the call is admitted (and counted), 0 at the limit. Each statement of a PL/pgSQL
      -- function takes its own snapshot, so the count after the lock sees every channel taken before it.
      CREATE FUNCTION kamailio_take_channel(p_tenant TEXT, p_node TEXT, p_dialog TEXT, p_channels INTEGER, p_lease_seconds INTEGER)
      RETURNS INTEGER LANGUAGE plpgsql AS $$
      DECLARE
        in_use INTEGER;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('kamailio_channels'), hashtext(p_tenant));
        SELECT count(*) INTO in_use FROM kamailio_channels WHERE tenant_id = p_tenant AND lease_until > now();
        IF in_use >= p_channels THEN
          RETURN 0;
        END IF;
        INSERT INTO kamailio_channels (node, dialog, tenant_id, lease_until)
          VALUES (p_node, p_dialog, p_tenant, now() + make_interval(secs => p_lease_seconds))
          ON CONFLICT (node, dialog) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, started_at = now(), lease_until = EXCLUDED.lease_until;
        RETURN 1;
      END;
      $$;
    `,
    down: `
      DROP FUNCTION kamailio_take_channel(TEXT, TEXT, TEXT, INTEGER, INTEGER);
      DROP TABLE kamailio_message_counts;
      DROP TABLE kamailio_channels;
    `,
  },
};
