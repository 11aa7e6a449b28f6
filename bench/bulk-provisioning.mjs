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
import { createHash, randomBytes } from 'node:crypto';
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

/** The same rows, as fast as better-sqlite3 inserts them into a table shaped like `extensions`. */
function raw(dataDir, tenantIds) {
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'extensions' AND sql IS NOT NULL").pluck().all();
    for (const statement of ddl) db.exec(statement.replace(/\bextensions\b/g, 'bench_raw_extensions').replace(/\bINDEX (\w+)/i, 'INDEX bench_raw_$1'));
    const insert = db.prepare('INSERT INTO bench_raw_extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    const rows = [];
    for (let t = 0; t < TENANTS; t++) {
      const tenantId = tenantIds[t];
      for (const item of items(t)) rows.push([`ext_${randomBytes(13).toString('hex')}`, tenantId, item.number, item.displayName, createHash('md5').update(item.number).digest('hex'), now, now]);
    }
    const batch = db.transaction((slice) => {
      for (const row of slice) insert.run(...row);
    });
    const start = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i += PER_TENANT) batch(rows.slice(i, i + PER_TENANT));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    db.exec('DROP TABLE bench_raw_extensions');
    return seconds;
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
  const rawSeconds = raw(dataDir, tenantIds);
  const apiRate = TOTAL / apiSeconds;
  const rawRate = TOTAL / rawSeconds;
  const ratio = apiRate / rawRate;
  console.log(`bulk provisioning: ${TOTAL.toLocaleString('en')} extensions across ${TENANTS} tenants through the API in ${apiSeconds.toFixed(1)} s (${Math.round(apiRate).toLocaleString('en')}/s; budget < ${MAX_SECONDS} s)`);
  console.log(`raw inserts into the same database: ${rawSeconds.toFixed(2)} s (${Math.round(rawRate).toLocaleString('en')}/s)`);
  console.log(`ratio API / raw: ${ratio.toFixed(3)}x (budget >= ${MIN_RATIO}x)`);
  if (apiSeconds >= MAX_SECONDS || ratio < MIN_RATIO) {
    console.log('OVER BUDGET');
    exitCode = 1;
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
