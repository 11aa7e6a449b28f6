import type { Migration } from './types';

/**
 * A changed credential unbinds what it registered at Kamailio, in the same transaction (issue 10;
 * house rule: every credential change must reach open sockets; test/kamailio-revocation.test.ts).
 *
 * Kamailio checks the directory views on every request, so a phone whose credentials were revoked is
 * refused its next call, MESSAGE and REGISTER anyway. Its binding in `location` (usrloc db_mode 3,
 * read by every node on every lookup) outlived the change, though: until it expired (up to an hour)
 * a deleted extension's phone took the calls and messages of whoever got the number next, a phone
 * with a replaced password kept ringing, and a suspended tenant's phones rang again on its resumption
 * without proving anything. These triggers delete the bindings with the change itself, whichever
 * platform node, CLI or script makes it, so no node dials them once it commits:
 *
 * - extension deleted, or its number changed: every binding of its AOR;
 * - extension password (HA1) replaced: the AOR's digest bindings only. A softphone token's
 *   ephemeral credentials name the extension row, not the password, and stay good (as on the
 *   embedded edge); Kamailio marks their bindings with branch flag 9 (cflags 512, kamailio.cfg.tmpl);
 * - trunk deleted, its password rotated or its username changed: the trunk's bindings;
 * - tenant leaving service (suspended, soft-deleted) or changing its slug (its domain): every binding
 *   in its domain; a reseller suspended: every binding of its tenants.
 *
 * The directory views (0012) also drop the tenants of a suspended reseller now: they checked the
 * tenant's own status only, so a suspended reseller's phones went on registering and calling through
 * Kamailio while the embedded edge refused them (tenantInService). Resuming the reseller restores them.
 *
 * Each node closes the WebSocket connections of bindings removed this way (not on a replaced
 * password, where the embedded edge keeps the socket too) within a second: it takes the rows naming
 * its own listen socket from `kamailio_revoked_connections` every second (kamailio.cfg.tmpl,
 * route REVOKED_CONNECTIONS), so no node listens on anything new and the platform holds no RPC
 * credential for Kamailio. Kamailio's role needs `SELECT, DELETE` on that table.
 *
 * The domain is computed as the views compute it (0012); Kamailio stores it lowercased or as the
 * phone wrote it, so it is compared lowercased (the index on lower(domain), username serves both the one-user and the tenant-wide delete).
 * SQLite: a no-op, as for the other Kamailio objects (0012).
 */
const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;
/** 0012's condition: the tenant's own status only. */
const TENANT_ACTIVE = `tenants.status = 'active'`;
/** In service, as the embedded edge has it (tenantInService): a suspended reseller's tenants are out too. */
const IN_SERVICE = `tenants.status = 'active' AND NOT EXISTS (SELECT 1 FROM resellers WHERE resellers.id = tenants.reseller_id AND resellers.status <> 'active')`;

/** 0012's directory views (subscriber with 0021's limit columns), with `active` as the tenants that are in service (same columns, so CREATE OR REPLACE). */
const directoryViews = (active: string) => `
      CREATE OR REPLACE VIEW domain AS
        SELECT tenants.id AS did, ${SIP_DOMAIN} AS domain, tenants.id AS tenant_id,
               CAST(tenants.updated_at AS TIMESTAMP) AS last_modified
        FROM tenants WHERE ${active};

      CREATE OR REPLACE VIEW domain_attrs AS
        SELECT tenants.id AS did, attrs.name, attrs.type, attrs.value, CAST(tenants.updated_at AS TIMESTAMP) AS last_modified
        FROM tenants CROSS JOIN LATERAL (VALUES
          ('tenant_id', 2, tenants.id),
          ('channels', 0, CAST(tenants.limit_channels AS TEXT)),
          ('messages_per_minute', 0, CAST(tenants.limit_messages_per_minute AS TEXT))
        ) AS attrs (name, type, value)
        WHERE ${active};

      CREATE OR REPLACE VIEW subscriber AS
        SELECT extensions.number AS username, ${SIP_DOMAIN} AS domain, extensions.ha1, '' AS ha1b,
               'extension' AS kind, tenants.id AS tenant_id, extensions.id AS owner_id,
               tenants.limit_channels AS channels, tenants.limit_messages_per_minute AS messages_per_minute
        FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
        WHERE ${active}
        UNION ALL
        SELECT trunks.username, ${SIP_DOMAIN}, trunks.ha1, '', 'trunk', tenants.id, trunks.id,
               tenants.limit_channels, tenants.limit_messages_per_minute
        FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
        WHERE ${active};
`;

/** kamailio_unbind's statement for bindings in p_domain matching `extra` (one user or all of them). */
const unbindWhere = (extra: string) => `
        WITH gone AS (
          DELETE FROM location
          WHERE lower(domain) = p_domain${extra} AND (NOT p_digest_only OR cflags & 512 = 0)
          RETURNING ruid, socket, received
        ), attrs AS (
          DELETE FROM location_attrs WHERE ruid IN (SELECT ruid FROM gone)
        )
        INSERT INTO kamailio_revoked_connections (socket, received)
          SELECT DISTINCT socket, received FROM gone
          WHERE p_close AND socket IS NOT NULL AND received ~ ';transport=wss?$';`;

/** The table this step makes, on PostgreSQL only. */
export const KAMAILIO_REVOKED_CONNECTIONS_TABLE = 'kamailio_revoked_connections';

