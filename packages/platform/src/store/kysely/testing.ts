/**
 * The two databases every store test runs on: SQLite in a temp dir, and a fresh PostgreSQL database
 * per suite, made on the server named by HIGHRISE_TEST_DATABASE_URL (default the machine's own,
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.
 *
 * An unreachable PostgreSQL fails the suite with the way to start it: skipping would let CI go green
 * without ever running the PostgreSQL half.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ConnectOptions } from '../db/connect';

export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  readonly options: ConnectOptions;
  /** For PostgreSQL, the database URL; for SQLite, the data dir. */
  readonly location: string;
  drop(): Promise<void>;
}

export const serverUrl = () => process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${serverUrl()} (${(error as Error).message}). Start it (\`pg_ctlcluster --skip-systemctl-redirect 15 main start\`) ` +
        'or point HIGHRISE_TEST_DATABASE_URL at a server where databases may be created.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `highrise_test_${randomBytes(6).toString('hex')}`;
  // C collation: ids compare byte by byte, as on SQLite, so cursor pagination orders the same.
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    options: { postgres: { url: url.toString(), poolSize: 4 } },
    location: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'highrise-store-'));
  return { name: 'sqlite', options: { sqlite: { dataDir } }, location: dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

export const testDatabases = [
  { name: 'sqlite' as const, create: createSqliteDatabase },
  { name: 'postgres' as const, create: createPostgresDatabase },
];
