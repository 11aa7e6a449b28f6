import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrations } from './migrations/index';
import { connect } from './db/connect';
import { migrateTo } from './db/migrate';
import { openKyselyStore } from './kysely/index';
import { SQLITE_DATABASE_FILE as DATABASE_FILE } from './db/connect';

const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('migrations', () => {
  // Numbers are handed out ahead to work that lands in parallel, so one may be missing for a while; never repeated, never out of order.
  it('are numbered in ascending order, each once, and each has up and down SQL', () => {
    migrations.forEach((m, i) => {
      expect(m.version).toBeGreaterThan(migrations[i - 1]?.version ?? 0);
      expect(m.up.trim()).not.toBe('');
      expect(m.down.trim()).not.toBe('');
    });
  });

  it('migrate up, down to 0, and up again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-migrate-'));
    const file = join(dir, DATABASE_FILE);
    const store = (await openKyselyStore({ sqlite: { dataDir: dir } }));
    expect((await store.schemaVersion())).toBe(latestVersion);
    expect(tables(file)).toEqual(
      expect.arrayContaining(['api_keys', 'audit_events', 'extensions', 'idempotency_records', 'resellers', 'schema_migrations', 'settings', 'tenants']),
    );

    await store.migrateTo(0);
    expect((await store.schemaVersion())).toBe(0);
    expect(tables(file)).toEqual(['schema_migrations']);

    await store.migrateTo(latestVersion);
    expect((await store.schemaVersion())).toBe(latestVersion);
    const now = new Date().toISOString();
    await store.tenants.insert({ id: 'ten_01AAAAAAAAAAAAAAAAAAAAAAAA', resellerId: null, name: 'A', slug: 'a1', status: 'active', limits: { extensions: 1, channels: 1, messagesPerMinute: 60, storageBytes: 1024, dialRules: 10, ringGroups: 10, trunks: 10, openPortOrders: 20 }, createdAt: now, updatedAt: now });
    expect((await store.tenants.getBySlug('a1'))?.name).toBe('A');
    await store.close();
  });

  it('opens the database in WAL mode under the data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-wal-'));
    await (await openKyselyStore({ sqlite: { dataDir: dir } })).close();
    const db = new Database(join(dir, DATABASE_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses an unknown target version', async () => {
    const store = (await openKyselyStore({ sqlite: { filename: ':memory:' } }));
    await expect(store.migrateTo(latestVersion + 1)).rejects.toThrow(/unknown schema version/);
    await store.close();
  });

  it('0010 lets drafts and exceptions go of their numbers, and down gives each free number back to one of them', async () => {
    const conn = connect({ sqlite: { filename: ':memory:' } });
    if (conn.dialect !== 'sqlite') throw new Error('expected SQLite');
    const db = conn.sqlite;
    await migrateTo(conn, 8);
    const at = '2026-12-01T00:00:00.000Z';
    db.prepare("INSERT INTO tenants (id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at) VALUES ('ten_a', 'A', 'a', 'active', 1, 1, ?, ?)").run(at, at);
    const order = (id: string, status: string, number: string, open: number) => {
      db.prepare(
        `INSERT INTO port_orders (id, tenant_id, status, carrier_name, account_number, pin, authorised_person, service_address, requested_foc_date,
           destination_type, destination_target, created_at, updated_at) VALUES (?, 'ten_a', ?, 'T', 'A', 'P', '{}', '{}', '2030-01-01', 'extension', '101', ?, ?)`,
      ).run(id, status, at, at);
      db.prepare("INSERT INTO port_order_numbers (order_id, tenant_id, position, number, open) VALUES (?, 'ten_a', 0, ?, ?)").run(id, number, open);
    };
    order('por_draft', 'draft', '+1', 1);
    order('por_exception', 'exception', '+2', 1);
    order('por_review', 'in_review', '+3', 1);
    const held = () => db.prepare('SELECT order_id FROM port_order_numbers WHERE open = 1 ORDER BY order_id').pluck().all();

    await migrateTo(conn, 10);
    expect(held()).toEqual(['por_review']);
    expect(db.prepare('SELECT limit_open_port_orders FROM tenants').pluck().get()).toBe(20);
    // Now two drafts may share a number; going back, only one of them can hold it.
    order('por_draft2', 'draft', '+1', 0);
    await migrateTo(conn, 8);
    expect(held()).toEqual(['por_draft', 'por_exception', 'por_review']);
    await conn.close();
  });
});
