import type { Migration } from './types';
import { recreateViewKeepingGrants } from './recreate-view';

/**
 * A binding is stored only while the credential that registered it is in force (issue 10; house rule:
 * every credential change must reach open sockets; docs/decisions/2026-12-02-kamailio-credential-changes.md).
 *
 * 0022 deletes a changed credential's bindings in the change's transaction. A REGISTER in flight
 * slipped past it: Kamailio checked the digest against the row as it was, the change committed (its
 * DELETE found nothing yet), then usrloc INSERTed the binding, and the phone whose password was
 * replaced, extension deleted or tenant suspended stayed reachable until the binding expired.
 *
 * - **Which credential.** kamailio.cfg.tmpl appends `;hrauth=<kind><owner id>[.<row version>]` to the
 *   binding's `received` (the one column of usrloc's INSERT and UPDATE the script sets for every
 *   REGISTER): `e`/`k` an extension's/trunk's digest with the row's `xmin` as the subscriber view gave
 *   it to auth_db (new column `row_version`, read in the same query as the HA1), `t` a softphone
 *   token's ephemeral credentials, which name the extension row whatever its password (so a token
 *   phone survives a pure password change, as 0022 has it). The trigger takes the marker off again:
 *   nothing stored or dialled carries it. `xmin` changes with any write of the row, so a REGISTER
 *   racing a display-name change is refused too (it registers again); nothing derived from the HA1
 *   goes into a statement PostgreSQL may log. The marker is at most 50 characters: with a WSS
 *   phone's IPv6 address `received` stays within its 128 (checked before the trigger runs).
 * - **In force** is what the views say (0022's in-service tenant, reseller included), with the same
 *   row version for digest, the same number or username, and the tenant's domain.
 * - **Serialised with the change.** Each change 0022 unbinds for takes, before it writes, an exclusive
 *   advisory lock on its tenant's SIP domain, then its reseller's shared (a reseller's suspension:
 *   the reseller's, exclusive). The INSERT's check takes the binding's domain shared (no lookup
 *   first), reads, and for a reseller's tenant takes the reseller's shared and reads its status: it
 *   either finishes before the change's DELETE looks (which then removes the binding) or waits for
 *   the change to commit and reads it. One order (domain, then reseller) everywhere. Advisory, not
 *   `FOR SHARE` on the rows: every REGISTER of a tenant would write a lock into the one tenant row (a
 *   multixact whenever two overlap); these locks live in memory.
 * - **Refresh (UPDATE).** A change's DELETE that meets a binding being refreshed waits for it and
 *   re-reads it, and a refresh of a binding it already deleted updates nothing (usrloc then INSERTs
 *   it, `db_check_update`, and the check above applies). The one binding a change leaves (a token
 *   phone's, on a password change) is checked when a digest refresh would turn it into a digest
 *   binding, without waiting (the refresh holds the row the change's DELETE may need): a change in
 *   flight refuses it.
 * - Refused: an error, so registrar answers the REGISTER 500, not 200 OK.
 *
 * A row without the marker (another Kamailio on the database, a node still on an older cfg) is not
 * checked, as before this step. The check (kamailio_binding_in_force) runs as its owner (SECURITY
 * DEFINER, search_path fixed): Kamailio's role reads no platform table. The trigger runs with the
 * caller's rights, so a refresh, which only has the marker taken off, does not pay for the switch.
 * SQLite: a no-op, as for the other Kamailio objects (0012).
 */
const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;
/** As 0022's views: a suspended reseller's tenants are out of service too. */
const IN_SERVICE = `tenants.status = 'active' AND NOT EXISTS (SELECT 1 FROM resellers WHERE resellers.id = tenants.reseller_id AND resellers.status <> 'active')`;

/** 0022's subscriber view, with the version of the row that holds the credential at the end when `withVersion`. */
const subscriberView = (withVersion: boolean) => `
        SELECT extensions.number AS username, ${SIP_DOMAIN} AS domain, extensions.ha1, '' AS ha1b,
               'extension' AS kind, tenants.id AS tenant_id, extensions.id AS owner_id,
               tenants.limit_channels AS channels, tenants.limit_messages_per_minute AS messages_per_minute${withVersion ? ',\n               CAST(extensions.xmin AS TEXT) AS row_version' : ''}
        FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
        WHERE ${IN_SERVICE}
        UNION ALL
        SELECT trunks.username, ${SIP_DOMAIN}, trunks.ha1, '', 'trunk', tenants.id, trunks.id,
               tenants.limit_channels, tenants.limit_messages_per_minute${withVersion ? ', CAST(trunks.xmin AS TEXT)' : ''}
        FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
        WHERE ${IN_SERVICE}`;

