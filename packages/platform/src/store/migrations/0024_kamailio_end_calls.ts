import type { Migration } from './types';

/**
 * A tenant leaving service ends its calls in progress at Kamailio, as the embedded edge does (issue
 * 10; docs/decisions/2026-12-03-kamailio-ending-calls.md; test/kamailio-revocation.test.ts).
 *
 * 0022 unbinds a suspended tenant's phones and closes their sockets, but an answered call's dialog
 * lives on at the node that admitted it until a party hangs up: a trunk call could go on for hours
 * after a fraud suspension. The node that holds each call is already known: `kamailio_channels`
 * (0020) names it (node, dialog) per tenant. These triggers copy a tenant's rows into
 * `kamailio_ended_calls` in the change's own transaction (tenant suspended or soft-deleted, which sets
 * `status` too; tenant row deleted; its reseller suspended); each node takes its own rows every second
 * (kamailio.cfg.tmpl, route ENDED_CALLS) and sends BYE to both parties, which releases the channel
 * and writes the call record as for any hang-up. Kamailio's role needs `SELECT, DELETE` on the table.
 * SQLite: a no-op, as for the other Kamailio objects (0012).
 */
export const KAMAILIO_ENDED_CALLS_TABLE = 'kamailio_ended_calls';

export const kamailioEndCalls: Migration = {
  version: 24,
  name: 'kamailio_end_calls',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      -- Calls each node ends (BYE to both parties) within a second. UNLOGGED as the channels (0020) it
      -- is copied from: a crash loses both, and rows live a second.
      CREATE UNLOGGED TABLE kamailio_ended_calls (
        id BIGSERIAL PRIMARY KEY,
        node TEXT NOT NULL,
        dialog TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX kamailio_ended_calls_node ON kamailio_ended_calls (node);

      CREATE FUNCTION kamailio_end_calls_of(p_tenant TEXT) RETURNS void LANGUAGE sql AS $$
        INSERT INTO kamailio_ended_calls (node, dialog) SELECT node, dialog FROM kamailio_channels WHERE tenant_id = p_tenant
      $$;

      CREATE FUNCTION kamailio_end_calls_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM kamailio_end_calls_of(OLD.id);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_end_calls_tenant_deleted AFTER DELETE ON tenants
        FOR EACH ROW EXECUTE FUNCTION kamailio_end_calls_tenant();
      CREATE TRIGGER kamailio_end_calls_tenant_suspended AFTER UPDATE OF status ON tenants
        FOR EACH ROW WHEN (OLD.status = 'active' AND NEW.status <> 'active')
        EXECUTE FUNCTION kamailio_end_calls_tenant();

      CREATE FUNCTION kamailio_end_calls_reseller() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM kamailio_end_calls_of(tenants.id) FROM tenants WHERE tenants.reseller_id = OLD.id;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_end_calls_reseller_suspended AFTER UPDATE OF status ON resellers
        FOR EACH ROW WHEN (OLD.status = 'active' AND NEW.status <> 'active')
        EXECUTE FUNCTION kamailio_end_calls_reseller();
    `,
    down: `
      DROP TRIGGER kamailio_end_calls_reseller_suspended ON resellers;
      DROP FUNCTION kamailio_end_calls_reseller();
      DROP TRIGGER kamailio_end_calls_tenant_suspended ON tenants;
      DROP TRIGGER kamailio_end_calls_tenant_deleted ON tenants;
      DROP FUNCTION kamailio_end_calls_tenant();
      DROP FUNCTION kamailio_end_calls_of(TEXT);
      DROP TABLE kamailio_ended_calls;
    `,
  },
};
