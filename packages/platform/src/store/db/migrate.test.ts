/**
 * The migration runner on both databases: up → down → up on a populated database leaves every
 * table's schema and rows as they were, the two databases end with the same columns and rows,
 * several runners at once apply each step once, and a database past this release is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestVersion, migrations } from '../migrations/index';
import { KAMAILIO_EDGE_OBJECTS } from '../migrations/0012_kamailio_edge';
import { KAMAILIO_OUTBOX_TABLE } from '../migrations/0018_kamailio_call_outbox';
import { KAMAILIO_LIMIT_TABLES } from '../migrations/0020_kamailio_limits';
import { KAMAILIO_REVOKED_CONNECTIONS_TABLE } from '../migrations/0022_kamailio_unbind';
import { KAMAILIO_ENDED_CALLS_TABLE } from '../migrations/0024_kamailio_end_calls';
import { KAMAILIO_LEGACY_TOKEN_KEYS_TABLE } from '../migrations/0026_kamailio_token_keys';

/** What exists on PostgreSQL only, by design (Kamailio reaches no SQLite file). */
const POSTGRES_ONLY: readonly string[] = [...KAMAILIO_EDGE_OBJECTS, KAMAILIO_OUTBOX_TABLE, ...KAMAILIO_LIMIT_TABLES, KAMAILIO_REVOKED_CONNECTIONS_TABLE, KAMAILIO_ENDED_CALLS_TABLE, KAMAILIO_LEGACY_TOKEN_KEYS_TABLE];
import type { AsyncStore } from '../async-types';
import type { TenantRow } from '../types';
import { openKyselyStore } from '../kysely/store';
import { createPostgresDatabase, createSqliteDatabase, testDatabases, type TestDatabase } from '../kysely/testing';
import { connect, type Connection } from './connect';
import { migrateDown, migrateUp, migrationStatus, SchemaTooNewError, schemaVersion } from './migrate';
import { systemScope } from '../../domain/system-scope';
import { signingKeyId } from '../../domain/edge-credentials';

const T0 = '2026-12-01T00:00:00.000Z';
const LIMITS: TenantRow['limits'] = { extensions: 10, channels: 2, messagesPerMinute: 60, storageBytes: 104857600, dialRules: 200, ringGroups: 50, trunks: 10, openPortOrders: 20 };
/**
 * Tenant 1's limits from 0010 and 0011 are not their column defaults, and its dial plan has changed
 * (revision 2): a down that drops those columns must keep the values for the up that brings them back.
 */
const RAISED_LIMITS: TenantRow['limits'] = { ...LIMITS, dialRules: 500, ringGroups: 80, trunks: 40, openPortOrders: 35 };

/** The same rows, with the same ids, on either database: every table gets some. */
/**
 * A fresh PostgreSQL database, a connection to it and a name for Kamailio's role (the test creates
 * the role and grants what it needs). Roles are the server's, not the database's: the role's grants
 * go with DROP OWNED, then the role, the connection and the database.
 */
async function onPostgresWithKamailioRole(body: (env: { database: TestDatabase; conn: Connection; role: string }) => Promise<void>): Promise<void> {
  const database = await createPostgresDatabase();
  const role = `hr_kamailio_${Math.random().toString(36).slice(2, 10)}`;
  const conn = connect(database.options);
  try {
    if (conn.dialect !== 'postgres') throw new Error('expected PostgreSQL');
    await body({ database, conn, role });
  } finally {
    await sql.raw(`DROP OWNED BY ${role}`).execute(conn.db).catch(() => {});
    await sql.raw(`DROP ROLE IF EXISTS ${role}`).execute(conn.db).catch(() => {});
    await conn.close();
    await database.drop();
  }
}

