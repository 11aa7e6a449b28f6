import type { Migration } from './types';

/**
 * A token REGISTER in flight while the tenant's signing key rotates is refused (issue 10; house rule:
 * every credential change must reach open sockets; docs/decisions/2026-12-03-kamailio-token-revocation.md).
 *
 * 0026 unbinds a tenant's token phones when its key rotates, and 0023 refuses a binding whose
 * credential changed between Kamailio's check and usrloc's INSERT. The two did not meet: 0023's token
 * marker (`t<extension id>`) named no key, and a rotation took none of 0023's locks, so a REGISTER
 * checked against the old key just before the rotation committed kept its binding.
 *
 * - **The marker names the key the REGISTER proved**: `t<extension id>.<key id>` (the 16 hex digits
 *   the credentials carry), or `t<extension id>.legacy` for credentials minted before 0026. The cfg
 *   has both from the username it already parsed: no query of its own. A marker without a key
 *   (`t<extension id>`, a node still on an older cfg during a rolling upgrade) is checked as 0023
 *   checked it; render every node again after migrating.
 * - **In force** for a token also means: its key is the tenant's current one (0026's `token_key_id`),
 *   read in the check's one statement after its lock, or, for `legacy`, the tenant still has the key
 *   0026 recorded (0026's `legacy_tokens`; one more statement, for such credentials only).
 * - **A rotation takes the tenant's domain lock exclusively**, as 0023's changes do, before it writes:
 *   on the upsert's INSERT (which fires before the conflicting row is locked), on an UPDATE of the seed
 *   and on a DELETE. A tenant's first key takes none (nothing was bound with a key it replaces). The
 *   check then either finishes before the rotation's unbind (which removes the binding) or waits for
 *   its commit and sees the new key. Domain only: the key is the tenant's, not the reseller's, so 0023's
 *   order (domain, then reseller) holds trivially.
 *
 * SQLite: a no-op, as for the other Kamailio objects.
 */
const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;

/** The lock class of 0023 (two-int advisory locks); the key is a tenant's SIP domain, lowercased. */
const LOCK = `hashtext('kamailio_bindings')`;

/**
 * kamailio_token_key_id(seed) (0026, = signingKeyId in edge-credentials.ts) written out: that SQL function
 * is not inlined (IMMUTABLE over convert_to, which is STABLE), and calling it cost the check about 35 µs
 * per token binding; the expression costs a few. migrate.test.ts checks the two agree.
 */
const KEY_ID_OF_SEED = `substr(encode(sha256(convert_to('highrise-kamailio-key-id:' || signing.secret, 'UTF8')), 'hex'), 1, 16)`;

/** 0023's kamailio_binding_in_force, with the token's key checked when `withKeys`. */
const bindingInForce = (withKeys: boolean) => `
      CREATE OR REPLACE FUNCTION kamailio_binding_in_force(kind TEXT, owner TEXT, version TEXT, username TEXT, sip_domain TEXT, cflags INTEGER, waits BOOLEAN)
      RETURNS BOOLEAN LANGUAGE plpgsql SECURITY DEFINER AS $$
      DECLARE
        reseller TEXT;
        in_force BOOLEAN;${withKeys ? `
        tenant TEXT;
        current_key TEXT;` : ''}
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
        ${
          withKeys
            ? `ELSIF kind = 'e' THEN
          SELECT tenants.reseller_id, true INTO reseller, in_force FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
          WHERE extensions.id = owner AND extensions.number = kamailio_binding_in_force.username AND CAST(extensions.xmin AS TEXT) = version
            AND lower(${SIP_DOMAIN}) = lower(sip_domain) AND tenants.status = 'active';
        ELSIF kind = 't' THEN
          SELECT tenants.reseller_id, true, tenants.id, (SELECT ${KEY_ID_OF_SEED} FROM tenant_signing_keys AS signing WHERE signing.tenant_id = tenants.id)
            INTO reseller, in_force, tenant, current_key FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
          WHERE extensions.id = owner AND extensions.number = kamailio_binding_in_force.username
            AND lower(${SIP_DOMAIN}) = lower(sip_domain) AND tenants.status = 'active';
          -- The key the credentials named (version) is the tenant's current one; 'legacy': 0026's legacy_tokens;
          -- none: a node on the cfg before 0027. The domain lock keeps the key as the statement above read it.
          IF version = 'legacy' THEN
            in_force := in_force AND EXISTS (SELECT 1 FROM kamailio_legacy_token_keys AS legacy WHERE legacy.tenant_id = tenant AND legacy.key_id = current_key);
          ELSIF version <> '' THEN
            in_force := in_force AND version = current_key;
          END IF;`
            : `ELSIF kind IN ('e', 't') THEN
          SELECT tenants.reseller_id, true INTO reseller, in_force FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
          WHERE extensions.id = owner AND extensions.number = kamailio_binding_in_force.username AND (kind = 't' OR CAST(extensions.xmin AS TEXT) = version)
            AND lower(${SIP_DOMAIN}) = lower(sip_domain) AND tenants.status = 'active';`
        }
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
      -- CREATE OR REPLACE resets the function's settings: the search_path again, as 0023 fixed it.
      DO $$ BEGIN EXECUTE format('ALTER FUNCTION kamailio_binding_in_force(TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, BOOLEAN) SET search_path = %I, pg_temp', current_schema()); END $$;`;

export const kamailioTokenBindingKey: Migration = {
  version: 27,
  name: 'kamailio_token_binding_key',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      ${bindingInForce(true)}

      -- Before a rotation writes: its tenant's domain, exclusive (0023's lock for the changes it serialises).
      CREATE FUNCTION kamailio_bindings_lock_signing_key() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        tenant TEXT;
      BEGIN
        IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
        -- The upsert's INSERT: only when a key exists, i.e. it is a rotation (a first key replaces none).
        IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM tenant_signing_keys WHERE tenant_id = tenant) THEN RETURN NEW; END IF;
        -- Nothing when the tenant is gone already (a tenant's delete cascading here took its lock).
        PERFORM pg_advisory_xact_lock(${LOCK}, hashtext(kamailio_sip_domain(tenants.slug))) FROM tenants WHERE tenants.id = tenant;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER kamailio_bindings_lock_signing_key BEFORE INSERT OR UPDATE OF secret OR DELETE ON tenant_signing_keys
        FOR EACH ROW EXECUTE FUNCTION kamailio_bindings_lock_signing_key();
    `,
    down: `
      DROP TRIGGER kamailio_bindings_lock_signing_key ON tenant_signing_keys;
      DROP FUNCTION kamailio_bindings_lock_signing_key();
      ${bindingInForce(false)}
    `,
  },
};
