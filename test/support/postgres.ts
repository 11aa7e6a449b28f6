/**
 * Fresh PostgreSQL databases for the integration suites, on the server named by
 * HIGHRISE_TEST_DATABASE_URL (default the machine's own): one `highrise_test_<random>` per platform,
 * created with C collation (ids compare byte by byte, as on SQLite) and dropped when done.
 * An unreachable server fails the suite with the way to start it: skipping would let CI go green
 * without ever running on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresServerUrl = () => process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `HIGHRISE_TEST_STORE=postgres`: the integration suites start their platforms on PostgreSQL. */
export const testStoreIsPostgres = () => process.env.HIGHRISE_TEST_STORE === 'postgres';

export async function onPostgresServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresServerUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${postgresServerUrl()} (${(error as Error).message}). Start it (\`pg_ctlcluster --skip-systemctl-redirect 15 main start\`) ` +
        'or point HIGHRISE_TEST_DATABASE_URL at a server where databases may be created.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestPostgresDatabase {
  url: string;
  /** Runs SQL in this database (one connection, closed after). */
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function createTestPostgresDatabase(): Promise<TestPostgresDatabase> {
  const name = `highrise_test_${randomBytes(6).toString('hex')}`;
  await onPostgresServer((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  const url = new URL(postgresServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async query(text, values) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return await client.query(text, values);
      } finally {
        await client.end();
      }
    },
    drop: () => onPostgresServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
