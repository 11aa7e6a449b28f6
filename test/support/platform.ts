/**
 * The real platform for an integration suite: started in-process on a free loopback port with a
 * fresh SQLite directory (or, with HIGHRISE_TEST_STORE=postgres, a fresh PostgreSQL database on
 * HIGHRISE_TEST_DATABASE_URL, dropped on close) and a bootstrap (provider) key, spoken to through the public SDK. One
 * place for the lifecycle so every suite starts and tears down the platform the same way.
 * (SIP suites provision over plain fetch instead, in ./sip-provision, so they depend on the HTTP
 * contract and not on the SDK.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DATABASE_FILE, openKyselyStore, startPlatform, type Platform, type PlatformOptions, type Store } from '@highrise/platform';
import { APIError, Highrise, type TenantCreateResponse } from '@highrise/sdk';
import { createTestPostgresDatabase, testStoreIsPostgres } from './postgres';

/**
 * The store a suite's platform runs on: nothing to add for SQLite (the data dir holds it), or
 * `databaseUrl` of a fresh PostgreSQL database under HIGHRISE_TEST_STORE=postgres. Suites that call
 * startPlatform themselves spread `options` into it and call `drop()` after closing the platform
 * (a restart reuses the same `options`).
 */
export interface TestStore {
  options: Pick<PlatformOptions, 'databaseUrl'>;
  /** Where a SQL query may inspect the store: the PostgreSQL URL, or undefined for SQLite. */
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

export async function createTestStore(): Promise<TestStore> {
  if (!testStoreIsPostgres()) return { options: {}, databaseUrl: undefined, drop: async () => {} };
  const database = await createTestPostgresDatabase();
  return { options: { databaseUrl: database.url }, databaseUrl: database.url, drop: () => database.drop() };
}

export interface TestTenant {
  /** What the provider got back when creating the tenant, admin key included. */
  created: TenantCreateResponse;
  /** The tenant's own admin, holding the key returned at creation. */
  admin: Highrise;
}

export interface TestPlatform {
  platform: Platform;
  dataDir: string;
  store: TestStore;
  bootstrapKey: string;
  /** The provider owner, holding the bootstrap key. */
  provider: Highrise;
  client(apiKey: string): Highrise;
  /** A tenant with an admin (email `admin@<slug>.test` unless given), created by the provider. */
  createTenant(slug: string, name: string, admin?: { email: string; name: string }): Promise<TestTenant>;
  close(): Promise<void>;
}

/**
 * Starts the platform for the suite `name` (used for the bootstrap key and the temp dir prefix).
 * `options` go to startPlatform as they are, except that port and dataDir are always set here.
 */
export async function startTestPlatform(name: string, options: PlatformOptions = {}): Promise<TestPlatform> {
  const bootstrapKey = options.bootstrapKey ?? `hr_test_bootstrap_${name.replace(/\W/g, '_')}_0001`;
  const dataDir = await mkdtemp(join(tmpdir(), `highrise-${name}-`));
  let platform: Platform;
  let store: TestStore | undefined;
  try {
    store = await createTestStore();
    platform = await startPlatform({ ...store.options, ...options, port: 0, dataDir, bootstrapKey });
  } catch (error) {
    await store?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  // No retries: a failure should show up as what the platform said the first time. Strict
  // validation: every body the suites see is checked against the contract in full (the SDK's
  // default is lenient, which would let the platform drift from its own schemas unnoticed).
  const client = (apiKey: string) => new Highrise({ baseUrl: platform.url, apiKey, maxRetries: 0, validateResponses: 'strict' });
  const provider = client(bootstrapKey);
  return {
    platform,
    dataDir,
    store,
    bootstrapKey,
    provider,
    client,
    async createTenant(slug, name, admin = { email: `admin@${slug}.test`, name: 'Admin' }) {
      const created = await provider.tenants.create({ name, slug, admin });
      return { created, admin: client(created.adminKey!.secret) };
    },
    async close() {
      await platform.close();
      await store.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The rejection of `promise`, failing the test if it resolves or rejects with anything but an APIError. */
export async function expectApiError(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(APIError);
    return error as APIError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * A second connection to the platform's own database, as another process or node would open it:
 * the SQLite file under the data dir, or the PostgreSQL database of HIGHRISE_TEST_STORE=postgres.
 */
export async function openPlatformStore(running: { dataDir: string; store: TestStore }): Promise<Store> {
  if (running.store.databaseUrl === undefined) return openKyselyStore({ sqlite: { dataDir: running.dataDir } });
  return openKyselyStore({ postgres: { url: running.store.databaseUrl, poolSize: 2 } });
}

/** Every row of every table in the platform's database, by table name (in name order). */
export async function allStoredRows(running: { dataDir: string; store: TestStore }): Promise<Map<string, Record<string, unknown>[]>> {
  const tables = new Map<string, Record<string, unknown>[]>();
  if (running.store.databaseUrl === undefined) {
    const db = new Database(join(running.dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      for (const { name } of names) tables.set(name, db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() as Record<string, unknown>[]);
    } finally {
      db.close();
    }
    return tables;
  }
  const client = new pg.Client({ connectionString: running.store.databaseUrl });
  await client.connect();
  try {
    const names = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE "C"`);
    for (const { name } of names.rows) tables.set(name, (await client.query(`SELECT * FROM "${name.replace(/"/g, '""')}"`)).rows as Record<string, unknown>[]);
  } finally {
    await client.end();
  }
  return tables;
}

/** Every text (and blob) value in every table of the platform's database, read as a dump would. */
export async function allStoredText(running: { dataDir: string; store: TestStore }): Promise<string[]> {
  const values: string[] = [];
  for (const rows of (await allStoredRows(running)).values()) {
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (typeof value === 'string') values.push(value);
        else if (Buffer.isBuffer(value)) values.push(value.toString('latin1'));
      }
    }
  }
  return values;
}
