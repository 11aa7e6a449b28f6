/**
 * Several nodes starting at once on one database: separate `highrise migrate up` processes race
 * through the same steps, and each step is applied exactly once (SQLite: BEGIN IMMEDIATE across
 * processes; PostgreSQL: the advisory lock). Runs the built CLI, as an operator would.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrations } from '@highrise/platform';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../packages/platform/dist/cli.js', import.meta.url));
const serverUrl = process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NODES = 4;

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect().catch((error: Error) => {
    throw new Error(`PostgreSQL is not reachable at ${serverUrl} (${error.message}); start it with \`pg_ctlcluster --skip-systemctl-redirect 15 main start\``);
  });
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** Starts every node at once; returns each one's output. */
async function migrateAtOnce(database: string[]): Promise<string[]> {
  const outputs = await Promise.all(Array.from({ length: NODES }, () => run(process.execPath, [cli, 'migrate', 'up', ...database], { timeout: 30_000 })));
  return outputs.map((o) => o.stdout);
}

function expectEachStepOnce(outputs: string[]): void {
  const applied = outputs.flatMap((out) => out.split('\n').filter((line) => line.startsWith('applied ')));
  // Each line ends with the step's time, e.g. "applied 0013 call_rollups (0.02 s)".
  for (const line of applied) expect(line).toMatch(/ \(\d+\.\d\d s\)$/);
  expect(applied.map((line) => line.replace(/ \(\d+\.\d\d s\)$/, '')).sort()).toEqual(migrations.map((m) => `applied ${String(m.version).padStart(4, '0')} ${m.name}`).sort());
  for (const out of outputs) expect(out).toContain(`schema version: ${migrations.at(-1)?.version}`);
}

describe(`${NODES} nodes migrating one database at once`, () => {
  it('apply each step once on SQLite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'highrise-nodes-'));
    try {
      // Hold the write lock while the nodes start, so they all meet it and race for it the moment
      // it is released (otherwise process start-up alone spaces them out).
      const holder = new Database(join(dataDir, 'highrise.db'));
      holder.pragma('journal_mode = WAL');
      holder.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      holder.exec('BEGIN IMMEDIATE');
      const racing = migrateAtOnce(['--data-dir', dataDir]);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      holder.exec('COMMIT');
      holder.close();
      expectEachStepOnce(await racing);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('apply each step once on PostgreSQL', async () => {
    const name = `highrise_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      expectEachStepOnce(await migrateAtOnce(['--database-url', url.toString()]));
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});