async function seed(store: AsyncStore): Promise<void> {
  await store.settings.getOrInsert('platform.name', 'Highrise');
  await store.resellers.insert({ id: 'res_1', name: 'Reseller', status: 'active', createdAt: T0, updatedAt: T0 });
  // A deleted tenant (0016): a down keeps its deletion, the up after it puts it back.
  await store.tenants.insert({ id: 'ten_0', resellerId: null, name: 'Gone', slug: 'gone', status: 'active', limits: LIMITS, createdAt: T0, updatedAt: T0 });
  await store.lifecycle.markDeleted(systemScope('test fixture', 'ten_0'), { deletedAt: T0, purgeAt: '2027-01-01T00:00:00.000Z' }, { status: 'active', numbers: [{ id: 'num_x', number: '+14155550199', routing: null }] });
  for (const n of [1, 2]) {
    const tenantId = `ten_${n}`;
    await store.tenants.insert({ id: tenantId, resellerId: n === 1 ? 'res_1' : null, name: `T${n}`, slug: `t${n}`, status: 'active', limits: n === 1 ? RAISED_LIMITS : LIMITS, createdAt: T0, updatedAt: T0 });
    const t = store.tenant(systemScope('test fixture', tenantId));
    if (n === 1) for (let change = 0; change < 2; change++) await t.dialRules.touch();
    await t.extensions.insert({ id: `ext_${n}`, number: '101', displayName: 'Reception', ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 });
    await t.roles.insert({ id: `rol_${n}`, level: 'tenant', tenantId, resellerId: null, name: 'agents', description: '', permissions: ['calls:read'], createdAt: T0, updatedAt: T0 });
    const key = await t.apiKeys.insert({ id: `key_${n}`, secretHash: `hash_${n}`, name: 'admin', createdAt: T0, lastUsedAt: null, roleId: 'rol_tenantOwner' });
    await store.idempotency.claim({ apiKeyId: key.id, idempotencyKey: 'idem', requestHash: 'rh', createdAt: T0 });
    await t.signingKey.set(`secret_${n}`, T0);
    const logo = { contentType: 'image/png', base64: 'iVBORw0KGgo=', sizeBytes: 8, sha256: 'f'.repeat(64) };
    await t.branding.set({ fields: { productName: `T${n}`, colors: { accent: '#123456' } }, logo: n === 1 ? logo : null, updatedAt: T0 });
    await store.brandings.set(n === 1 ? 'provider' : 'res_1', { fields: { poweredBy: n === 1 }, logo: n === 2 ? logo : null, updatedAt: T0 });
    await store.audit.record(systemScope('test fixture', tenantId), { id: `aud_${n}`, occurredAt: T0, actorKeyId: key.id, action: 'extension.created', targetId: `ext_${n}`, requestId: null, chainSeq: 1, hash: `h${n}`, prevHash: null });
    await t.calls.insert({ id: `cal_${n}`, callId: 'c', from: '101', to: '102', direction: 'internal', startedAt: T0, answeredAt: T0, endedAt: T0, durationSeconds: 30, disposition: 'answered', sipStatus: 200 });
    await store.usageRollups.add([{ scope: systemScope('test fixture', tenantId), hour: T0, counts: { messages: n, refusedMessages: 1, refusedExtensions: 0, refusedStorage: 0, peakRegistrations: 2, peakStorageBytes: 8 } }]);
    await store.numbers.insert({ id: `num_${n}`, number: `+1415555010${n}`, createdAt: T0, updatedAt: T0 });
    await store.numbers.assign(`num_${n}`, systemScope('test fixture', tenantId), T0);
    await t.dialRules.insert({ id: `dr_${n}`, name: 'out', pattern: '9X.', position: 0, action: { type: 'reject', status: 403, reason: null }, createdAt: T0, updatedAt: T0 });
    await t.ringGroups.insert({ id: `rg_${n}`, number: '600', name: 'Sales', strategy: 'sequential', memberTimeoutSeconds: 20, members: ['101'], createdAt: T0, updatedAt: T0 });
    await t.trunks.insert({ id: `trk_${n}`, name: 'pbx', username: 'pbx', ha1: 'b'.repeat(32), callerId: null, createdAt: T0, updatedAt: T0 });
    const order = {
      status: 'draft' as const,
      carrierName: 'Old',
      accountNumber: '1',
      pin: '2',
      authorisedPerson: { name: 'A' },
      serviceAddress: { line1: 'l', city: 'c', postalCode: 'p', country: 'US' },
      requestedFocDate: '2027-01-01',
      focDate: null,
      destination: { type: 'extension' as const, target: '101' },
      exceptionReason: null,
      exceptionMessage: null,
      carrierRef: null,
      createdAt: T0,
      updatedAt: T0,
      submittedAt: null,
      completedAt: null,
      cancelledAt: null,
    };
    await t.portOrders.insert({ ...order, id: `por_${n}a` }, [`+1628555000${n}`]);
    await t.portOrders.insert({ ...order, id: `por_${n}b`, status: 'submitted' }, [`+1628555100${n}`]);
    await t.portOrders.reserveNumbers(`por_${n}b`);
    await t.portOrders.documents.insert({ id: `doc_${n}`, orderId: `por_${n}a`, kind: 'loa', filename: 'f.pdf', contentType: 'application/pdf', sizeBytes: 10, storagePath: 'p', createdAt: T0 });
    await t.portOrders.comments.insert({ id: `com_${n}`, orderId: `por_${n}a`, visibility: 'public', body: 'b', authorPrincipal: 'tenant', authorKeyId: key.id, createdAt: T0 });
    await t.portOrders.events.insert({ id: `poe_${n}`, orderId: `por_${n}a`, action: 'create', fromStatus: null, toStatus: 'draft', actorType: 'system', actorKeyId: null, actorPrincipal: null, reason: null, message: null, occurredAt: T0 });
    const endpoint = await t.webhookEndpoints.insert({ id: `we_${n}`, url: 'https://x.test', description: '', enabledEvents: ['*'], status: 'enabled', secretSealed: 's', previousSecretSealed: null, previousExpiresAt: null, createdAt: T0, updatedAt: T0 });
    await store.webhooks.insertEvent(systemScope('test fixture', tenantId), { id: `evt_${n}`, type: 'extension.created', createdAt: T0, data: '{}' });
    await store.webhooks.insertDelivery({ id: `del_${n}`, endpointId: endpoint.id, eventId: `evt_${n}`, status: 'pending', attemptCount: 0, nextAttemptAt: T0, createdAt: T0, updatedAt: T0 });
    await store.webhooks.recordAttempt(`del_${n}`, { attemptedAt: T0, statusCode: 500, error: null, durationMs: 5 }, { status: 'pending', nextAttemptAt: T0, updatedAt: T0 });
  }
  await store.apiKeys.insert({ id: 'key_p', secretHash: 'hash_p', principal: 'provider', resellerId: null, name: 'p', createdAt: T0, lastUsedAt: null });
  await store.roles('provider').insert({ id: 'rol_p', level: 'provider', tenantId: null, resellerId: null, name: 'ops', description: '', permissions: [], createdAt: T0, updatedAt: T0 });
  await store.leases.jobs.acquire('porting.automation', 'node-a', T0, '2026-12-01T00:01:00.000Z');
  await store.leases.rates.take('auth.failed:10.0.0.1', 'rte_1', Date.parse(T0), 60_000, 20);
}

