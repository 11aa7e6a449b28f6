import type { Migration } from './types';
import { recreateViewKeepingGrants } from './recreate-view';

/**
 * The tenant's limits in the `subscriber` view (issue 10; docs/decisions/2026-12-02-kamailio-policy-cost.md).
 * `auth_db` loads `kind`, `tenant_id`, `channels` and `messages_per_minute` as AVPs with the HA1 it
 * reads anyway (`load_credentials`), so an INVITE or MESSAGE no longer asks `domain_attrs` for its
 * tenant: one database round trip fewer per call. Still a view over `tenants`, read per request, so
 * a limit changed through the API applies to the next call at every node.
 *
 * New columns go at the end (CREATE OR REPLACE VIEW keeps the view, and the grants on it, as long as
 * the existing columns stay). Down drops them, which only DROP and CREATE can do: the grants on the
 * view (Kamailio's role, deploy/kamailio/README.md) are read first and given again.
 *
 * SQLite: a no-op, as for the other Kamailio objects (0012).
 */
const SIP_DOMAIN = `tenants.slug || '.' || COALESCE((SELECT value FROM settings WHERE key = 'sip_base_domain'), 'sip.localhost')`;

const subscriberView = (withLimits: boolean) => {
  const limits = withLimits ? ', tenants.limit_channels AS channels, tenants.limit_messages_per_minute AS messages_per_minute' : '';
  return `
        SELECT extensions.number AS username, ${SIP_DOMAIN} AS domain, extensions.ha1, '' AS ha1b,
               'extension' AS kind, tenants.id AS tenant_id, extensions.id AS owner_id${limits}
        FROM extensions JOIN tenants ON tenants.id = extensions.tenant_id
        WHERE tenants.status = 'active'
        UNION ALL
        SELECT trunks.username, ${SIP_DOMAIN}, trunks.ha1, '', 'trunk', tenants.id, trunks.id${withLimits ? ', tenants.limit_channels, tenants.limit_messages_per_minute' : ''}
        FROM trunks JOIN tenants ON tenants.id = trunks.tenant_id
        WHERE tenants.status = 'active'`;
};

export const kamailioSubscriberLimits: Migration = {
  version: 21,
  name: 'kamailio_subscriber_limits',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `CREATE OR REPLACE VIEW subscriber AS ${subscriberView(true)};`,
    down: `
      ${recreateViewKeepingGrants('subscriber', subscriberView(false))}
    `,
  },
};
