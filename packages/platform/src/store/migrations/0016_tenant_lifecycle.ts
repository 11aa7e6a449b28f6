import type { Migration } from './types';

/**
 * Tenant deletion with a retention period (issue 9, "Tenant lifecycle";
 * docs/decisions/2026-12-01-tenant-lifecycle.md). A deleted tenant keeps its rows until `purge_at`,
 * when the purge job removes them (audit events, which carry no foreign key, stay).
 *
 * - `deleted_at`, `purge_at`: set while the tenant is deleted, NULL otherwise.
 * - `deleted_state`: JSON of what a restore puts back: the status before the deletion (a deleted
 *   tenant's `status` column is `suspended`, so every gate that refuses a suspended tenant, the
 *   Kamailio views included, refuses a deleted one without knowing of deletion) and the numbers
 *   handed back to the inventory with their routing.
 *
 * Down keeps the three values of every deleted tenant in `settings` (one JSON row the older release
 * never reads) and up puts them back, so a rollback and a roll forward lose no deletion: the older
 * release sees those tenants as suspended (docs/decisions/2026-12-01-lossless-rollback.md).
 */
const KEPT = 'migration.0016.tenants';

export const tenantLifecycle: Migration = {
  version: 16,
  name: 'tenant_lifecycle',
  up: `
    ALTER TABLE tenants ADD COLUMN deleted_at TEXT;
    ALTER TABLE tenants ADD COLUMN purge_at TEXT;
    ALTER TABLE tenants ADD COLUMN deleted_state TEXT;
    UPDATE tenants SET
        deleted_at = json_extract(kept.value, '$.deleted_at'),
        purge_at = json_extract(kept.value, '$.purge_at'),
        deleted_state = json_extract(kept.value, '$.deleted_state')
      FROM json_each((SELECT value FROM settings WHERE key = '${KEPT}')) AS kept
      WHERE tenants.id = json_extract(kept.value, '$.id');
    DELETE FROM settings WHERE key = '${KEPT}';
    CREATE INDEX tenants_purge_at ON tenants (purge_at) WHERE purge_at IS NOT NULL;
  `,
  down: `
    INSERT INTO settings (key, value)
      SELECT '${KEPT}', json_group_array(json_object('id', id, 'deleted_at', deleted_at, 'purge_at', purge_at, 'deleted_state', deleted_state))
        FROM tenants WHERE deleted_at IS NOT NULL
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    DROP INDEX tenants_purge_at;
    ALTER TABLE tenants DROP COLUMN deleted_state;
    ALTER TABLE tenants DROP COLUMN purge_at;
    ALTER TABLE tenants DROP COLUMN deleted_at;
  `,
  postgres: {
    up: `
      ALTER TABLE tenants ADD COLUMN deleted_at TEXT;
      ALTER TABLE tenants ADD COLUMN purge_at TEXT;
      ALTER TABLE tenants ADD COLUMN deleted_state TEXT;
      UPDATE tenants SET
          deleted_at = kept.value ->> 'deleted_at',
          purge_at = kept.value ->> 'purge_at',
          deleted_state = kept.value ->> 'deleted_state'
        FROM json_array_elements((SELECT value FROM settings WHERE key = '${KEPT}')::json) AS kept (value)
        WHERE tenants.id = kept.value ->> 'id';
      DELETE FROM settings WHERE key = '${KEPT}';
      CREATE INDEX tenants_purge_at ON tenants (purge_at) WHERE purge_at IS NOT NULL;
    `,
    down: `
      INSERT INTO settings (key, value)
        SELECT '${KEPT}', coalesce(json_agg(json_build_object('id', id, 'deleted_at', deleted_at, 'purge_at', purge_at, 'deleted_state', deleted_state)), '[]')::text
          FROM tenants WHERE deleted_at IS NOT NULL
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      DROP INDEX tenants_purge_at;
      ALTER TABLE tenants DROP COLUMN deleted_state;
      ALTER TABLE tenants DROP COLUMN purge_at;
      ALTER TABLE tenants DROP COLUMN deleted_at;
    `,
  },
};
