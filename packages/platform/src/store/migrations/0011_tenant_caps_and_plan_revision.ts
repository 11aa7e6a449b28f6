import type { Migration } from './types';

/**
 * Per-tenant caps on dial rules, ring groups and trunks (issue 8, finding 5), limits like the others,
 * and the revision of the tenant's dial plan, which the domain bumps in the same transaction as any
 * change to its dial rules so a cached compiled plan is known stale on the very next call, by this
 * process or any other reading the same database. Existing tenants get the new defaults; one that
 * already holds more rules than its cap keeps them (only creation is refused).
 */
export const tenantCapsAndPlanRevision: Migration = {
  version: 11,
  name: 'tenant_caps_and_plan_revision',
  up: `
    ALTER TABLE tenants ADD COLUMN limit_dial_rules INTEGER NOT NULL DEFAULT 200;
    ALTER TABLE tenants ADD COLUMN limit_ring_groups INTEGER NOT NULL DEFAULT 50;
    ALTER TABLE tenants ADD COLUMN limit_trunks INTEGER NOT NULL DEFAULT 10;
    ALTER TABLE tenants ADD COLUMN dial_plan_revision INTEGER NOT NULL DEFAULT 0;
  `,
  down: `
    ALTER TABLE tenants DROP COLUMN dial_plan_revision;
    ALTER TABLE tenants DROP COLUMN limit_trunks;
    ALTER TABLE tenants DROP COLUMN limit_ring_groups;
    ALTER TABLE tenants DROP COLUMN limit_dial_rules;
  `,
};
