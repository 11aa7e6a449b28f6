import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './cli-command';
import { parseMigrateCommand, runMigrate } from './cli-migrate';
import { latestVersion, migrations } from './store/migrations/index';
import { testDatabases, type TestDatabase } from './store/kysely/testing';

describe('highrise migrate arguments', () => {
  it('reads status, up --to and down --to --dry-run, on SQLite or PostgreSQL', () => {
    expect(parseMigrateCommand(['status', '--data-dir', '/tmp/x'], {})).toEqual({ action: 'status', to: undefined, dryRun: false, database: { sqlite: { dataDir: '/tmp/x' } } });
    expect(parseMigrateCommand(['up', '--to', '7'], { HIGHRISE_DATA_DIR: '/d' })).toMatchObject({ action: 'up', to: 7, database: { sqlite: { dataDir: '/d' } } });
    expect(parseMigrateCommand(['down', '--to', '3', '--dry-run'], { HIGHRISE_DATABASE_URL: 'postgres://h/db' })).toEqual({
      action: 'down',
      to: 3,
      dryRun: true,
      database: { postgres: { url: 'postgres://h/db', poolSize: 1 } },
    });
  });

  it('refuses what it cannot do with the reason', () => {
    const refusal = (argv: string[], env = {}) => {
      try {
        parseMigrateCommand(argv, env);
      } catch (error) {
        if (error instanceof UsageError) return error.message;
        throw error;
      }
      return undefined;
    };
    expect(refusal(['down'])).toContain('down needs --to N');
    expect(refusal(['up', '--to', 'latest'])).toContain('--to must be a schema version number');
    expect(refusal(['up', '--dry-run'])).toContain('--dry-run is for down');
    expect(refusal(['sideways'])).toContain('unknown migrate command "sideways"');
    expect(refusal([])).toContain('missing migrate command');
    expect(refusal(['status', '--data-dir', 'd', '--database-url', 'postgres://h/db'])).toContain('give one');
    expect(refusal(['--help'])).toBe('');
  });
});

describe.each(testDatabases)('highrise migrate on $name', ({ name, create }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => database?.drop());

  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const env = name === 'sqlite' ? { HIGHRISE_DATA_DIR: database.location } : { HIGHRISE_DATABASE_URL: database.location };
    await runMigrate(parseMigrateCommand(argv, env), (line) => lines.push(line));
    return lines;
  };

  it('goes up, reports, dry-runs down, goes down and up again', async () => {
    expect(await run(['status'])).toContain(`schema version: 0 (this release knows up to ${latestVersion})`);
    const first = await run(['up', '--to', '5']);
    expect(first.find((l) => l.startsWith('applied 0005 '))).toMatch(/^applied 0005 numbers_dial_plan \(\d+\.\d\d s\)$/);
    expect(first.some((l) => l.startsWith('backup:'))).toBe(false);

    const rest = await run(['up']);
    expect(rest).toContain(`schema version: ${latestVersion}`);
    const backup = rest.find((l) => l.startsWith('backup: '));
    if (name === 'sqlite') expect(backup && existsSync(backup.slice('backup: '.length))).toBe(true);
    else expect(backup).toBeUndefined();

    const status = await run(['status']);
    expect(status.filter((l) => l.startsWith('applied '))).toHaveLength(migrations.length);
    expect(status.some((l) => l.startsWith('pending '))).toBe(false);
    if (name === 'postgres') expect(status[0]).not.toContain('@');

    const dry = await run(['down', '--to', '8', '--dry-run']);
    expect(dry).toContain('would revert 0011 tenant_caps_and_plan_revision');
    expect(dry.join('\n')).toContain('ALTER TABLE tenants DROP COLUMN dial_plan_revision;');
    expect(dry.at(-1)).toBe(`schema version: ${latestVersion} (dry run: nothing changed)`);

    expect((await run(['down', '--to', '8'])).at(-1)).toBe('schema version: 8');
    expect((await run(['up'])).at(-1)).toBe(`schema version: ${latestVersion}`);
    expect((await run(['up'])).at(-1)).toBe(`schema version: ${latestVersion} (nothing to apply)`);
  });
});