/**
 * Leases and rate-window events (migration 0015) hold nothing that outlives a lease or a window: a
 * rollback drops them. The usage rollups (0019) are counted from nothing else that is stored, so
 * rolling 0019 back loses them (said in its decision record); the up after it starts them empty.
 */
const EPHEMERAL = ['job_leases', 'rate_events', 'usage_rollups', 'owner_usage_rollups'];
const emptied = (snap: Record<string, TableSnapshot>) =>
  Object.fromEntries(Object.entries(snap).map(([table, s]) => [table, EPHEMERAL.includes(table) ? { ...s, rows: createHash('sha256').update('').digest('hex'), count: 0 } : s]));

interface TableSnapshot {
  columns: string[];
  indexes: string[];
  rows: string;
  count: number;
}

/**
 * Per table: column names in order, index names, and a checksum of the rows (order-free, values as text).
 * What Kamailio reads and writes (migrations 0012, 0018) exists on PostgreSQL only, by design, and is left out of the comparison.
 */
async function snapshot(conn: Connection): Promise<Record<string, TableSnapshot>> {
  const tables =
    conn.dialect === 'sqlite'
      ? (conn.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' ORDER BY name").pluck().all() as string[])
      : (await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name`.execute(conn.db)).rows
          .map((r) => r.name)
          .filter((name) => !POSTGRES_ONLY.includes(name));
  const out: Record<string, TableSnapshot> = {};
  for (const table of tables) {
    const columns =
      conn.dialect === 'sqlite'
        ? (conn.sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table) as string[])
        : (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(conn.db)).rows.map(
            (r) => r.name,
          );
    const indexes =
      conn.dialect === 'sqlite'
        ? (conn.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").pluck().all(table) as string[])
        : (
            await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename = ${table} AND indexname NOT LIKE '%\_pkey' AND indexname NOT LIKE '%\_key' ORDER BY indexname`.execute(
              conn.db,
            )
          ).rows.map((r) => r.name);
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(conn.db)).rows
      .map((row) => JSON.stringify(columns.map((c) => (row[c] === null || row[c] === undefined ? null : String(row[c])))))
      .sort();
    out[table] = { columns, indexes, rows: createHash('sha256').update(rows.join('\n')).digest('hex'), count: rows.length };
  }
  return out;
}

