import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Connection, PostgresConnection, SqliteConnection } from '../db/connect';
import type { Database } from '../db/tables';

/**
 * `changeVersion()` for the auth cache: a string that changes whenever a write has been committed,
 * by this store at once and by any other process on the same database within a short bound.
 */
export interface ChangeFeed {
  version(): string;
  /** A write of this store was committed: in a transaction (which ran `beforeCommit`), or as one statement. */
  committed(how: 'transaction' | 'statement'): void;
  /** Runs in a writing transaction just before its commit. */
  beforeCommit?: ((tx: Kysely<Database>) => Promise<void>) | undefined;
  close(): Promise<void>;
}

/** How stale the SQLite version may be about commits by other connections to the same file. */
export const SQLITE_OTHER_WRITERS_CHECK_MS = 100;

/**
 * SQLite: this connection's writes count at once (`total_changes()`); other connections' commits
 * (`PRAGMA data_version`) are looked at no more than every 100 ms, as the synchronous store does.
 */
export function sqliteChangeFeed(conn: SqliteConnection): ChangeFeed {
  const totalChanges = conn.sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = conn.sqlite.prepare('PRAGMA data_version').pluck();
  let others = 0;
  let checkedAt = -Infinity;
  return {
    version() {
      const now = Date.now();
      if (now - checkedAt >= SQLITE_OTHER_WRITERS_CHECK_MS) {
        others = dataVersion.get() as number;
        checkedAt = now;
      }
      return `${totalChanges.get() as number}:${others}`;
    },
    committed() {},
    async close() {},
  };
}

/** The channel every node LISTENs on; the payload is the writing node's id. */
export const CHANGE_CHANNEL = 'highrise_changes';

/**
 * PostgreSQL: every committed write is followed by a NOTIFY (sent inside the writing transaction,
 * which PostgreSQL delivers exactly when it commits, and never for a rollback); each node keeps one
 * connection LISTENing and counts what it hears. A lost listening connection counts as a change
 * (something may have been missed) and is reopened.
 */
export async function postgresChangeFeed(conn: PostgresConnection): Promise<ChangeFeed> {
  const nodeId = randomUUID();
  let local = 0;
  let heard = 0;
  let closed = false;
  let listener: pg.Client | undefined;

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: conn.url });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload !== nodeId) heard++;
    });
    let lost = false;
    const onLost = () => {
      if (lost || closed) return;
      lost = true;
      heard++;
      if (listener === client) listener = undefined;
      client.end().catch(() => {});
      const retry = () => {
        if (!closed) listen().catch(() => setTimeout(retry, 1000).unref());
      };
      setTimeout(retry, 1000).unref();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    listener = client;
    heard++;
  };
  await listen();

  const notify = () => sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${nodeId})`;
  return {
    version: () => `${local}:${heard}`,
    committed(how) {
      local++;
      // A statement outside a transaction has committed on its own: its NOTIFY follows it.
      if (how === 'statement') conn.pool.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, nodeId]).catch(() => {});
    },
    async beforeCommit(tx) {
      await notify().execute(tx);
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
    },
  };
}

export async function changeFeedFor(conn: Connection): Promise<ChangeFeed> {
  return conn.dialect === 'sqlite' ? sqliteChangeFeed(conn) : postgresChangeFeed(conn);
}
