import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { DirectoryChange } from '../async-types';
import type { Connection, PostgresConnection, SqliteConnection } from '../db/connect';
import type { Database } from '../db/tables';

type DirectoryListener = (changes: readonly DirectoryChange[]) => Promise<void>;

/**
 * What other processes on the same database learn of this store's commits, and what this store
 * learns of theirs:
 * - `version()`, for the auth cache: changes whenever a write has been committed, by this store at
 *   once and by any other process within a short bound;
 * - directory changes, for the SIP edge's cache: told to local listeners before the write resolves,
 *   and to other processes' listeners as soon as they hear of the commit.
 */
export interface ChangeFeed {
  version(): string;
  /** A write of this store was committed: in a transaction (which ran `beforeCommit`), or as one statement. */
  committed(how: 'transaction' | 'statement'): void;
  /** Runs in a writing transaction just before its commit. */
  beforeCommit?: ((tx: Kysely<Database>, changes: readonly DirectoryChange[]) => Promise<void>) | undefined;
  /** This store's committed directory changes: local listeners first (awaited), then other processes. */
  directoryCommitted(changes: readonly DirectoryChange[], how: 'transaction' | 'statement'): Promise<void>;
  onDirectoryChange(listener: DirectoryListener): () => void;
  close(): Promise<void>;
}

/** How stale the SQLite version may be about commits by other connections to the same file. */
export const SQLITE_OTHER_WRITERS_CHECK_MS = 100;
/** How often directory listeners look for other connections' commits on SQLite (they name no rows: everything reloads). */
export const SQLITE_DIRECTORY_CHECK_MS = 50;

class Listeners {
  readonly #set = new Set<DirectoryListener>();
  get size() {
    return this.#set.size;
  }
  add(listener: DirectoryListener, onEmpty: () => void): () => void {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
      if (this.#set.size === 0) onEmpty();
    };
  }
  async tell(changes: readonly DirectoryChange[]): Promise<void> {
    if (changes.length === 0) return;
    await Promise.allSettled([...this.#set].map((listener) => listener(changes)));
  }
}

/**
 * SQLite: this connection's writes count at once (`total_changes()`); other connections' commits
 * (`PRAGMA data_version`) are looked at no more than every 100 ms,
 * and every 50 ms while a directory listener is registered.
 */
export function sqliteChangeFeed(conn: SqliteConnection): ChangeFeed {
  const totalChanges = conn.sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = conn.sqlite.prepare('PRAGMA data_version').pluck();
  let others = 0;
  let checkedAt = -Infinity;
  const listeners = new Listeners();
  let watch: NodeJS.Timeout | undefined;
  let watched = 0;
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
    directoryCommitted: (changes) => listeners.tell(changes),
    onDirectoryChange(listener) {
      if (!watch) {
        watched = dataVersion.get() as number;
        watch = setInterval(() => {
          if (!conn.sqlite.open) return;
          const now = dataVersion.get() as number;
          if (now === watched) return;
          watched = now;
          void listeners.tell([{ kind: 'all' }]);
        }, SQLITE_DIRECTORY_CHECK_MS);
        watch.unref();
      }
      return listeners.add(listener, () => {
        clearInterval(watch);
        watch = undefined;
      });
    },
    async close() {
      clearInterval(watch);
    },
  };
}

/** The channel every node LISTENs on. */
export const CHANGE_CHANNEL = 'highrise_changes';
/** NOTIFY payloads stay under PostgreSQL's 8000-byte limit: more changes than fit become "everything". */
const MAX_PAYLOAD = 7000;

interface Payload {
  /** The writing node. */
  n: string;
  /** Directory changes of the commit, if any. */
  c?: readonly DirectoryChange[];
}

/** What other nodes are told of a change: new extensions' rows (with their HA1s) stay in this process; the tenant reloads there. */
const toOtherNodes = (c: DirectoryChange): DirectoryChange => (c.kind === 'extensions' ? { kind: 'tenant', tenantId: c.tenantId } : c);

function payloadOf(nodeId: string, changes: readonly DirectoryChange[]): string {
  if (changes.length === 0) return JSON.stringify({ n: nodeId } satisfies Payload);
  const text = JSON.stringify({ n: nodeId, c: changes.map(toOtherNodes) } satisfies Payload);
  return text.length <= MAX_PAYLOAD ? text : JSON.stringify({ n: nodeId, c: [{ kind: 'all' }] } satisfies Payload);
}

function parsePayload(text: string | undefined): Payload | undefined {
  try {
    const value = JSON.parse(text ?? '') as Payload;
    return typeof value.n === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL: every committed write is followed by a NOTIFY (sent inside the writing transaction,
 * which PostgreSQL delivers exactly when it commits, and never for a rollback) carrying the
 * directory changes it made; each node keeps one connection LISTENing, counts what it hears and
 * tells its directory listeners. A lost listening connection counts as a change of everything
 * (something may have been missed) and is reopened.
 */
export async function postgresChangeFeed(conn: PostgresConnection): Promise<ChangeFeed> {
  const nodeId = randomUUID();
  let local = 0;
  let heard = 0;
  let closed = false;
  let listener: pg.Client | undefined;
  const listeners = new Listeners();

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: conn.url });
    client.on('notification', (message) => {
      const payload = message.channel === CHANGE_CHANNEL ? parsePayload(message.payload) : undefined;
      if (!payload || payload.n === nodeId) return;
      heard++;
      if (payload.c) void listeners.tell(payload.c);
    });
    let lost = false;
    const onLost = () => {
      if (lost || closed) return;
      lost = true;
      heard++;
      void listeners.tell([{ kind: 'all' }]);
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

  const notifyNow = (changes: readonly DirectoryChange[]) => conn.pool.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payloadOf(nodeId, changes)]).then(() => undefined);
  return {
    version: () => `${local}:${heard}`,
    committed(how) {
      local++;
      // A statement outside a transaction has committed on its own: its NOTIFY follows it.
      if (how === 'statement') notifyNow([]).catch(() => {});
    },
    async beforeCommit(tx, changes) {
      await sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${payloadOf(nodeId, changes)})`.execute(tx);
    },
    async directoryCommitted(changes, how) {
      await listeners.tell(changes);
      // A transaction's changes went out with its commit; a lone statement's follow it.
      if (how === 'statement') await notifyNow(changes).catch(() => {});
    },
    onDirectoryChange: (l) => listeners.add(l, () => {}),
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
    },
  };
}

export async function changeFeedFor(conn: Connection): Promise<ChangeFeed> {
  return conn.dialect === 'sqlite' ? sqliteChangeFeed(conn) : postgresChangeFeed(conn);
}
