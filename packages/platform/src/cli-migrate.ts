import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, SQLITE_DATABASE_FILE, type ConnectOptions } from './store/db/connect';
import { migrateDown, migrateUp, migrationStatus, type MigrationStep } from './store/db/migrate';
import { UsageError } from './cli-command';

export const MIGRATE_USAGE = `usage: highrise migrate status | up [--to N] | down --to N [--dry-run]  [--data-dir DIR | --database-url URL]

  status              the schema version of the database, the steps applied and the steps pending
  up [--to N]         applies pending steps (to the newest, or to N); on SQLite an online backup of
                      the database file is taken first, beside it, and its path printed
  down --to N         rolls back to version N, newest step first, each in its own transaction
    --dry-run         prints the steps and their SQL without changing anything
  --data-dir DIR      the SQLite database under DIR (HIGHRISE_DATA_DIR, default .highrise)
  --database-url URL  a PostgreSQL database instead (HIGHRISE_DATABASE_URL)
`;

export interface MigrateCommand {
  action: 'status' | 'up' | 'down';
  to: number | undefined;
  dryRun: boolean;
  database: ConnectOptions;
}

function version(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--to must be a schema version number, not "${text}"`);
  return Number(text);
}

/** `argv` starts after `migrate`. Flags win over their environment twins. */
export function parseMigrateCommand(argv: string[], env: NodeJS.ProcessEnv): MigrateCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        to: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== 'status' && action !== 'up' && action !== 'down')) {
    throw new UsageError(positionals.length ? `unknown migrate command "${positionals.join(' ')}"` : 'missing migrate command: status, up or down');
  }
  const to = version(values.to);
  if (action === 'down' && to === undefined) throw new UsageError('down needs --to N: the version to roll back to');
  if (action === 'status' && to !== undefined) throw new UsageError('status takes no --to');
  if (values['dry-run'] && action !== 'down') throw new UsageError('--dry-run is for down');
  const url = values['database-url'] ?? env.HIGHRISE_DATABASE_URL;
  if (url && values['data-dir']) throw new UsageError('--data-dir and --database-url name two databases; give one');
  const database: ConnectOptions = url ? { postgres: { url, poolSize: 1 } } : { sqlite: { dataDir: values['data-dir'] ?? env.HIGHRISE_DATA_DIR ?? '.highrise' } };
  return { action, to, dryRun: values['dry-run'] ?? false, database };
}

/** Where the command works, for the operator; a URL's password is never printed. */
function describeDatabase(database: ConnectOptions): string {
  if ('sqlite' in database) return `SQLite ${database.sqlite.filename ?? join(database.sqlite.dataDir ?? '.highrise', SQLITE_DATABASE_FILE)}`;
  const url = new URL(database.postgres.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

const stepLine = (verb: string, s: MigrationStep) =>
  `${verb} ${String(s.version).padStart(4, '0')} ${s.name}${s.seconds === undefined ? '' : ` (${s.seconds.toFixed(2)} s)`}`;

export async function runMigrate(command: MigrateCommand, write: (line: string) => void): Promise<void> {
  const conn = connect(command.database);
  try {
    write(`database: ${describeDatabase(command.database)}`);
    if (command.action === 'status') {
      const status = await migrationStatus(conn);
      write(`schema version: ${status.current} (this release knows up to ${status.latest})`);
      for (const a of status.applied) write(`applied ${String(a.version).padStart(4, '0')} ${a.name} at ${a.appliedAt}`);
      for (const p of status.pending) write(`pending ${String(p.version).padStart(4, '0')} ${p.name}`);
      if (status.current > status.latest) write('this database was migrated by a newer release: run that release, or roll back with it');
      return;
    }
    if (command.action === 'up') {
      const result = await migrateUp(conn, { to: command.to });
      if (result.backupPath) write(`backup: ${result.backupPath}`);
      for (const s of result.applied) write(stepLine('applied', s));
      write(`schema version: ${result.to}${result.applied.length === 0 ? ' (nothing to apply)' : ''}`);
      return;
    }
    const result = await migrateDown(conn, { to: command.to ?? 0, dryRun: command.dryRun });
    for (const s of result.steps) {
      write(stepLine(result.dryRun ? 'would revert' : 'reverted', s));
      if (result.dryRun) write(s.sql.trim().replace(/^\s+/gm, '    '));
    }
    write(result.dryRun ? `schema version: ${result.from} (dry run: nothing changed)` : `schema version: ${result.to}`);
  } finally {
    await conn.close();
  }
}
