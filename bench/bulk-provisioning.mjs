// Bulk provisioning: 100,000 extensions across 100 tenants through the API (the SDK's createMany()
// over loopback HTTP: batches of 1,000, each validated, hashed, audited and committed all or none),
// against the raw insert rate of the same database in the same run: the very rows the API wrote,
// inserted 1,000 per transaction with the bare driver into a copy of the extensions table (same
// columns, keys, indexes and foreign key) in the same database, with nothing else running.
// Budget: the API run under 60 s and at least 0.25x the raw rate. On SQLite and on PostgreSQL (a
// fresh database on HIGHRISE_BENCH_DATABASE_URL or HIGHRISE_TEST_DATABASE_URL, default the
// machine's own, dropped after); HIGHRISE_BENCH_DATABASES=sqlite (or postgres) runs one of the two.
// The platform runs in a process of its own, as it would for an operator's script, so its CPU time
// is measured apart from the client's (per extension: the load-robust figure); BULK_IN_PROCESS=1
// runs both in this process, as this bench did before (the client's CPU then slows the API too).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DATABASE_FILE, SQLITE_SYNCHRONOUS, startPlatform } from '../packages/platform/dist/index.js';
import { Highrise } from '../packages/sdk/dist/index.js';

const TENANTS = Number(process.env.BULK_TENANTS ?? 100);
const PER_TENANT = 1000;
const TOTAL = TENANTS * PER_TENANT;
/** Tenants provisioned at once, as a few operator scripts would. */
const CONCURRENCY = Number(process.env.BULK_CONCURRENCY ?? 4);
const MAX_SECONDS = 60;
const MIN_RATIO = 0.25;
const KEY = 'hr_bench_bootstrap_bulk_0001';

const items = (t) => Array.from({ length: PER_TENANT }, (_, i) => ({ number: String(1000 + i), displayName: `Tenant ${t} desk ${i}` }));

async function throughApi(hr, tenantIds) {
  let next = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < tenantIds.length) {
        const t = next++;
        const created = await hr.tenant(tenantIds[t]).extensions.createMany(items(t)).catch((error) => {
          throw new Error(`tenant ${t}: ${error.message}`, { cause: error });
        });
        if (created.length !== PER_TENANT) throw new Error(`tenant ${t}: ${created.length} created`);
      }
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (user + system) / 1e6 };
}

