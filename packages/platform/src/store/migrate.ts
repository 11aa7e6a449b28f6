import type Database from 'better-sqlite3';
import { migrations as allMigrations, type Migration } from './migrations/index';

export function ensureMigrationsTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
}

export function schemaVersion(db: Database.Database): number {
  ensureMigrationsTable(db);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Moves the schema up or down to `target`, one migration per transaction, so a failed step leaves
 * the database at the last good version.
 */
export function migrateTo(db: Database.Database, target: number, migrations: readonly Migration[] = allMigrations): void {
  const known = new Set([0, ...migrations.map((m) => m.version)]);
  if (!known.has(target)) throw new Error(`unknown schema version ${target}`);
  let current = schemaVersion(db);
  if (!known.has(current)) throw new Error(`the database is at schema version ${current}, newer than this release knows`);

  for (const m of migrations) {
    if (m.version > current && m.version <= target) {
      db.transaction(() => {
        db.exec(m.up);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      })();
      current = m.version;
    }
  }
  for (const m of [...migrations].reverse()) {
    if (m.version <= current && m.version > target) {
      db.transaction(() => {
        db.exec(m.down);
        db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(m.version);
      })();
      current = m.version - 1;
    }
  }
}
