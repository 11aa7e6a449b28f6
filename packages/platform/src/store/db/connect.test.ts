import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../kysely/testing';
import { connect } from './connect';

describe('a SQLite connection', () => {
  it("runs with the same durability on a new file and on every later open (better-sqlite3's defaults differ)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'highrise-connect-'));
    try {
      for (const open of ['new file', 'existing file']) {
        const conn = connect({ sqlite: { dataDir: dir } });
        try {
          if (conn.dialect !== 'sqlite') throw new Error('expected a SQLite connection');
          expect([open, conn.sqlite.pragma('journal_mode', { simple: true }), conn.sqlite.pragma('synchronous', { simple: true })]).toEqual([open, 'wal', 1]);
        } finally {
          await conn.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a PostgreSQL connection', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => database?.drop());

  it('reads int8 and numeric as numbers while they are exact, and keeps a larger int8 as its digits', async () => {
    const conn = connect(database.options);
    try {
      const row = (
        await sql<{ count: unknown; bytes: unknown; ratio: unknown; huge: unknown }>`SELECT COUNT(*) AS count, 5000000000::int8 AS bytes, 1.5::numeric AS ratio, 9007199254740993::int8 AS huge`.execute(conn.db)
      ).rows[0];
      expect(row).toEqual({ count: 1, bytes: 5_000_000_000, ratio: 1.5, huge: '9007199254740993' });
    } finally {
      await conn.close();
    }
  });

  it('takes its pool size from the options and refuses a URL that is not PostgreSQL', async () => {
    if (!('postgres' in database.options)) throw new Error('expected a PostgreSQL database');
    const conn = connect({ postgres: { url: database.options.postgres.url, poolSize: 3 } });
    try {
      if (conn.dialect !== 'postgres') throw new Error('expected a PostgreSQL connection');
      expect(conn.pool.options.max).toBe(3);
    } finally {
      await conn.close();
    }
    expect(() => connect({ postgres: { url: 'mysql://localhost/db' } })).toThrow('starts with postgres://');
  });
});

it('fails the store suites with the way to start PostgreSQL when it is unreachable, rather than skipping them', async () => {
  const saved = process.env.HIGHRISE_TEST_DATABASE_URL;
  process.env.HIGHRISE_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/postgres';
  try {
    await expect(createPostgresDatabase()).rejects.toThrow('pg_ctlcluster --skip-systemctl-redirect 15 main start');
  } finally {
    if (saved === undefined) delete process.env.HIGHRISE_TEST_DATABASE_URL;
    else process.env.HIGHRISE_TEST_DATABASE_URL = saved;
  }
});
