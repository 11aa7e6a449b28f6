// Bulk provisioning: 100,000 extensions across 100 tenants through the API (the SDK's createMany()
// over loopback HTTP: batches of 1,000, each validated, hashed, audited and committed all or none),
// against the raw insert rate of the same database in the same run: the same 100,000 rows inserted
// with better-sqlite3 prepared statements, 1,000 per transaction, into a copy of the extensions table
// (same columns, keys, indexes and foreign key, for the same tenants) in the platform's own database
// file, with nothing else running.
// Budget: the API run under 60 s and at least 0.25x the raw rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, startPlatform } from '../packages/platform/dist/index.js';
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
  return Number(process.hrtime.bigint() - start) / 1e9;
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
 * Raw inserts with better-sqlite3 into the same database file, with the platform's connection
 * settings (connect.ts), of the very rows the API wrote (read back untimed, in the API's insert
 * order), into copies of their tables (same columns, keys, indexes and foreign keys):
 * - `extensions`: the baseline. The same 100,000 rows (ids, numbers, names, HA1s, timestamps), one
 *   transaction per tenant's 1,000, as the API's batches.
 * - `writes`: everything the API's batches wrote, for scale: the extensions, their audit events and
 *   the batches' idempotency records, in three transactions per batch as the API commits them (the
 *   claim; the extensions with their events; the stored answer). What the API costs beyond this is
 *   HTTP, validation, hashing and the client.
 */
function raw(dataDir, tenantIds) {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const rowsOf = (table, where, ...args) => db.prepare(`SELECT * FROM ${table} WHERE ${where} ORDER BY rowid`).raw().all(...args);
    const extensions = tenantIds.map((tenantId) => rowsOf('extensions', 'tenant_id = ?', tenantId));
    const events = tenantIds.map((tenantId) => rowsOf('audit_events', "tenant_id = ? AND action = 'extension.created'", tenantId));
    // The batches' stored answers are the large records, written in the order the batches finished.
    const records = rowsOf('idempotency_records', 'length(response_body) > 10000').slice(-tenantIds.length);
    for (const [what, got] of [['extensions', extensions.flat().length], ['audit events', events.flat().length]]) {
      if (got !== TOTAL) throw new Error(`${got} ${what} read back, ${TOTAL} expected`);
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
    const claim = db.transaction((record) => idem.insert.run(record.map((value, i) => (i === state ? 'in_flight' : i === status || i === body ? null : value))));
    const mutate = db.transaction((rows, auditRows) => {
      for (const row of rows) ext2.insert.run(row);
      for (const row of auditRows) audit.insert.run(row);
    });
    const store = db.transaction((record) => complete.run(record[status], record[body], record[keyId], record[key]));
    const writesSeconds = timed(() =>
      tenantIds.forEach((_, t) => {
        claim(records[t]);
        mutate(extensions[t], events[t]);
        store(records[t]);
      }),
    );
    for (const table of [ext2, audit, idem]) table.drop();
    return { extensionsSeconds, writesSeconds };
  } finally {
    db.close();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'highrise-bench-bulk-'));
let exitCode = 0;
try {
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY });
  let apiSeconds;
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
    console.log(`${TENANTS} tenants created; provisioning ${TOTAL.toLocaleString('en')} extensions, ${CONCURRENCY} tenants at a time`);
    apiSeconds = await throughApi(hr, tenantIds);
  } finally {
    await platform.close();
  }
  const { extensionsSeconds: rawSeconds, writesSeconds } = raw(dataDir, tenantIds);
  const apiRate = TOTAL / apiSeconds;
  const rawRate = TOTAL / rawSeconds;
  const ratio = apiRate / rawRate;
  console.log(`bulk provisioning: ${TOTAL.toLocaleString('en')} extensions across ${TENANTS} tenants through the API in ${apiSeconds.toFixed(1)} s (${Math.round(apiRate).toLocaleString('en')}/s; budget < ${MAX_SECONDS} s)`);
  console.log(`raw inserts into the same database: ${rawSeconds.toFixed(2)} s (${Math.round(rawRate).toLocaleString('en')}/s)`);
  console.log(`for scale, everything the API's batches wrote (the extensions, their audit events, the idempotency records), inserted raw: ${writesSeconds.toFixed(2)} s (${(rawSeconds / writesSeconds).toFixed(3)}x the raw rate)`);
  console.log(`ratio API / raw: ${ratio.toFixed(3)}x (budget >= ${MIN_RATIO}x)`);
  if (apiSeconds >= MAX_SECONDS || ratio < MIN_RATIO) {
    console.log('OVER BUDGET');
    exitCode = 1;
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
