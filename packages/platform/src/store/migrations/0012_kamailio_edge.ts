import type { Migration } from './types';

/**
 * What Kamailio reads when it is the SIP edge (issue 10; docs/decisions/2026-12-01-kamailio-edge.md).
 *
 * The directory is VIEWS over the platform's own tables, never copies: a tenant or extension created,
 * changed, suspended or deleted is what Kamailio sees on its very next query, and the two can never
 * drift. The views carry HA1 only (realm = the tenant's SIP domain); no password exists to expose.
 * A tenant's SIP domain is `<slug>.<base domain>`; the base domain is the `sip_base_domain` setting
 * (written by `highrise kamailio-config`), `sip.localhost` (the platform's default) when absent.
 * Suspended tenants drop out of every view, so their phones stop authenticating at once.
 *
 * - `domain` / `domain_attrs`: Kamailio's `domain` module shape; `did` is the tenant id, the attributes
 *   are the tenant id, channel limit and messages per minute.
 * - `subscriber`: `auth_db`'s shape. Extensions (digits) and trunks (usernames `trunk-…`, a namespace
 *   extension numbers can never enter) share it; `kind` tells them apart. `ha1b` is empty: it would
 *   need the password, and usernames with `@` are not ours.
 * - `location` (+ `location_attrs`): usrloc's own table, written by Kamailio in db_mode 3.
 * - `version`: the rows Kamailio's modules check at startup.
 *
 * SQLite: a no-op. Kamailio reaches the platform's database over the network, which the embedded
 * SQLite file is not; one machine runs the embedded edge.
 */
/** The tables and views this step makes, on PostgreSQL only. */
export const KAMAILIO_EDGE_OBJECTS = ['version', 'domain', 'domain_attrs', 'subscriber', 'location', 'location_attrs'] as const;

const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;

export const kamailioEdge: Migration = {
  version: 12,
  name: 'kamailio_edge',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      CREATE TABLE version (
        id SERIAL PRIMARY KEY NOT NULL,
        table_name VARCHAR(32) NOT NULL,
        table_version INTEGER DEFAULT 0 NOT NULL,
        CONSTRAINT version_table_name_idx UNIQUE (table_name)
      );
      INSERT INTO version (table_name, table_version) VALUES
        ('version', 1), ('subscriber', 7), ('domain', 2), ('domain_attrs', 1), ('location', 9), ('location_attrs', 1);

      CREATE VIEW domain AS
        SELECT tenants.id AS did, ${SIP_DOMAIN} AS domain, tenants.id AS tenant_id,
               CAST(tenants.updated_at AS TIMESTAMP) AS last_modified
        FROM tenants WHERE tenants.status = 'active';

      CREATE VIEW domain_attrs AS
        SELECT tenants.id AS did, attrs.name, attrs.type, attrs.value, CAST(tenants.updated_at AS TIMESTAMP) AS last_modified
        FROM tenants CROSS JOIN LATERAL (VALUES
          ('tenant_id', 2, tenants.id),
          ('channels', 0, CAST(tenants.limit_channels AS TEXT)),
          ('messages_per_minute', 0, CAST(tenants.limit_messages_per_minute AS TEXT))
        ) AS attrs (name, type, value)
        WHERE tenants.status = 'active';

      CREATE VIEW subscriber AS
        SELECT extensions.number AS username, ${SIP_DOMAIN} AS domain, extensions.ha1, '' AS ha1b,
               'extension' AS kind, tenants.id AS tenant_id, extensions.id AS owner_id
        FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
        WHERE tenants.status = 'active'
        UNION ALL
        SELECT trunks.username, ${SIP_DOMAIN}, trunks.ha1, '', 'trunk', tenants.id, trunks.id
        FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
        WHERE tenants.status = 'active';

      CREATE TABLE location (
        id SERIAL PRIMARY KEY NOT NULL,
        ruid VARCHAR(64) DEFAULT '' NOT NULL,
        username VARCHAR(64) DEFAULT '' NOT NULL,
        domain VARCHAR(64) DEFAULT NULL,
        contact VARCHAR(512) DEFAULT '' NOT NULL,
        received VARCHAR(128) DEFAULT NULL,
        path VARCHAR(512) DEFAULT NULL,
        expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
        q REAL DEFAULT 1.0 NOT NULL,
        callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
        cseq INTEGER DEFAULT 1 NOT NULL,
        last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
        flags INTEGER DEFAULT 0 NOT NULL,
        cflags INTEGER DEFAULT 0 NOT NULL,
        user_agent VARCHAR(255) DEFAULT '' NOT NULL,
        socket VARCHAR(64) DEFAULT NULL,
        methods INTEGER DEFAULT NULL,
        instance VARCHAR(255) DEFAULT NULL,
        reg_id INTEGER DEFAULT 0 NOT NULL,
        server_id INTEGER DEFAULT 0 NOT NULL,
        connection_id INTEGER DEFAULT 0 NOT NULL,
        keepalive INTEGER DEFAULT 0 NOT NULL,
        partition INTEGER DEFAULT 0 NOT NULL,
        CONSTRAINT location_ruid_idx UNIQUE (ruid)
      );
      CREATE INDEX location_account_contact_idx ON location (username, domain, contact);
      CREATE INDEX location_expires_idx ON location (expires);
      CREATE INDEX location_connection_idx ON location (server_id, connection_id);

      CREATE TABLE location_attrs (
        id SERIAL PRIMARY KEY NOT NULL,
        ruid VARCHAR(64) DEFAULT '' NOT NULL,
        username VARCHAR(64) DEFAULT '' NOT NULL,
        domain VARCHAR(64) DEFAULT NULL,
        aname VARCHAR(64) DEFAULT '' NOT NULL,
        atype INTEGER DEFAULT 0 NOT NULL,
        avalue VARCHAR(512) DEFAULT '' NOT NULL,
        last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
      );
      CREATE INDEX location_attrs_account_record_idx ON location_attrs (username, domain, ruid);
    `,
    down: `
      DROP TABLE location_attrs;
      DROP TABLE location;
      DROP VIEW subscriber;
      DROP VIEW domain_attrs;
      DROP VIEW domain;
      DROP TABLE version;
    `,
  },
};
