/**
 * The migration runner for both databases. The same versioned steps (store/migrations) run on each,
 * with a migration's `postgres` SQL where it has one. Every step is its own transaction, taken under
 * a lock, and re-reads the version inside it: several nodes starting at once each see the steps the
 * others already applied and skip them, and a failed step leaves the last good version.
 *
 * - PostgreSQL: `pg_advisory_xact_lock` (released with the step's transaction).
 * - SQLite: `BEGIN IMMEDIATE` (the write lock from the first statement, so two processes cannot both
 *   read version N and both apply N+1).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { migrations as allMigrations, type Migration } from '../migrations/index';
import type { Connection } from './connect';
import type { Database } from './tables';

/** Any number shared by every Highrise node; only needs to differ from other applications' keys. */
const MIGRATION_LOCK_KEY = 748_201_509;

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly databaseVersion: number,
    readonly latestKnown: number,
  ) {
    super(
      `the database is at schema version ${databaseVersion}, newer than this release knows (${latestKnown}); ` +
        'run the newer release, or roll the database back with its `highrise migrate down --to <version>`',
    );
  }
}

export interface MigrationStep {
  version: number;
  name: string;
  direction: 'up' | 'down';
  /** The SQL that runs on this connection's database. */
  sql: string;
}

export interface MigrationStatus {
  dialect: Connection['dialect'];
  current: number;
  latest: number;
  applied: { version: number; name: string; appliedAt: string }[];
  pending: { version: number; name: string }[];
}

export interface MigrateOptions {
  /** The steps to know; default every migration of this release. */
  migrations?: readonly Migration[] | undefined;
}

const sqlOf = (conn: Connection, m: Migration, direction: 'up' | 'down') => (conn.dialect === 'postgres' && m.postgres ? m.postgres : m)[direction];