describe('migrations on both databases', () => {
  const databases: Partial<Record<'sqlite' | 'postgres', { db: TestDatabase; populated: Record<string, TableSnapshot> }>> = {};
  afterAll(async () => {
    for (const entry of Object.values(databases)) await entry?.db.drop();
  });

  describe.each(testDatabases)('on $name', ({ name, create }) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await create();
    });

    it('leaves every table as it was after up → down → up on a populated database', async () => {
      const store = await openKyselyStore(database.options);
      await seed(store);
      await store.close();
      const conn = connect(database.options);
      try {
        const populated = await snapshot(conn);
        expect(Object.keys(populated)).toHaveLength(31);
        for (const [table, snap] of Object.entries(populated)) expect(snap.count, table).toBeGreaterThan(0);

        const down = await migrateDown(conn, { to: 7 });
        // From the list, not by hand: numbers handed out to parallel work leave gaps until it lands.
        const above7 = migrations.map((m) => m.version).filter((v) => v > 7);
        expect(down.steps.map((s) => s.version)).toEqual([...above7].reverse());
        expect(await schemaVersion(conn)).toBe(7);
        const up = await migrateUp(conn);
        expect(up.applied.map((s) => s.version)).toEqual(above7);
        expect(await snapshot(conn)).toEqual(emptied(populated));
        databases[name] = { db: database, populated };

        // All the way down leaves nothing but the version table; back up gives the same schema.
        await migrateDown(conn, { to: 0 });
        expect(await snapshot(conn)).toEqual({});
        await migrateUp(conn);
        const fresh = await snapshot(conn);
        for (const [table, snap] of Object.entries(populated)) {
          expect({ columns: fresh[table]?.columns, indexes: fresh[table]?.indexes }, table).toEqual({ columns: snap.columns, indexes: snap.indexes });
        }
      } finally {
        await conn.close();
      }
    });

    it('reports status, and a dry run of down changes nothing', async () => {
      const conn = connect(database.options);
      try {
        const status = await migrationStatus(conn);
        expect(status).toMatchObject({ dialect: name, current: latestVersion, latest: latestVersion, pending: [] });
        expect(status.applied.map((a) => a.version)).toEqual(migrations.map((m) => m.version));
        const dry = await migrateDown(conn, { to: 5, dryRun: true });
        expect(dry.dryRun).toBe(true);
        expect(dry.steps.map((s) => s.version)).toEqual(migrations.filter((m) => m.version > 5).map((m) => m.version).reverse());
        const m10 = migrations.find((m) => m.version === 10);
        expect(dry.steps.find((s) => s.version === 10)?.sql).toBe(name === 'postgres' ? m10?.postgres?.down : m10?.down);
        expect(await schemaVersion(conn)).toBe(latestVersion);
        await expect(migrateDown(conn, { to: 4242 })).rejects.toThrow('unknown schema version 4242');
      } finally {
        await conn.close();
      }
    });

    it('refuses a database migrated past the versions this release knows', async () => {
      const conn = connect(database.options);
      try {
        await conn.db.insertInto('schema_migrations').values({ version: latestVersion + 1, name: 'from_the_future', applied_at: T0 }).execute();
        await expect(migrateUp(conn)).rejects.toThrow(SchemaTooNewError);
        await expect(openKyselyStore(database.options)).rejects.toThrow(`schema version ${latestVersion + 1}, newer than this release knows (${latestVersion})`);
        await conn.db.deleteFrom('schema_migrations').where('version', '=', latestVersion + 1).execute();
      } finally {
        await conn.close();
      }
    });

    it('applies each step once when several runners start at once', async () => {
      const fresh = await create();
      const conns = [connect(fresh.options), connect(fresh.options), connect(fresh.options)];
      try {
        const results = await Promise.all(conns.map((c) => migrateUp(c)));
        const applied = results.flatMap((r) => r.applied.map((s) => s.version)).sort((a, b) => a - b);
        expect(applied).toEqual(migrations.map((m) => m.version));
        expect((await migrationStatus(conns[0]!)).applied).toHaveLength(migrations.length);
      } finally {
        for (const c of conns) await c.close();
        await fresh.drop();
      }
    });
  });

  it('ends with the same columns, indexes and rows on SQLite and on PostgreSQL', () => {
    const sqlite = databases.sqlite?.populated;
    const postgres = databases.postgres?.populated;
    expect(sqlite && postgres).toBeTruthy();
    expect(Object.keys(postgres ?? {})).toEqual(Object.keys(sqlite ?? {}));
    for (const table of Object.keys(sqlite ?? {})) {
      const { count: _pgCount, ...pg } = postgres?.[table] ?? {};
      const { count: _sqliteCount, ...lite } = sqlite?.[table] ?? {};
      expect(pg, table).toEqual(lite);
    }
  });
});