/** The lock class (two-int advisory locks, as kamailio_take_channel's); the key is a tenant's SIP domain (lowercased) or a reseller's id. */
const LOCK = `hashtext('kamailio_bindings')`;

export const kamailioBindingCheck: Migration = {
  version: 23,
  name: 'kamailio_binding_check',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      CREATE OR REPLACE VIEW subscriber AS ${subscriberView(true)};

      -- Before a change that unbinds (0022's triggers, same conditions): its domain exclusive, then its reseller shared.
      CREATE FUNCTION kamailio_bindings_lock_owner() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sip_domain TEXT;
        reseller TEXT;
      BEGIN
        -- Nothing when the tenant is gone already (a tenant's delete cascading here took its lock).
        SELECT lower(${SIP_DOMAIN}), tenants.reseller_id INTO sip_domain, reseller FROM tenants WHERE tenants.id = OLD.tenant_id;
        PERFORM pg_advisory_xact_lock(${LOCK}, hashtext(sip_domain));
        PERFORM pg_advisory_xact_lock_shared(${LOCK}, hashtext(reseller));
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER kamailio_bindings_lock_extension_deleted BEFORE DELETE ON extensions
        FOR EACH ROW EXECUTE FUNCTION kamailio_bindings_lock_owner();
      CREATE TRIGGER kamailio_bindings_lock_extension_changed BEFORE UPDATE OF ha1, number ON extensions
        FOR EACH ROW WHEN (OLD.ha1 IS DISTINCT FROM NEW.ha1 OR OLD.number IS DISTINCT FROM NEW.number)
        EXECUTE FUNCTION kamailio_bindings_lock_owner();
      CREATE TRIGGER kamailio_bindings_lock_trunk_deleted BEFORE DELETE ON trunks
        FOR EACH ROW EXECUTE FUNCTION kamailio_bindings_lock_owner();
      CREATE TRIGGER kamailio_bindings_lock_trunk_changed BEFORE UPDATE OF ha1, username ON trunks
        FOR EACH ROW WHEN (OLD.ha1 IS DISTINCT FROM NEW.ha1 OR OLD.username IS DISTINCT FROM NEW.username)
        EXECUTE FUNCTION kamailio_bindings_lock_owner();

      CREATE FUNCTION kamailio_bindings_lock_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK}, hashtext(kamailio_sip_domain(OLD.slug)));
        PERFORM pg_advisory_xact_lock_shared(${LOCK}, hashtext(OLD.reseller_id));
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER kamailio_bindings_lock_tenant_deleted BEFORE DELETE ON tenants
        FOR EACH ROW EXECUTE FUNCTION kamailio_bindings_lock_tenant();
      CREATE TRIGGER kamailio_bindings_lock_tenant_changed BEFORE UPDATE OF status, slug ON tenants
        FOR EACH ROW WHEN ((OLD.status = 'active' AND NEW.status <> 'active') OR OLD.slug IS DISTINCT FROM NEW.slug)
        EXECUTE FUNCTION kamailio_bindings_lock_tenant();

      CREATE FUNCTION kamailio_bindings_lock_reseller() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK}, hashtext(OLD.id));
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER kamailio_bindings_lock_reseller_suspended BEFORE UPDATE OF status ON resellers
        FOR EACH ROW WHEN (OLD.status = 'active' AND NEW.status <> 'active')
        EXECUTE FUNCTION kamailio_bindings_lock_reseller();

      -- Whether a binding's credential is in force. Locks before reads, each read a statement of its own:
      -- a change that committed meanwhile is seen. waits false: try the locks, refuse if a change holds them.
      CREATE FUNCTION kamailio_binding_in_force(kind TEXT, owner TEXT, version TEXT, username TEXT, sip_domain TEXT, cflags INTEGER, waits BOOLEAN)
      RETURNS BOOLEAN LANGUAGE plpgsql SECURITY DEFINER AS $$
      DECLARE
        reseller TEXT;
        in_force BOOLEAN;
      BEGIN
        -- A token's binding is flagged as one (0022 spares those on a password change), and only a token's.
        IF (kind = 't') <> (cflags & 512 <> 0) THEN RETURN false; END IF;
        IF waits THEN
          PERFORM pg_advisory_xact_lock_shared(${LOCK}, hashtext(lower(sip_domain)));
        ELSIF NOT pg_try_advisory_xact_lock_shared(${LOCK}, hashtext(lower(sip_domain))) THEN
          RETURN false;
        END IF;
        IF kind = 'k' THEN
          SELECT tenants.reseller_id, true INTO reseller, in_force FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
          WHERE trunks.id = owner AND trunks.username = kamailio_binding_in_force.username AND CAST(trunks.xmin AS TEXT) = version
            AND lower(${SIP_DOMAIN}) = lower(sip_domain) AND tenants.status = 'active';
        ELSIF kind IN ('e', 't') THEN
          SELECT tenants.reseller_id, true INTO reseller, in_force FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
          WHERE extensions.id = owner AND extensions.number = kamailio_binding_in_force.username AND (kind = 't' OR CAST(extensions.xmin AS TEXT) = version)
            AND lower(${SIP_DOMAIN}) = lower(sip_domain) AND tenants.status = 'active';
        END IF;
        IF in_force IS NOT true THEN RETURN false; END IF;
        -- The tenant's reseller in service too (0022's condition), read after its lock.
        IF reseller IS NULL THEN RETURN true; END IF;
        IF waits THEN
          PERFORM pg_advisory_xact_lock_shared(${LOCK}, hashtext(reseller));
        ELSIF NOT pg_try_advisory_xact_lock_shared(${LOCK}, hashtext(reseller)) THEN
          RETURN false;
        END IF;
        RETURN EXISTS (SELECT 1 FROM resellers WHERE resellers.id = reseller AND resellers.status = 'active');
      END
      $$;
      -- Kamailio's role may not read the tables it reads; no schema that role can write is searched.
      DO $$ BEGIN EXECUTE format('ALTER FUNCTION kamailio_binding_in_force(TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, BOOLEAN) SET search_path = %I, pg_temp', current_schema()); END $$;

      -- Takes the marker off the binding; a new binding (or a token one turning digest) is stored only if
      -- its credential is in force. The caller's rights: a refresh, which is not checked, pays no switch.
      CREATE FUNCTION kamailio_binding_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        marker TEXT := substring(NEW.received FROM ';hrauth=([^;]*)$');
      BEGIN
        IF marker IS NOT NULL THEN
          NEW.received := left(NEW.received, -length(';hrauth=' || marker));
          -- A refresh is checked only when a token binding becomes a digest one (see the migration's comment).
          IF TG_OP = 'UPDATE' AND (OLD.cflags & 512 = 0 OR NEW.cflags & 512 <> 0) THEN RETURN NEW; END IF;
          IF kamailio_binding_in_force(left(marker, 1), split_part(substr(marker, 2), '.', 1), split_part(substr(marker, 2), '.', 2), NEW.username, NEW.domain, NEW.cflags, TG_OP = 'INSERT') THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'binding of % refused: the credential that registered it is no longer in force', NEW.username
          USING ERRCODE = 'invalid_authorization_specification';
      END
      $$;
      CREATE TRIGGER kamailio_binding_check_insert BEFORE INSERT ON location
        FOR EACH ROW WHEN (NEW.received LIKE '%;hrauth=%') EXECUTE FUNCTION kamailio_binding_check();
      CREATE TRIGGER kamailio_binding_check_update BEFORE UPDATE ON location
        FOR EACH ROW WHEN (NEW.received LIKE '%;hrauth=%') EXECUTE FUNCTION kamailio_binding_check();
    `,
    down: `
      DROP TRIGGER kamailio_binding_check_update ON location;
      DROP TRIGGER kamailio_binding_check_insert ON location;
      DROP FUNCTION kamailio_binding_check();
      DROP FUNCTION kamailio_binding_in_force(TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, BOOLEAN);
      DROP TRIGGER kamailio_bindings_lock_reseller_suspended ON resellers;
      DROP FUNCTION kamailio_bindings_lock_reseller();
      DROP TRIGGER kamailio_bindings_lock_tenant_changed ON tenants;
      DROP TRIGGER kamailio_bindings_lock_tenant_deleted ON tenants;
      DROP FUNCTION kamailio_bindings_lock_tenant();
      DROP TRIGGER kamailio_bindings_lock_trunk_changed ON trunks;
      DROP TRIGGER kamailio_bindings_lock_trunk_deleted ON trunks;
      DROP TRIGGER kamailio_bindings_lock_extension_changed ON extensions;
      DROP TRIGGER kamailio_bindings_lock_extension_deleted ON extensions;
      DROP FUNCTION kamailio_bindings_lock_owner();
      -- Dropping row_version needs DROP and CREATE: the view's grants (Kamailio's role) are read first and given again, as in 0021.
      ${recreateViewKeepingGrants('subscriber', subscriberView(false))}
    `,
  },
};
