import type { Migration } from './types';

/**
 * Call records Kamailio could not hand to the platform (issue 10; docs/decisions/2026-12-01-kamailio-edge.md).
 * The edge posts each record to `/internal/sip/call-record`; when no platform node answers (all down,
 * a deploy), it inserts the same JSON body here instead, in the database it already reads, and any
 * platform node drains the table into call records. `body` is the SipCallEnded JSON exactly as it
 * would have been posted; nothing here is trusted more than a post would be.
 *
 * SQLite: a no-op, as for the other Kamailio objects (0012): Kamailio reaches only PostgreSQL.
 */
/** The table this step makes, on PostgreSQL only. */
export const KAMAILIO_OUTBOX_TABLE = 'kamailio_call_outbox';

export const kamailioCallOutbox: Migration = {
  version: 18,
  name: 'kamailio_call_outbox',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
  postgres: {
    up: `
      CREATE TABLE kamailio_call_outbox (
        id BIGSERIAL PRIMARY KEY,
        body TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
    down: `DROP TABLE kamailio_call_outbox;`,
  },
};