/** A copy of `table` (columns, keys, indexes, foreign keys) named `bench_raw_<table>`, for raw inserts beside the real one. */
function copyOf(db, table) {
  const ddl = db.prepare('SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL').pluck().all(table);
  for (const statement of ddl) db.exec(statement.replace(new RegExp(`\\b${table}\\b`, 'g'), `bench_raw_${table}`).replace(/\bINDEX (\w+)/i, 'INDEX bench_raw_$1'));
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
  const insert = db.prepare(`INSERT INTO bench_raw_${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  return { columns, insert, drop: () => db.exec(`DROP TABLE bench_raw_${table}`) };
}

const timed = (fn) => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

/**
 * SQLite. Raw inserts with better-sqlite3 into the same database file, with the platform's connection
 * settings (connect.ts), of the very rows the API wrote (read back untimed, in the API's insert
 * order), into copies of their tables (same columns, keys, indexes and foreign keys):
 * - `extensions`: the baseline. The same 100,000 rows (ids, numbers, names, HA1s, timestamps), one
 *   transaction per tenant's 1,000, as the API's batches.
 * - `writes`: everything the API's batches wrote, for scale: the extensions, each batch's one audit
 *   event and the batches' idempotency records, in one transaction per batch as the API commits them
 *   (the claim, the extensions with their event, the stored answer). What the API costs beyond this
 *   is HTTP, validation, hashing and the client.
 */
function rawSqlite(dataDir, tenantIds) {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    // The platform's durability setting too: SQLite's default (FULL) syncs every commit and made the baseline slower than the platform's own writes.
    db.pragma(`synchronous = ${SQLITE_SYNCHRONOUS}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const rowsOf = (table, where, ...args) => db.prepare(`SELECT * FROM ${table} WHERE ${where} ORDER BY rowid`).raw().all(...args);
    const extensions = tenantIds.map((tenantId) => rowsOf('extensions', 'tenant_id = ?', tenantId));
    const events = tenantIds.map((tenantId) => rowsOf('audit_events', "tenant_id = ? AND action = 'extension.batch_created'", tenantId));
    // The batches' stored answers are the large records, written in the order the batches finished.
    const records = rowsOf('idempotency_records', 'length(response_body) > 10000').slice(-tenantIds.length);
    for (const [what, got, expected] of [['extensions', extensions.flat().length, TOTAL], ['audit events', events.flat().length, tenantIds.length]]) {
      if (got !== expected) throw new Error(`${got} ${what} read back, ${expected} expected`);
    }
    if (records.length !== tenantIds.length) throw new Error(`${records.length} idempotency records read back, ${tenantIds.length} expected`);

    const ext = copyOf(db, 'extensions');
    const baseline = db.transaction((rows) => {
      for (const row of rows) ext.insert.run(row);
    });
    const extensionsSeconds = timed(() => extensions.forEach((rows) => baseline(rows)));
    ext.drop();

    const ext2 = copyOf(db, 'extensions');
    const audit = copyOf(db, 'audit_events');
    const idem = copyOf(db, 'idempotency_records');
    const column = (name) => idem.columns.indexOf(name);
    const [state, status, body] = [column('state'), column('response_status'), column('response_body')];
    const [keyId, key] = [column('api_key_id'), column('idempotency_key')];
    const complete = db.prepare(`UPDATE bench_raw_idempotency_records SET state = 'done', response_status = ?, response_body = ? WHERE api_key_id = ? AND idempotency_key = ?`);
    const batch = db.transaction((record, rows, auditRows) => {
      idem.insert.run(record.map((value, i) => (i === state ? 'in_flight' : i === status || i === body ? null : value)));
      for (const row of rows) ext2.insert.run(row);
      for (const row of auditRows) audit.insert.run(row);
      complete.run(record[status], record[body], record[keyId], record[key]);
    });
    const writesSeconds = timed(() => tenantIds.forEach((_, t) => batch(records[t], extensions[t], events[t])));
    for (const table of [ext2, audit, idem]) table.drop();
    return { extensionsSeconds, writesSeconds };
  } finally {
    db.close();
  }
}

/** The extensions' table and the others a batch writes, as PostgreSQL copies of them (LIKE … INCLUDING ALL, plus their foreign keys). */
async function pgCopyOf(client, table) {
  const copy = `bench_raw_${table}`;
  await client.query(`CREATE TABLE ${copy} (LIKE ${table} INCLUDING ALL)`);
  const { rows: keys } = await client.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, [table]);
  for (const { def } of keys) await client.query(`ALTER TABLE ${copy} ADD ${def}`);
  const { rows: columns } = await client.query(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position`, [table]);
  const names = columns.map((c) => c.name);
  // The whole list in one statement: the fastest plain way to insert many rows with pg (the platform's own way too).
  const text = `INSERT INTO ${copy} (${names.join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  return {
    names,
    insert: (rows) => client.query(text, names.map((_, i) => rows.map((row) => row[i]))),
    drop: () => client.query(`DROP TABLE ${copy}`),
  };
}

/**
 * PostgreSQL. The same comparison with pg into the same database: the very rows the API wrote,
 * read back untimed in id (creation) order, one transaction per tenant's 1,000 with one
 * `INSERT … SELECT FROM unnest(…)` each; and, for scale, everything the API's batches wrote (one
 * transaction per batch, as the API's).
 */
async function rawPostgres(url, tenantIds) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rowsOf = async (table, where, ...args) => (await client.query({ text: `SELECT * FROM ${table} WHERE ${where} ORDER BY id`, values: args, rowMode: 'array' })).rows;
    const extensions = [];
    const events = [];
    for (const tenantId of tenantIds) {
      extensions.push(await rowsOf('extensions', 'tenant_id = $1', tenantId));
      events.push(await rowsOf('audit_events', "tenant_id = $1 AND action = 'extension.batch_created'", tenantId));
    }
    const records = (await client.query({ text: 'SELECT * FROM idempotency_records WHERE length(response_body) > 10000 ORDER BY created_at', rowMode: 'array' })).rows.slice(-tenantIds.length);
    for (const [what, got, expected] of [['extensions', extensions.flat().length, TOTAL], ['audit events', events.flat().length, tenantIds.length]]) {
      if (got !== expected) throw new Error(`${got} ${what} read back, ${expected} expected`);
    }
    if (records.length !== tenantIds.length) throw new Error(`${records.length} idempotency records read back, ${tenantIds.length} expected`);
    const inTransaction = async (fn) => {
      await client.query('BEGIN');
      await fn();
      await client.query('COMMIT');
    };
    const timedAsync = async (fn) => {
      const start = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - start) / 1e9;
    };

    const ext = await pgCopyOf(client, 'extensions');
    const extensionsSeconds = await timedAsync(async () => {
      for (const rows of extensions) await inTransaction(() => ext.insert(rows));
    });
    await ext.drop();

    const ext2 = await pgCopyOf(client, 'extensions');
    const audit = await pgCopyOf(client, 'audit_events');
    const idem = await pgCopyOf(client, 'idempotency_records');
    const column = (name) => idem.names.indexOf(name);
    const [state, status, body, keyId, key] = ['state', 'response_status', 'response_body', 'api_key_id', 'idempotency_key'].map(column);
    const writesSeconds = await timedAsync(async () => {
      for (let t = 0; t < tenantIds.length; t++) {
        const record = records[t];
        await inTransaction(async () => {
          await idem.insert([record.map((value, i) => (i === state ? 'in_flight' : i === status || i === body ? null : value))]);
          await ext2.insert(extensions[t]);
          await audit.insert(events[t]);
          await client.query(`UPDATE bench_raw_idempotency_records SET state = 'done', response_status = $1, response_body = $2 WHERE api_key_id = $3 AND idempotency_key = $4`, [record[status], record[body], record[keyId], record[key]]);
        });
      }
    });
    for (const table of [ext2, audit, idem]) await table.drop();
    return { extensionsSeconds, writesSeconds };
  } finally {
    await client.end();
  }
}

