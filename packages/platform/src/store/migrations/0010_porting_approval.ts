import type { Migration } from './types';

/**
 * Porting approval (docs/decisions/2026-12-01-porting-approval.md):
 *
 * - `port_order_numbers.open` now means "held": an order holds its numbers only from submit until
 *   it completes, stops in exception or is cancelled. Drafts and exceptions release theirs, so a
 *   draft can no longer squat another tenant's number. The partial unique index stays the rule.
 * - `tenants.limit_open_port_orders`: port orders neither completed nor cancelled, default 20.
 * - An index for the loops that pick orders by status, least recently changed first (the carrier
 *   and review queue, and draft expiry).
 *
 * Down gives each number held by no submitted order back to one draft or exception order (the
 * oldest): before this version every open order held its numbers, and two may now share one. It
 * keeps the limits that differ from the default in `settings` for the next up, as 0011 does.
 */
const KEPT = 'migration.0010.tenants';

export const portingApproval: Migration = {
  version: 10,
  name: 'porting_approval',
  up: `
    UPDATE port_order_numbers SET open = 0
      WHERE order_id IN (SELECT id FROM port_orders WHERE status IN ('draft', 'exception'));
    ALTER TABLE tenants ADD COLUMN limit_open_port_orders INTEGER NOT NULL DEFAULT 20;
    UPDATE tenants SET limit_open_port_orders = json_extract(kept.value, '$.limit_open_port_orders')
      FROM json_each((SELECT value FROM settings WHERE key = '${KEPT}')) AS kept
      WHERE tenants.id = json_extract(kept.value, '$.id');
    DELETE FROM settings WHERE key = '${KEPT}';
    CREATE INDEX port_orders_status_updated ON port_orders (status, updated_at, id);
  `,
  down: `
    DROP INDEX port_orders_status_updated;
    INSERT INTO settings (key, value)
      SELECT '${KEPT}', json_group_array(json_object('id', id, 'limit_open_port_orders', limit_open_port_orders))
        FROM tenants WHERE limit_open_port_orders <> 20
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    ALTER TABLE tenants DROP COLUMN limit_open_port_orders;
    UPDATE port_order_numbers SET open = 1
      WHERE rowid IN (
        SELECT MIN(p.rowid) FROM port_order_numbers p JOIN port_orders o ON o.id = p.order_id
        WHERE o.status IN ('draft', 'exception') AND p.open = 0
          AND p.number NOT IN (SELECT number FROM port_order_numbers WHERE open = 1)
        GROUP BY p.number
      );
  `,
  // PostgreSQL has no rowid: "the first" number row is that of the oldest order.
  postgres: {
    up: `
      UPDATE port_order_numbers SET open = 0
        WHERE order_id IN (SELECT id FROM port_orders WHERE status IN ('draft', 'exception'));
      ALTER TABLE tenants ADD COLUMN limit_open_port_orders INTEGER NOT NULL DEFAULT 20;
      UPDATE tenants SET limit_open_port_orders = (kept.value ->> 'limit_open_port_orders')::integer
        FROM json_array_elements((SELECT value FROM settings WHERE key = '${KEPT}')::json) AS kept (value)
        WHERE tenants.id = kept.value ->> 'id';
      DELETE FROM settings WHERE key = '${KEPT}';
      CREATE INDEX port_orders_status_updated ON port_orders (status, updated_at, id);
    `,
    down: `
      DROP INDEX port_orders_status_updated;
      INSERT INTO settings (key, value)
        SELECT '${KEPT}', coalesce(json_agg(json_build_object('id', id, 'limit_open_port_orders', limit_open_port_orders)), '[]')::text
          FROM tenants WHERE limit_open_port_orders <> 20
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      ALTER TABLE tenants DROP COLUMN limit_open_port_orders;
      UPDATE port_order_numbers SET open = 1
        WHERE (order_id, position) IN (
          SELECT DISTINCT ON (p.number) p.order_id, p.position FROM port_order_numbers p JOIN port_orders o ON o.id = p.order_id
          WHERE o.status IN ('draft', 'exception') AND p.open = 0
            AND p.number NOT IN (SELECT number FROM port_order_numbers WHERE open = 1)
          ORDER BY p.number, o.created_at, o.id, p.position
        );
    `,
  },
};
