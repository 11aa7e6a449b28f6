import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrations } from './migrations/index';
import { openSqliteStore, DATABASE_FILE } from './sqlite';

const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('migrations', () => {
  it('are numbered 1, 2, 3… and each has up and down SQL', () => {
    migrations.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.up.trim()).not.toBe('');
      expect(m.down.trim()).not.toBe('');
    });
  });

  it('migrate up, down to 0, and up again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-migrate-'));
    const file = join(dir, DATABASE_FILE);
    const store = openSqliteStore({ dataDir: dir });
    expect(store.schemaVersion()).toBe(latestVersion);
    expect(tables(file)).toEqual(
      expect.arrayContaining(['api_keys', 'audit_events', 'extensions', 'idempotency_records', 'resellers', 'schema_migrations', 'settings', 'tenants']),
    );

    store.migrateTo(0);
    expect(store.schemaVersion()).toBe(0);
    expect(tables(file)).toEqual(['schema_migrations']);

    store.migrateTo(latestVersion);
    expect(store.schemaVersion()).toBe(latestVersion);
    const now = new Date().toISOString();
    store.tenants.insert({ id: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA', resellerId: null, name: 'A', slug: 'a1', status: 'active', limits: { extensions: 1, channels: 1, messagesPerMinute: 60, storageBytes: 1024, dialRules: 10, ringGroups: 10, trunks: 10 }, createdAt: now, updatedAt: now });
    expect(store.tenants.getBySlug('a1')?.name).toBe('A');
    store.close();
  });

  it('opens the database in WAL mode under the data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-wal-'));
    openSqliteStore({ dataDir: dir }).close();
    const db = new Database(join(dir, DATABASE_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses an unknown target version', () => {
    const store = openSqliteStore({ filename: ':memory:' });
    expect(() => store.migrateTo(latestVersion + 1)).toThrow(/unknown schema version/);
    store.close();
  });
});