const serverUrl = process.env.HIGHRISE_BENCH_DATABASE_URL ?? process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh PostgreSQL database for this run (C collation, as the tests make theirs), and its drop. */
async function createPostgresDatabase() {
  const name = `highrise_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement) => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const IN_PROCESS = process.env.BULK_IN_PROCESS === '1';
const cpuSecondsOf = ({ user, system }) => (user + system) / 1e6;

/**
 * The platform, in this process or (the default) in a child of its own: its URL, its process's CPU
 * seconds so far, and its close.
 */
async function platformFor(dataDir, databaseUrl) {
  const options = { port: 0, dataDir, bootstrapKey: KEY, ...(databaseUrl ? { databaseUrl } : {}) };
  if (IN_PROCESS) {
    const platform = await startPlatform(options);
    return { url: platform.url, cpuSeconds: async () => cpuSecondsOf(process.cpuUsage()), close: () => platform.close() };
  }
  const child = fork(new URL(import.meta.url), ['--platform', JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies = [];
  child.on('message', (message) => replies.shift()?.(message));
  const ask = (what) => new Promise((resolve) => { replies.push(resolve); child.send(what); });
  const { url } = await new Promise((resolve, reject) => {
    replies.push(resolve);
    child.once('exit', (code) => reject(new Error(`the platform process exited with ${code}`)));
  });
  return {
    url,
    cpuSeconds: async () => (await ask('cpu')).cpuSeconds,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}

async function measure(label, dataDir, databaseUrl) {
  const platform = await platformFor(dataDir, databaseUrl);
  let apiSeconds;
  let apiCpuSeconds;
  let platformCpuSeconds;
  const tenantIds = [];
  try {
    // Retries are safe: every batch carries one Idempotency-Key across its attempts (a reused keep-alive socket can be reset).
    const hr = new Highrise({ baseUrl: platform.url, apiKey: KEY, maxRetries: 2, timeout: 120_000 });
    for (let t = 0; t < TENANTS; t++) {
      tenantIds.push((await hr.tenants.create({ name: `Bulk ${t}`, slug: `bulk-${t}`, limits: { extensions: PER_TENANT } })).tenant.id);
    }
    // Warm-up on a spare tenant: JIT and statement caches, not counted.
    const spare = (await hr.tenants.create({ name: 'Warm-up', slug: 'warm-up', limits: { extensions: PER_TENANT } })).tenant.id;
    await hr.tenant(spare).extensions.createMany(items(0));
    console.log(`${label}: ${TENANTS} tenants created; provisioning ${TOTAL.toLocaleString('en')} extensions, ${CONCURRENCY} tenants at a time`);
    const platformCpuBefore = await platform.cpuSeconds();
    ({ seconds: apiSeconds, cpuSeconds: apiCpuSeconds } = await throughApi(hr, tenantIds));
    platformCpuSeconds = (await platform.cpuSeconds()) - platformCpuBefore;
  } finally {
    await platform.close();
  }
  const { extensionsSeconds: rawSeconds, writesSeconds } = databaseUrl ? await rawPostgres(databaseUrl, tenantIds) : rawSqlite(dataDir, tenantIds);
  const apiRate = TOTAL / apiSeconds;
  const rawRate = TOTAL / rawSeconds;
  const ratio = apiRate / rawRate;
  console.log(`  through the API: ${TOTAL.toLocaleString('en')} extensions across ${TENANTS} tenants in ${apiSeconds.toFixed(1)} s (${Math.round(apiRate).toLocaleString('en')}/s; budget < ${MAX_SECONDS} s; ${IN_PROCESS ? 'client and platform in this process' : 'platform in its own process'})`);
  const perExtension = (seconds) => `${seconds.toFixed(1)} s, ${Math.round((seconds * 1e6) / TOTAL)} µs per extension`;
  if (IN_PROCESS) console.log(`  CPU time meanwhile, client and platform: ${perExtension(apiCpuSeconds)}`);
  else console.log(`  CPU time meanwhile: the platform's process ${perExtension(platformCpuSeconds)}; the client's (the SDK, this process) ${perExtension(apiCpuSeconds)}`);
  console.log(`  raw inserts of the same rows into the same database: ${rawSeconds.toFixed(2)} s (${Math.round(rawRate).toLocaleString('en')}/s)`);
  console.log(`  for scale, everything the API's batches wrote (the extensions, one audit event per batch, the idempotency records), inserted raw: ${writesSeconds.toFixed(2)} s (${(rawSeconds / writesSeconds).toFixed(3)}x the raw rate)`);
  const within = apiSeconds < MAX_SECONDS && ratio >= MIN_RATIO;
  console.log(`  ratio API / raw: ${ratio.toFixed(3)}x (budget >= ${MIN_RATIO}x): ${within ? 'PASS' : 'OVER BUDGET'}`);
  return within;
}

