import type { Migration } from './types';
import { recreateViewKeepingGrants } from './recreate-view';

/**
 * A rotated softphone signing key stops its tokens at Kamailio too (issue 10; house rule: every
 * credential change must reach open sockets; docs/decisions/2026-12-03-kamailio-token-revocation.md).
 *
 * A token's ephemeral credentials name the tenant's signing key generation
 * (`<expiry>:<ext>.<extension id>.<key id>@<domain>`, edge-credentials.ts), and the edge's one
 * subscriber lookup requires that key id to be the tenant's current one:
 *
 * - `subscriber.token_key_id`: `kamailio_token_key_id(seed)`, the same 16 hex digits as
 *   `signingKeyId` in edge-credentials.ts. Kamailio's role reads the view, never the seed (a view
 *   reads its tables with its owner's rights).
 * - `subscriber.legacy_tokens`: credentials minted before this step carry no key id; they pass while
 *   the tenant still has the key it had when this step ran (`kamailio_legacy_token_keys`), so the
 *   deploy refuses no phone, and the first rotation after it stops them as well. They live a day at
 *   most, so the table is dead weight a day after the deploy.
 * - Rotating (or removing) the seed deletes the tenant's token bindings (branch flag 9, cflags 512)
 *   and queues their WebSocket connections for closing, as 0022 does for other credential changes.
 *   Digest phones are untouched: the key signs tokens only.
 *
 * New view columns go at the end (CREATE OR REPLACE keeps the grants); down drops them with DROP and
 * CREATE and gives the grants back, as 0021 does. SQLite: a no-op, as for the other Kamailio objects.
 */
const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;
/** 0022's "in service" (tenantInService), as 0023 has it. */
const IN_SERVICE = `tenants.status = 'active' AND NOT EXISTS (SELECT 1 FROM resellers WHERE resellers.id = tenants.reseller_id AND resellers.status <> 'active')`;

/**
 * 0023's subscriber view (0022's with row_version), with or without the token key columns. They are subqueries, not joins, so
 * a query that does not ask for them (auth_db's digest lookup) does not read the keys at all.
 */
const TOKEN_KEY_ID = `(SELECT kamailio_token_key_id(signing.secret) FROM tenant_signing_keys AS signing WHERE signing.tenant_id = tenants.id)`;
const LEGACY_TOKENS = `EXISTS (SELECT 1 FROM kamailio_legacy_token_keys AS legacy JOIN tenant_signing_keys AS signing ON signing.tenant_id = legacy.tenant_id
                 WHERE legacy.tenant_id = tenants.id AND legacy.key_id = kamailio_token_key_id(signing.secret))`;
const subscriberView = (withKeys: boolean) => `
        SELECT extensions.number AS username, ${SIP_DOMAIN} AS domain, extensions.ha1, '' AS ha1b,
               'extension' AS kind, tenants.id AS tenant_id, extensions.id AS owner_id,
               tenants.limit_channels AS channels, tenants.limit_messages_per_minute AS messages_per_minute,
               CAST(extensions.xmin AS TEXT) AS row_version${withKeys ? `,
               ${TOKEN_KEY_ID} AS token_key_id,
               ${LEGACY_TOKENS} AS legacy_tokens` : ''}
        FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
        WHERE ${IN_SERVICE}
        UNION ALL
        SELECT trunks.username, ${SIP_DOMAIN}, trunks.ha1, '', 'trunk', tenants.id, trunks.id,
               tenants.limit_channels, tenants.limit_messages_per_minute, CAST(trunks.xmin AS TEXT)${withKeys ? ', NULL, false' : ''}
        FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
        WHERE ${IN_SERVICE}`;

/** The table this step makes, on PostgreSQL only. */
export const KAMAILIO_LEGACY_TOKEN_KEYS_TABLE = 'kamailio_legacy_token_keys';

export const kamailioTokenKeys: Migration = {
  version: 26,
  name: 'kamailio_token_keys',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      -- signingKeyId in edge-credentials.ts: change both together.
      CREATE FUNCTION kamailio_token_key_id(p_seed TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
        SELECT substr(encode(sha256(convert_to('highrise-kamailio-key-id:' || p_seed, 'UTF8')), 'hex'), 1, 16)
      $$;

      -- The keys whose tokens were minted without a key id: each tenant's key as this step found it.
      CREATE TABLE kamailio_legacy_token_keys (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        key_id TEXT NOT NULL
      );
      INSERT INTO kamailio_legacy_token_keys (tenant_id, key_id)
        SELECT tenant_id, kamailio_token_key_id(secret) FROM tenant_signing_keys;

      CREATE OR REPLACE VIEW subscriber AS ${subscriberView(true)};

      CREATE FUNCTION kamailio_unbind_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.secret = NEW.secret THEN
          RETURN NULL;
        END IF;
        WITH gone AS (
          DELETE FROM location
          WHERE lower(domain) = (SELECT kamailio_sip_domain(tenants.slug) FROM tenants WHERE tenants.id = OLD.tenant_id)
            AND cflags & 512 <> 0
          RETURNING ruid, socket, received
        ), attrs AS (
          DELETE FROM location_attrs WHERE ruid IN (SELECT ruid FROM gone)
        )
        INSERT INTO kamailio_revoked_connections (socket, received)
          SELECT DISTINCT socket, received FROM gone
          WHERE socket IS NOT NULL AND received ~ ';transport=wss?$';
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER kamailio_unbind_tokens AFTER UPDATE OF secret OR DELETE ON tenant_signing_keys
        FOR EACH ROW EXECUTE FUNCTION kamailio_unbind_tokens();
    `,
    down: `
      DROP TRIGGER kamailio_unbind_tokens ON tenant_signing_keys;
      DROP FUNCTION kamailio_unbind_tokens();
      ${recreateViewKeepingGrants('subscriber', subscriberView(false))}
      DROP TABLE kamailio_legacy_token_keys;
      DROP FUNCTION kamailio_token_key_id(TEXT);
    `,
  },
};