async function ensureMigrationsTable(db: Kysely<Database> | Transaction<Database>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`.execute(db);
}

async function currentVersion(db: Kysely<Database> | Transaction<Database>): Promise<number> {
  const row = await db.selectFrom('schema_migrations').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
  return row?.version ?? 0;
}

function checkKnown(current: number, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new SchemaTooNewError(current, latest);
  if (current !== 0 && !migrations.some((m) => m.version === current)) throw new Error(`the database is at schema version ${current}, which this release does not know`);
}

/**
 * Runs `body` in one transaction under the migration lock, with the version as it is inside the
 * lock. The SQLite body may use `conn.sqlite.exec` (multi-statement SQL): it runs on the same
 * connection, inside the same transaction.
 */
async function underLock<T>(conn: Connection, body: (tx: Kysely<Database> | Transaction<Database>, current: number) => Promise<T>): Promise<T> {
  if (conn.dialect === 'postgres') {
    return conn.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(tx);
      await ensureMigrationsTable(tx);
      return body(tx, await currentVersion(tx));
    });
  }
  return conn.db.connection().execute(async (c) => {
    await sql`BEGIN IMMEDIATE`.execute(c);
    try {
      await ensureMigrationsTable(c);
      const result = await body(c, await currentVersion(c));
      await sql`COMMIT`.execute(c);
      return result;
    } catch (error) {
      await sql`ROLLBACK`.execute(c);
      throw error;
    }
  });
}

async function runStep(conn: Connection, tx: Kysely<Database> | Transaction<Database>, step: MigrationStep): Promise<void> {
  if (conn.dialect === 'sqlite') conn.sqlite.exec(step.sql);
  // Without parameters pg uses the simple query protocol, which takes several statements at once.
  else await sql.raw(step.sql).execute(tx);
  if (step.direction === 'up') {
    await tx.insertInto('schema_migrations').values({ version: step.version, name: step.name, applied_at: new Date().toISOString() }).execute();
  } else {
    await tx.deleteFrom('schema_migrations').where('version', '=', step.version).execute();
  }
}

/** The next step from `current` toward `target`, or undefined when there. */
function nextStep(conn: Connection, migrations: readonly Migration[], current: number, target: number): MigrationStep | undefined {
  if (target > current) {
    const m = migrations.find((x) => x.version > current && x.version <= target);
    return m && { version: m.version, name: m.name, direction: 'up', sql: sqlOf(conn, m, 'up') };
  }
  const m = [...migrations].reverse().find((x) => x.version <= current && x.version > target);
  return m && { version: m.version, name: m.name, direction: 'down', sql: sqlOf(conn, m, 'down') };
}

function checkTarget(target: number, migrations: readonly Migration[]): void {
  if (target !== 0 && !migrations.some((m) => m.version === target)) throw new Error(`unknown schema version ${target}`);
}

export async function schemaVersion(conn: Connection): Promise<number> {
  await ensureMigrationsTable(conn.db);
  return currentVersion(conn.db);
}

export async function migrationStatus(conn: Connection, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const migrations = options.migrations ?? allMigrations;
  await ensureMigrationsTable(conn.db);
  const rows = await conn.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
  const current = rows.at(-1)?.version ?? 0;
  return {
    dialect: conn.dialect,
    current,
    latest: migrations.at(-1)?.version ?? 0,
    applied: rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at })),
    pending: migrations.filter((m) => m.version > current).map((m) => ({ version: m.version, name: m.name })),
  };
}

/** Moves the schema to `target`, up or down, one locked transaction per step; returns the steps applied. */
export async function migrateTo(conn: Connection, target: number, options: MigrateOptions = {}): Promise<MigrationStep[]> {
  const migrations = options.migrations ?? allMigrations;
  checkTarget(target, migrations);
  const applied: MigrationStep[] = [];
  for (;;) {
    const step = await underLock(conn, async (tx, current) => {
      checkKnown(current, migrations);
      const next = nextStep(conn, migrations, current, target);
      if (next) await runStep(conn, tx, next);
      return next;
    });
    if (!step) return applied;
    applied.push(step);
  }
}

export interface MigrateUpResult {
  from: number;
  to: number;
  applied: MigrationStep[];
  /** SQLite: the online backup taken before the first step; null when nothing was to be done or on PostgreSQL. */
  backupPath: string | null;
}

/**
 * Applies pending migrations up to `to` (default the newest). On SQLite a file database with a schema
 * and pending steps is first copied with SQLite's online backup, beside the database file.
 */
export async function migrateUp(conn: Connection, options: MigrateOptions & { to?: number | undefined; backup?: boolean | undefined } = {}): Promise<MigrateUpResult> {
  const migrations = options.migrations ?? allMigrations;
  const target = options.to ?? migrations.at(-1)?.version ?? 0;
  checkTarget(target, migrations);
  const from = await schemaVersion(conn);
  checkKnown(from, migrations);
  if (target < from) throw new Error(`the database is at version ${from}, past ${target}: use down to go back`);
  let backupPath: string | null = null;
  if (conn.dialect === 'sqlite' && options.backup !== false && from > 0 && target > from && conn.filename !== ':memory:') {
    backupPath = `${conn.filename}.v${from}-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    await conn.sqlite.backup(backupPath);
  }
  const applied = await migrateTo(conn, target, options);
  return { from, to: await schemaVersion(conn), applied, backupPath };
}

export interface MigrateDownResult {
  from: number;
  to: number;
  /** The steps run, newest first; with `dryRun`, the steps that would run (nothing is changed). */
  steps: MigrationStep[];
  dryRun: boolean;
}

export async function migrateDown(conn: Connection, options: MigrateOptions & { to: number; dryRun?: boolean | undefined }): Promise<MigrateDownResult> {
  const migrations = options.migrations ?? allMigrations;
  checkTarget(options.to, migrations);
  const from = await schemaVersion(conn);
  checkKnown(from, migrations);
  if (options.to > from) throw new Error(`the database is at version ${from}, below ${options.to}: use up to go forward`);
  if (options.dryRun) {
    const steps: MigrationStep[] = [];
    for (let current = from, step = nextStep(conn, migrations, current, options.to); step; step = nextStep(conn, migrations, current, options.to)) {
      steps.push(step);
      current = migrations.filter((m) => m.version < step.version).at(-1)?.version ?? 0;
    }
    return { from, to: options.to, steps, dryRun: true };
  }
  const steps = await migrateTo(conn, options.to, options);
  return { from, to: await schemaVersion(conn), steps, dryRun: false };
}