async function main() {
  const only = process.env.HIGHRISE_BENCH_DATABASES?.split(',');
  let exitCode = 0;
  for (const database of ['sqlite', 'postgres']) {
    if (only && !only.includes(database)) continue;
    const dataDir = mkdtempSync(join(tmpdir(), 'highrise-bench-bulk-'));
    const pgDatabase = database === 'postgres' ? await createPostgresDatabase() : undefined;
    try {
      if (!await measure(database === 'sqlite' ? 'SQLite' : 'PostgreSQL', dataDir, pgDatabase?.url)) exitCode = 1;
    } finally {
      await pgDatabase?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  process.exit(exitCode);
}

/**
 * The child's side: start the platform, tell its URL, answer 'cpu', stop on 'close'. With
 * BULK_PROFILE=<file> it writes a CPU profile of the platform between the first and second 'cpu'
 * (the timed run).
 */
if (process.argv[2] === '--platform') {
  const platform = await startPlatform(JSON.parse(process.argv[3]));
  const profiler = process.env.BULK_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
  let asked = 0;
  process.on('message', async (message) => {
    if (message === 'cpu' && profiler) {
      if (++asked === 1) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      } else if (asked === 2) {
        const { profile } = await profiler.post('Profiler.stop');
        (await import('node:fs')).writeFileSync(process.env.BULK_PROFILE, JSON.stringify(profile));
      }
    }
    if (message === 'cpu') process.send({ cpuSeconds: cpuSecondsOf(process.cpuUsage()) });
    if (message === 'close') {
      await platform.close();
      process.exit(0);
    }
  });
  process.send({ url: platform.url });
} else {
  await main();
}
