/**
 * The migration runner for both databases. The same versioned steps (store/migrations) run on each,
 * with a migration's `postgres` SQL where it has one. Every step is its own transaction, taken under
 * a lock, and re-reads the version inside it: several nodes starting at once each see the steps the
 * others already applied and skip them, and a failed step leaves the last good version.
 *
 * - PostgreSQL: `pg_advisory_xact_lock` (released with the step's transaction).
 * - SQLite: `BEGIN IMMEDIATE` (the write lock from the first statement, so two processes cannot both
 *   read version N and both apply N+1).
 *
 * The schema_migrations table is the one earlier releases' synchronous store kept, so their
 * databases open at their version and migrate on.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { migrations as allMigrations, type Migration } from '../migrations/index';
import type { Connection, PostgresConnection, SqliteConnection } from './connect';
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
  /** How long the step took, transaction included (steps that ran only; not a dry run). */
  seconds?: number;
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

const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

async function ensureMigrationsTable(db: Kysely<Database> | Transaction<Database>): Promise<void> {
  await sql.raw(MIGRATIONS_TABLE_SQL).execute(db);
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
 * PostgreSQL: one step in one transaction, under the advisory lock, with the version as it is
 * inside the lock (another node may have just applied the step this one was about to).
 */
async function postgresStep(conn: PostgresConnection, migrations: readonly Migration[], target: number): Promise<MigrationStep | undefined> {
  return conn.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(tx);
    await ensureMigrationsTable(tx);
    const current = await currentVersion(tx);
    checkKnown(current, migrations);
    const step = nextStep(conn, migrations, current, target);
    if (!step) return undefined;
    // Without parameters pg uses the simple query protocol, which takes several statements at once.
    await sql.raw(step.sql).execute(tx);
    if (step.direction === 'up') {
      await tx.insertInto('schema_migrations').values({ version: step.version, name: step.name, applied_at: new Date().toISOString() }).execute();
    } else {
      await tx.deleteFrom('schema_migrations').where('version', '=', step.version).execute();
    }
    return step;
  });
}

/**
 * SQLite: one step in one `BEGIN IMMEDIATE` transaction, run synchronously on the connection under
 * Kysely (holding Kysely's connection, so no query of this store interleaves). Synchronous on
 * purpose: a step that awaited between BEGIN and COMMIT would let a second connection in this
 * process block the event loop in its busy wait while holding up the first one's commit.
 */
async function sqliteStep(conn: SqliteConnection, migrations: readonly Migration[], target: number): Promise<MigrationStep | undefined> {
  const db = conn.sqlite;
  const run = db.transaction((): MigrationStep | undefined => {
    db.exec(MIGRATIONS_TABLE_SQL);
    const current = (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
    checkKnown(current, migrations);
    const step = nextStep(conn, migrations, current, target);
    if (!step) return undefined;
    db.exec(step.sql);
    if (step.direction === 'up') db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(step.version, step.name, new Date().toISOString());
    else db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(step.version);
    return step;
  });
  return conn.db.connection().execute(async () => run.immediate());
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

/**
 * Creates schema_migrations when missing. On PostgreSQL under the lock: two nodes racing through
 * CREATE TABLE IF NOT EXISTS can otherwise both try to create it.
 */
async function ensureMigrationsTableLocked(conn: Connection): Promise<void> {
  if (conn.dialect === 'sqlite') {
    await ensureMigrationsTable(conn.db);
    return;
  }
  await conn.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(tx);
    await ensureMigrationsTable(tx);
  });
}

export async function schemaVersion(conn: Connection): Promise<number> {
  await ensureMigrationsTableLocked(conn);
  return currentVersion(conn.db);
}

export async function migrationStatus(conn: Connection, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const migrations = options.migrations ?? allMigrations;
  await ensureMigrationsTableLocked(conn);
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
    // Timed per step: the operator of a slow upgrade needs to know which step is slow.
    const started = performance.now();
    const step = conn.dialect === 'sqlite' ? await sqliteStep(conn, migrations, target) : await postgresStep(conn, migrations, target);
    if (!step) return applied;
    applied.push({ ...step, seconds: (performance.now() - started) / 1000 });
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