describe('an existing SQLite database', () => {
  it('made by an earlier release is opened at its version, backed up and migrated on', async () => {
    const database = await createSqliteDatabase();
    try {
      const dataDir = database.location;
      // A release at version 8 made this file (its tenants table has no columns from 0010/0011 yet).
      const old = connect({ sqlite: { dataDir } });
      await migrateUp(old, { to: 8, backup: false });
      await old.close();
      const file = new BetterSqlite3(join(dataDir, 'highrise.db'));
      file
        .prepare('INSERT INTO tenants (id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run('ten_old', 'Old', 'old', 'active', 10, 2, T0, T0);
      file.close();

      const conn = connect({ sqlite: { dataDir } });
      let backupPath: string | null = null;
      try {
        expect(await schemaVersion(conn)).toBe(8);
        const result = await migrateUp(conn);
        backupPath = result.backupPath;
        expect(result).toMatchObject({ from: 8, to: latestVersion });
      } finally {
        await conn.close();
      }
      expect(backupPath && existsSync(backupPath)).toBeTruthy();
      expect(backupPath?.startsWith(join(dataDir, 'highrise.db'))).toBe(true);
      const backup = new BetterSqlite3(backupPath ?? '', { readonly: true });
      expect(backup.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(8);
      backup.close();

      const store = await openKyselyStore({ sqlite: { dataDir } });
      expect((await store.tenants.get('ten_old'))?.limits).toMatchObject({ openPortOrders: 20, dialRules: 200 });
      await store.close();
    } finally {
      await database.drop();
    }
  });

  it('is not backed up when there is nothing to apply, nor on PostgreSQL', async () => {
    const sqlite = await createSqliteDatabase();
    const postgres = await createPostgresDatabase();
    try {
      for (const db of [sqlite, postgres]) {
        const conn = connect(db.options);
        try {
          expect((await migrateUp(conn, { to: 5 })).backupPath).toBeNull();
          const next = await migrateUp(conn);
          expect(next.backupPath === null).toBe(db.name === 'postgres');
          expect((await migrateUp(conn)).backupPath).toBeNull();
        } finally {
          await conn.close();
        }
      }
    } finally {
      await sqlite.drop();
      await postgres.drop();
    }
  });
});


describe('0021 (the tenant limits in the subscriber view, PostgreSQL only)', () => {
  it('adds the limit columns, and its down gives Kamailio’s role its grant on the view back', async () => {
    await onPostgresWithKamailioRole(async ({ database, conn, role }) => {
      await migrateUp(conn, { to: 20 });
      await sql.raw(`CREATE ROLE ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT ON subscriber TO ${role}`).execute(conn.db);
      const columns = async () =>
        (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'subscriber' ORDER BY ordinal_position`.execute(conn.db)).rows.map((r) => r.name);
      const canRead = async () => (await sql<{ ok: boolean }>`SELECT has_table_privilege(${role}, 'subscriber', 'SELECT') AS ok`.execute(conn.db)).rows[0]?.ok;
      const before = await columns();

      await migrateUp(conn, { to: 21 });
      expect(await columns()).toEqual([...before, 'channels', 'messages_per_minute']);
      expect(await canRead()).toBe(true);

      await migrateDown(conn, { to: 20 });
      expect(await columns()).toEqual(before);
      expect(await canRead()).toBe(true);
    });
  });
});

describe('0023 (a binding is stored only while its credential is in force, PostgreSQL only)', () => {
  it('adds row_version to the subscriber view (its down gives Kamailio’s role the grant back), and refuses a binding whose credential changed since it was checked', async () => {
    await onPostgresWithKamailioRole(async ({ database, conn, role }) => {
      await migrateUp(conn, { to: 22 });
      await sql.raw(`CREATE ROLE ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT ON subscriber TO ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT, INSERT, UPDATE ON location TO ${role}`).execute(conn.db);
      await sql.raw(`GRANT USAGE ON SEQUENCE location_id_seq TO ${role}`).execute(conn.db);
      const columns = async () =>
        (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'subscriber' ORDER BY ordinal_position`.execute(conn.db)).rows.map((r) => r.name);
      const canRead = async () => (await sql<{ ok: boolean }>`SELECT has_table_privilege(${role}, 'subscriber', 'SELECT') AS ok`.execute(conn.db)).rows[0]?.ok;
      const before = await columns();

      await migrateUp(conn, { to: 23 });
      expect(await columns()).toEqual([...before, 'row_version']);
      const store = await openKyselyStore(database.options);
      try {
        await store.tenants.insert({ id: 'ten_1', resellerId: null, name: 'T1', slug: 't1', status: 'active', limits: LIMITS, createdAt: T0, updatedAt: T0 });
        await store.tenant(systemScope('test fixture', 'ten_1')).extensions.insert({ id: 'ext_1', number: '101', displayName: 'Reception', ha1: 'a'.repeat(32), createdAt: T0, updatedAt: T0 });
      } finally {
        await store.close();
      }
      // What auth_db reads with the HA1, and what the REGISTER appends to the binding's received.
      const version = async () => (await sql<{ v: string }>`SELECT row_version AS v FROM subscriber WHERE owner_id = 'ext_1'`.execute(conn.db)).rows[0]!.v;
      // As Kamailio writes it: as its own role, which reads no platform table.
      const bind = (ruid: string, marker: string, cflags = 0) =>
        conn.db.connection().execute(async (db) => {
          await sql.raw(`SET ROLE ${role}`).execute(db);
          try {
            await sql`INSERT INTO location (ruid, username, domain, contact, received, cflags) VALUES (${ruid}, '101', 't1.sip.localhost', ${`sip:101@10.0.0.1;transport=ws`}, ${`sip:10.0.0.1:5000;transport=ws${marker}`}, ${cflags})`.execute(db);
            return 'bound';
          } catch (error) {
            return (error as { code?: string }).code;
          } finally {
            await sql.raw('RESET ROLE').execute(db);
          }
        });
      const checked = await version();
      expect(await bind('r1', `;hrauth=eext_1.${checked}`)).toBe('bound');
      // Stored without the marker: nothing dials it, and 0022's unbind still recognises a WebSocket binding.
      expect((await sql<{ received: string }>`SELECT received FROM location WHERE ruid = 'r1'`.execute(conn.db)).rows[0]!.received).toBe('sip:10.0.0.1:5000;transport=ws');
      expect(await bind('r2', ';hrauth=text_1', 512)).toBe('bound');

      // The password replaced after the digest was checked against `checked`.
      await sql`UPDATE extensions SET ha1 = ${'b'.repeat(32)} WHERE id = 'ext_1'`.execute(conn.db);
      expect(await bind('r3', `;hrauth=eext_1.${checked}`)).toBe('28000');
      expect(await bind('r4', `;hrauth=eext_1.${await version()}`)).toBe('bound');
      // A token names the row, not the password; and only a binding flagged as a token's may say it is one.
      expect(await bind('r5', ';hrauth=text_1', 512)).toBe('bound');
      expect(await bind('r6', ';hrauth=text_1', 0)).toBe('28000');
      expect(await bind('r7', ';hrauth=text_gone', 512)).toBe('28000');
      // A tenant out of service.
      await sql`UPDATE tenants SET status = 'suspended' WHERE id = 'ten_1'`.execute(conn.db);
      expect(await bind('r8', ';hrauth=text_1', 512)).toBe('28000');
      // A row without the marker (another Kamailio on the database) is not checked.
      expect(await bind('r9', '')).toBe('bound');

      await sql`DELETE FROM location`.execute(conn.db);
      await migrateDown(conn, { to: 22 });
      expect(await columns()).toEqual(before);
      expect(await canRead()).toBe(true);
    });
  });
});

describe('0026 (the signing key generation in the subscriber view, PostgreSQL only)', () => {
  it("names each tenant's current key without showing its seed, honours older credentials until a rotation, and a rotation unbinds the tenant's token phones only", async () => {
    await onPostgresWithKamailioRole(async ({ database, conn, role }) => {
      await migrateUp(conn, { to: 24 });
      // The store wants the newest schema: the fixtures at 0024 go in by SQL.
      for (const n of [1, 2]) {
        await sql.raw(`INSERT INTO tenants (id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at) VALUES ('ten_${n}', 'T${n}', 't${n}', 'active', 10, 2, '${T0}', '${T0}')`).execute(conn.db);
        await sql.raw(`INSERT INTO extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at) VALUES ('ext_${n}', 'ten_${n}', '101', 'R', '${'a'.repeat(32)}', '${T0}', '${T0}')`).execute(conn.db);
      }
      // Tenant 1 has issued tokens before the deploy; tenant 2 has not.
      await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_1', 'seed-before', '${T0}')`).execute(conn.db);
      await sql.raw(`CREATE ROLE ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT ON subscriber TO ${role}`).execute(conn.db);
      const columns = async () =>
        (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'subscriber' ORDER BY ordinal_position`.execute(conn.db)).rows.map((r) => r.name);
      const before = await columns();

      await migrateUp(conn, { to: 26 });
      expect(await columns()).toEqual([...before, 'token_key_id', 'legacy_tokens']);
      // As Kamailio's role: the key id, not the seed (its table stays out of reach).
      const asKamailio = async <T>(query: string) => {
        await sql.raw(`SET ROLE ${role}`).execute(conn.db);
        try {
          return (await sql.raw<T>(query).execute(conn.db)).rows;
        } finally {
          await sql.raw('RESET ROLE').execute(conn.db);
        }
      };
      const keys = () => asKamailio<{ tenant_id: string; token_key_id: string | null; legacy_tokens: boolean }>("SELECT tenant_id, token_key_id, legacy_tokens FROM subscriber WHERE kind = 'extension' ORDER BY tenant_id");
      expect(await keys()).toEqual([
        { tenant_id: 'ten_1', token_key_id: signingKeyId('seed-before'), legacy_tokens: true },
        { tenant_id: 'ten_2', token_key_id: null, legacy_tokens: false },
      ]);
      await expect(asKamailio('SELECT secret FROM tenant_signing_keys')).rejects.toThrow(/permission denied/);

      // Bindings: a token phone (cflags 512) and a digest phone in each tenant, all on WebSockets.
      for (const n of [1, 2]) {
        for (const [kind, cflags] of [['token', 512], ['digest', 0]] as const) {
          await sql.raw(`INSERT INTO location (ruid, username, domain, contact, received, socket, cflags) VALUES ('${kind}${n}', '101', 't${n}.sip.localhost', 'sip:x@y', 'sip:127.0.0.1:${5000 + n};transport=ws', 'tcp:127.0.0.1:5060', ${cflags})`).execute(conn.db);
        }
      }
      const ruids = async () => (await sql<{ ruid: string }>`SELECT ruid FROM location ORDER BY ruid`.execute(conn.db)).rows.map((r) => r.ruid);
      const queued = async () => (await sql<{ received: string }>`SELECT received FROM kamailio_revoked_connections ORDER BY id`.execute(conn.db)).rows.map((r) => r.received);

      // A first key (tenant 2's first token) is no rotation: nothing unbound, and no legacy credentials.
      await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_2', 'seed-first', '${T0}')`).execute(conn.db);
      expect(await ruids()).toEqual(['digest1', 'digest2', 'token1', 'token2']);
      // Rotating tenant 1's key as the store does (an upsert).
      await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_1', 'seed-after', '${T0}') ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret`).execute(conn.db);
      expect(await keys()).toEqual([
        { tenant_id: 'ten_1', token_key_id: signingKeyId('seed-after'), legacy_tokens: false },
        { tenant_id: 'ten_2', token_key_id: signingKeyId('seed-first'), legacy_tokens: false },
      ]);
      expect(await ruids()).toEqual(['digest1', 'digest2', 'token2']);
      expect(await queued()).toEqual(['sip:127.0.0.1:5001;transport=ws']);

      await migrateDown(conn, { to: 24 });
      expect(await columns()).toEqual(before);
      expect((await sql<{ ok: boolean }>`SELECT has_table_privilege(${role}, 'subscriber', 'SELECT') AS ok`.execute(conn.db)).rows[0]?.ok).toBe(true);
    });
  });
});

describe('0027 (a token binding names its signing key, PostgreSQL only)', () => {
  it("refuses a token binding whose key is no longer the tenant's (legacy credentials by 0026's rule), and a rotation holds the tenant's new bindings until it commits", async () => {
    await onPostgresWithKamailioRole(async ({ database, conn, role }) => {
      await migrateUp(conn, { to: 24 });
      // Fixtures by SQL, as for 0026: tenant 1 issued tokens before 0026 (its key is recorded as legacy).
      for (const n of [1, 2]) {
        await sql.raw(`INSERT INTO tenants (id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at) VALUES ('ten_${n}', 'T${n}', 't${n}', 'active', 10, 2, '${T0}', '${T0}')`).execute(conn.db);
        await sql.raw(`INSERT INTO extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at) VALUES ('ext_${n}', 'ten_${n}', '101', 'R', '${'a'.repeat(32)}', '${T0}', '${T0}')`).execute(conn.db);
      }
      await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_1', 'seed-before', '${T0}')`).execute(conn.db);
      await migrateUp(conn, { to: 26 });
      await sql.raw(`CREATE ROLE ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT, INSERT, UPDATE ON location TO ${role}`).execute(conn.db);
      await sql.raw(`GRANT USAGE ON SEQUENCE location_id_seq TO ${role}`).execute(conn.db);
      await migrateUp(conn, { to: 27 });

      // As Kamailio writes a token phone's binding (branch flag 9), as its own role.
      const bind = (ruid: string, marker: string) =>
        conn.db.connection().execute(async (db) => {
          await sql.raw(`SET ROLE ${role}`).execute(db);
          try {
            await sql`INSERT INTO location (ruid, username, domain, contact, received, cflags) VALUES (${ruid}, '101', 't1.sip.localhost', ${'sip:101@10.0.0.1;transport=ws'}, ${`sip:10.0.0.1:5000;transport=ws;hrauth=${marker}`}, 512)`.execute(db);
            return 'bound';
          } catch (error) {
            return (error as { code?: string }).code;
          } finally {
            await sql.raw('RESET ROLE').execute(db);
          }
        });
      const before = signingKeyId('seed-before');
      expect(await bind('r1', `text_1.${before}`)).toBe('bound');
      expect(await bind('r2', 'text_1.legacy')).toBe('bound');
      expect(await bind('r3', `text_1.${signingKeyId('another seed')}`)).toBe('28000');
      // A node still on the cfg before 0027 names no key: checked as 0023 did.
      expect(await bind('r4', 'text_1')).toBe('bound');

      // The rotation (the store's upsert) holds the tenant's domain until it commits; a first key does not.
      const domainFree = async (domain: string) =>
        (await sql<{ free: boolean }>`SELECT pg_try_advisory_xact_lock_shared(hashtext('kamailio_bindings'), hashtext(${domain})) AS free`.execute(conn.db)).rows[0]!.free;
      await conn.db.transaction().execute(async (trx) => {
        await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_2', 'seed-first', '${T0}') ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret`).execute(trx);
        expect(await domainFree('t2.sip.localhost')).toBe(true);
        await sql.raw(`INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) VALUES ('ten_1', 'seed-after', '${T0}') ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret`).execute(trx);
        expect(await domainFree('t1.sip.localhost')).toBe(false);
      });
      expect(await domainFree('t1.sip.localhost')).toBe(true);
      // The rotation unbound the token phones (0026); what was checked against the old key is refused now.
      expect(await bind('r5', `text_1.${before}`)).toBe('28000');
      expect(await bind('r6', 'text_1.legacy')).toBe('28000');
      expect(await bind('r7', `text_1.${signingKeyId('seed-after')}`)).toBe('bound');

      await sql`DELETE FROM location`.execute(conn.db);
      await migrateDown(conn, { to: 26 });
      // 0023's check again: a token names its row only.
      expect(await bind('r8', `text_1.${before}`)).toBe('bound');
    });
  });
});

describe('0028 (a REGISTER waits for a credential change at most a second, PostgreSQL only)', () => {
  it("refuses a binding whose tenant's change stays uncommitted past the lock timeout, instead of holding Kamailio's worker until it commits", async () => {
    await onPostgresWithKamailioRole(async ({ database, conn, role }) => {
      await migrateUp(conn);
      await sql.raw(`INSERT INTO tenants (id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at) VALUES ('ten_1', 'T1', 't1', 'active', 10, 2, '${T0}', '${T0}')`).execute(conn.db);
      await sql.raw(`INSERT INTO extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at) VALUES ('ext_1', 'ten_1', '101', 'R', '${'a'.repeat(32)}', '${T0}', '${T0}')`).execute(conn.db);
      await sql.raw(`CREATE ROLE ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT ON subscriber TO ${role}`).execute(conn.db);
      await sql.raw(`GRANT SELECT, INSERT, UPDATE ON location TO ${role}`).execute(conn.db);
      await sql.raw(`GRANT USAGE ON SEQUENCE location_id_seq TO ${role}`).execute(conn.db);
      const version = (await sql<{ v: string }>`SELECT row_version AS v FROM subscriber WHERE owner_id = 'ext_1'`.execute(conn.db)).rows[0]!.v;
      const bind = (ruid: string) =>
        conn.db.connection().execute(async (db) => {
          await sql.raw(`SET ROLE ${role}`).execute(db);
          try {
            await sql`INSERT INTO location (ruid, username, domain, contact, received, cflags) VALUES (${ruid}, '101', 't1.sip.localhost', 'sip:101@10.0.0.1;transport=ws', ${`sip:10.0.0.1:5000;transport=ws;hrauth=eext_1.${version}`}, 0)`.execute(db);
            return 'bound';
          } catch (error) {
            return (error as { code?: string }).code;
          } finally {
            await sql.raw('RESET ROLE').execute(db);
          }
        });
      // A change to the tenant in flight (it holds the domain's lock, as 0023's triggers take it) that
      // stays uncommitted for three seconds: the REGISTER gives up after one (55P03, lock_not_available)
      // rather than waiting for the commit.
      let pending: Promise<string | undefined> | undefined;
      const waited = await conn.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext('kamailio_bindings'), hashtext('t1.sip.localhost'))`.execute(trx);
        const started = performance.now();
        pending = bind('r1');
        const outcome = await Promise.race([pending, new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000))]);
        return { outcome, ms: performance.now() - started };
      });
      await pending;
      expect(waited.outcome).toBe('55P03');
      expect(waited.ms).toBeGreaterThan(900);
      expect(waited.ms).toBeLessThan(2900);
      // With no change in flight it is bound as before.
      expect(await bind('r2')).toBe('bound');

      await sql`DELETE FROM location`.execute(conn.db);
      await migrateDown(conn, { to: 27 });
      const settings = (await sql<{ config: string[] | null }>`SELECT proconfig AS config FROM pg_proc WHERE proname = 'kamailio_binding_in_force'`.execute(conn.db)).rows[0]!.config ?? [];
      expect(settings.some((s) => s.startsWith('lock_timeout'))).toBe(false);
    });
  });
});