export const kamailioUnbind: Migration = {
  version: 22,
  name: 'kamailio_unbind',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      CREATE INDEX location_domain_lower_idx ON location (lower(domain), username);

      CREATE FUNCTION kamailio_sip_domain(p_slug TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
        SELECT lower(p_slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost'))
      $$;

      -- WebSocket connections to close, each by the node that holds it (its listen socket, as usrloc
      -- stored it) within a second. Rows live a second; UNLOGGED as the limit tables (0020).
      CREATE UNLOGGED TABLE kamailio_revoked_connections (
        id BIGSERIAL PRIMARY KEY,
        socket TEXT NOT NULL,
        received TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX kamailio_revoked_connections_socket ON kamailio_revoked_connections (socket);

      -- The bindings of p_username in p_domain (NULL: the whole domain); p_digest_only keeps those a
      -- token's ephemeral credentials made (branch flag 9); p_close queues their WebSocket connections.
      -- Two statements, not one with "p_username IS NULL OR username = p_username": that form cannot
      -- use the (domain, username) index, and a statement deleting 1,000 extensions scanned the whole
      -- domain's bindings 1,000 times (0.9-1.2 s with 5,000 bindings, against 0.19 s this way).
      CREATE FUNCTION kamailio_unbind(p_username TEXT, p_domain TEXT, p_digest_only BOOLEAN, p_close BOOLEAN) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF p_username IS NULL THEN
${unbindWhere('')}
        ELSE
${unbindWhere(' AND username = p_username')}
        END IF;
      END
      $$;

      CREATE FUNCTION kamailio_unbind_extension() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        -- A replaced password keeps the sockets open (as the embedded edge does): they can do nothing more.
        password_only BOOLEAN := CASE WHEN TG_OP = 'UPDATE' THEN OLD.number = NEW.number ELSE false END;
      BEGIN
        PERFORM kamailio_unbind(OLD.number, kamailio_sip_domain(tenants.slug), password_only, NOT password_only)
          FROM tenants WHERE tenants.id = OLD.tenant_id;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_unbind_extension_deleted AFTER DELETE ON extensions
        FOR EACH ROW EXECUTE FUNCTION kamailio_unbind_extension();
      CREATE TRIGGER kamailio_unbind_extension_changed AFTER UPDATE OF ha1, number ON extensions
        FOR EACH ROW WHEN (OLD.ha1 IS DISTINCT FROM NEW.ha1 OR OLD.number IS DISTINCT FROM NEW.number)
        EXECUTE FUNCTION kamailio_unbind_extension();

      CREATE FUNCTION kamailio_unbind_trunk() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM kamailio_unbind(OLD.username, kamailio_sip_domain(tenants.slug), false, TG_OP = 'DELETE')
          FROM tenants WHERE tenants.id = OLD.tenant_id;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_unbind_trunk_deleted AFTER DELETE ON trunks
        FOR EACH ROW EXECUTE FUNCTION kamailio_unbind_trunk();
      CREATE TRIGGER kamailio_unbind_trunk_changed AFTER UPDATE OF ha1, username ON trunks
        FOR EACH ROW WHEN (OLD.ha1 IS DISTINCT FROM NEW.ha1 OR OLD.username IS DISTINCT FROM NEW.username)
        EXECUTE FUNCTION kamailio_unbind_trunk();

      CREATE FUNCTION kamailio_unbind_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM kamailio_unbind(NULL, kamailio_sip_domain(OLD.slug), false, true);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_unbind_tenant_deleted AFTER DELETE ON tenants
        FOR EACH ROW EXECUTE FUNCTION kamailio_unbind_tenant();
      CREATE TRIGGER kamailio_unbind_tenant_changed AFTER UPDATE OF status, slug ON tenants
        FOR EACH ROW WHEN ((OLD.status = 'active' AND NEW.status <> 'active') OR OLD.slug IS DISTINCT FROM NEW.slug)
        EXECUTE FUNCTION kamailio_unbind_tenant();

      CREATE FUNCTION kamailio_unbind_reseller() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM kamailio_unbind(NULL, kamailio_sip_domain(tenants.slug), false, true) FROM tenants WHERE tenants.reseller_id = OLD.id;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_unbind_reseller_suspended AFTER UPDATE OF status ON resellers
        FOR EACH ROW WHEN (OLD.status = 'active' AND NEW.status <> 'active')
        EXECUTE FUNCTION kamailio_unbind_reseller();
${directoryViews(IN_SERVICE)}
    `,
    down: `
${directoryViews(TENANT_ACTIVE)}
      DROP TRIGGER kamailio_unbind_reseller_suspended ON resellers;
      DROP FUNCTION kamailio_unbind_reseller();
      DROP TRIGGER kamailio_unbind_tenant_changed ON tenants;
      DROP TRIGGER kamailio_unbind_tenant_deleted ON tenants;
      DROP FUNCTION kamailio_unbind_tenant();
      DROP TRIGGER kamailio_unbind_trunk_changed ON trunks;
      DROP TRIGGER kamailio_unbind_trunk_deleted ON trunks;
      DROP FUNCTION kamailio_unbind_trunk();
      DROP TRIGGER kamailio_unbind_extension_changed ON extensions;
      DROP TRIGGER kamailio_unbind_extension_deleted ON extensions;
      DROP FUNCTION kamailio_unbind_extension();
      DROP FUNCTION kamailio_unbind(TEXT, TEXT, BOOLEAN, BOOLEAN);
      DROP TABLE kamailio_revoked_connections;
      DROP FUNCTION kamailio_sip_domain(TEXT);
      DROP INDEX location_domain_lower_idx;
    `,
  },
};
