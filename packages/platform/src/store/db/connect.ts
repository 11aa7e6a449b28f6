import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables';

/** The file the embedded database lives in, under the data dir. */
export const SQLITE_DATABASE_FILE = 'highrise.db';

export type ConnectOptions =
  | { sqlite: { dataDir?: string | undefined; filename?: string | undefined } }
  | { postgres: { url: string; poolSize?: number | undefined } };

/**
 * SQLite's `synchronous` on the platform's connection, set explicitly: without it the value depended
 * on how the file was opened (better-sqlite3 builds SQLite with DEFAULT_SYNCHRONOUS=2 and
 * DEFAULT_WAL_SYNCHRONOUS=1, so the first connection to a new file ran FULL and every later start
 * NORMAL). See docs/decisions/2026-12-01-call-record-ingestion.md.
 */
export const SQLITE_SYNCHRONOUS = 'NORMAL';

export interface SqliteConnection {
  readonly dialect: 'sqlite';
  readonly db: Kysely<Database>;
  /** The one better-sqlite3 connection under `db`: for `exec` of multi-statement migrations, backups and PRAGMAs. */
  readonly sqlite: BetterSqlite3.Database;
  /** The database file, or `:memory:`. */
  readonly filename: string;
  close(): Promise<void>;
}

export interface PostgresConnection {
  readonly dialect: 'postgres';
  readonly db: Kysely<Database>;
  readonly pool: pg.Pool;
  readonly url: string;
  close(): Promise<void>;
}

export type Connection = SqliteConnection | PostgresConnection;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * COUNT(*) and SUM() come back from PostgreSQL as int8/numeric, which pg hands over as strings (they
 * may exceed 2^53). Our counts and byte totals never do, so they become numbers; a value that would
 * lose precision stays a string rather than silently changing.
 */
function parseWhenSafe(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) || (Number.isFinite(n) && !/^-?\d+$/.test(text)) ? n : text;
}

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return parseWhenSafe;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function connect(options: ConnectOptions): Connection {
  if ('postgres' in options) {
    const { url, poolSize = 10 } = options.postgres;
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('a PostgreSQL database URL starts with postgres://');
    const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
    // An idle client that loses its server must not take the process down with it.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { dialect: 'postgres', db, pool, url, close: () => db.destroy() };
  }
  let filename = options.sqlite.filename;
  if (!filename) {
    const dir = options.sqlite.dataDir ?? '.highrise';
    mkdirSync(dir, { recursive: true });
    filename = join(dir, SQLITE_DATABASE_FILE);
  }
  const sqlite = new BetterSqlite3(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${SQLITE_SYNCHRONOUS}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { dialect: 'sqlite', db, sqlite, filename, close: () => db.destroy() };
}

/** Statements kept per connection; the store's queries are a few hundred distinct texts. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely's SQLite driver prepares every query afresh, which costs more than running most of ours.
 * The texts repeat (parameters are bound, never inlined), so each statement is prepared once and
 * kept, least recently used out first. SQLite re-prepares a kept statement itself after a schema change.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}
