import type { Migration } from './types';

/**
 * A REGISTER waits for a credential change in flight at most a second (issue 10;
 * docs/decisions/2026-12-02-kamailio-credential-changes.md, "Lock waits").
 *
 * 0023's check (`kamailio_binding_in_force`) runs inside usrloc's INSERT, on a Kamailio worker, and
 * waits on the tenant domain's (and reseller's) advisory lock while a change to it is uncommitted. A
 * long change (a large reseller's suspension, a tenant's hard delete) would hold every worker whose
 * phone re-registers meanwhile, and then every other tenant's requests with them. With
 * `lock_timeout` set on the function, such a REGISTER gives up after a second: its binding is refused
 * (Kamailio answers 500, as for a binding the change revoked) and the worker is free; the phone
 * registers again. A later CREATE OR REPLACE of the function resets its settings: set it again there.
 * SQLite: a no-op, as for the other Kamailio objects (0012).
 */
const SIGNATURE = 'kamailio_binding_in_force(TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, BOOLEAN)';
export const KAMAILIO_BINDING_LOCK_TIMEOUT = '1s';

export const kamailioBindingLockTimeout: Migration = {
  version: 28,
  name: 'kamailio_binding_lock_timeout',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `ALTER FUNCTION ${SIGNATURE} SET lock_timeout = '${KAMAILIO_BINDING_LOCK_TIMEOUT}';`,
    down: `ALTER FUNCTION ${SIGNATURE} RESET lock_timeout;`,
  },
};
