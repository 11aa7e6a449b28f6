import type { Migration } from './types';

/**
 * Per-tenant caps on dial rules, ring groups and trunks (issue 8, finding 5), limits like the others,
 * and the revision of the tenant's dial plan, which the domain bumps in the same transaction as any
 * change to its dial rules so a cached compiled plan is known stale on the very next call, by this
 * process or any other reading the same database. Existing tenants get the new defaults; one that
 * already holds more rules than its cap keeps them (only creation is refused).
 *
 * Down keeps the values that differ from the defaults in `settings` (one JSON row, which the older
 * release never reads) and up puts them back, so a rollback and a roll forward give every tenant its
 * caps and revision again instead of the defaults (docs/decisions/2026-12-01-lossless-rollback.md).
 */
const KEPT = 'migration.0011.tenants';
const changed = 'limit_dial_rules <> 200 OR limit_ring_groups <> 50 OR limit_trunks <> 10 OR dial_plan_revision <> 0';

export const tenantCapsAndPlanRevision: Migration = {
  version: 11,
  name: 'tenant_caps_and_plan_revision',
  up: `
    ALTER TABLE tenants ADD COLUMN limit_dial_rules INTEGER NOT NULL DEFAULT 200;
    ALTER TABLE tenants ADD COLUMN limit_ring_groups INTEGER NOT NULL DEFAULT 50;
    ALTER TABLE tenants ADD COLUMN limit_trunks INTEGER NOT NULL DEFAULT 10;
    ALTER TABLE tenants ADD COLUMN dial_plan_revision INTEGER NOT NULL DEFAULT 0;
    UPDATE tenants SET
        limit_dial_rules = json_extract(kept.value, '$.limit_dial_rules'),
        limit_ring_groups = json_extract(kept.value, '$.limit_ring_groups'),
        limit_trunks = json_extract(kept.value, '$.limit_trunks'),
        dial_plan_revision = json_extract(kept.value, '$.dial_plan_revision')
      FROM json_each((SELECT value FROM settings WHERE key = '${KEPT}')) AS kept
      WHERE tenants.id = json_extract(kept.value, '$.id');
    DELETE FROM settings WHERE key = '${KEPT}';
  `,
  down: `
    INSERT INTO settings (key, value)
      SELECT '${KEPT}', json_group_array(json_object('id', id, 'limit_dial_rules', limit_dial_rules, 'limit_ring_groups', limit_ring_groups,
          'limit_trunks', limit_trunks, 'dial_plan_revision', dial_plan_revision))
        FROM tenants WHERE ${changed}
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    ALTER TABLE tenants DROP COLUMN dial_plan_revision;
    ALTER TABLE tenants DROP COLUMN limit_trunks;
    ALTER TABLE tenants DROP COLUMN limit_ring_groups;
    ALTER TABLE tenants DROP COLUMN limit_dial_rules;
  `,
  postgres: {
    up: `
      ALTER TABLE tenants ADD COLUMN limit_dial_rules INTEGER NOT NULL DEFAULT 200;
      ALTER TABLE tenants ADD COLUMN limit_ring_groups INTEGER NOT NULL DEFAULT 50;
      ALTER TABLE tenants ADD COLUMN limit_trunks INTEGER NOT NULL DEFAULT 10;
      ALTER TABLE tenants ADD COLUMN dial_plan_revision INTEGER NOT NULL DEFAULT 0;
      UPDATE tenants SET
          limit_dial_rules = (kept.value ->> 'limit_dial_rules')::integer,
          limit_ring_groups = (kept.value ->> 'limit_ring_groups')::integer,
          limit_trunks = (kept.value ->> 'limit_trunks')::integer,
          dial_plan_revision = (kept.value ->> 'dial_plan_revision')::integer
        FROM json_array_elements((SELECT value FROM settings WHERE key = '${KEPT}')::json) AS kept (value)
        WHERE tenants.id = kept.value ->> 'id';
      DELETE FROM settings WHERE key = '${KEPT}';
    `,
    down: `
      INSERT INTO settings (key, value)
        SELECT '${KEPT}', coalesce(json_agg(json_build_object('id', id, 'limit_dial_rules', limit_dial_rules, 'limit_ring_groups', limit_ring_groups,
            'limit_trunks', limit_trunks, 'dial_plan_revision', dial_plan_revision)), '[]')::text
          FROM tenants WHERE ${changed}
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      ALTER TABLE tenants DROP COLUMN dial_plan_revision;
      ALTER TABLE tenants DROP COLUMN limit_trunks;
      ALTER TABLE tenants DROP COLUMN limit_ring_groups;
      ALTER TABLE tenants DROP COLUMN limit_dial_rules;
    `,
  },
};
