// Analytics at scale (issue 12): 1,000,000 call records across 1,000 tenants over 30 days.
//
// - Ingestion: records written through the store with their hour's rollup, as the SIP edge writes
//   them when calls end: the edge queues the records of one event-loop turn and commits them in one
//   transaction (sip/calls.ts), so under load a transaction holds a burst. Measured both ways: one
//   record per transaction (a quiet edge) and bursts of INGEST_BURST (a busy one, which is when the
//   rate matters). Budget ≥ 5,000/s for the busy edge.
// - The provider's summary for 30 days by day in Europe/Paris, over HTTP with the provider key
//   (auth, validation, the rollup query, Intl bucketing, JSON). Budget: median < 200 ms, and at
//   most 1.5× a hand-written SQL query over the raw call records of the same 30 days by day (run on
//   the same file in the same run; it buckets by UTC day, which is cheaper than a time zone).
//   The hand-written query over the rollup table is printed too, for what the HTTP path adds.
//
// The first INGESTED records go through the store and are timed; the rest are bulk-loaded with one
// INSERT … SELECT and the rollups rebuilt from all records with migration 0013's own statement
// (loading a million records one by one would take minutes and measure nothing new).
// SQLite only; PostgreSQL is not measured here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DATABASE_FILE, openKyselyStore, startPlatform } from '../packages/platform/dist/index.js';

// The platform's own better-sqlite3, loaded only when the bench itself opens the file.
const openDatabase = (file, options) => new (createRequire(import.meta.url)('better-sqlite3'))(file, options);

const TENANTS = 1000;
const RECORDS = Number(process.env.BENCH_ANALYTICS_RECORDS ?? 1_000_000);
const INGESTED = Math.min(50_000, RECORDS / 10);
const BUDGET_MS = 200;
const BUDGET_RATIO = 1.5;
const BUDGET_INGEST = 5000;
/** Records per transaction for the busy edge: 5,000 calls/s ending over ~10 ms event-loop turns. */
const INGEST_BURST = 50;
const ROUNDS = 11;
const KEY = 'hr_bench_bootstrap_analytics_0001';
// Paris midnight of 1 November 2026 to Paris midnight of 1 December: 30 days.
const FROM = '2026-10-31T23:00:00.000Z';
const TO = '2026-11-30T23:00:00.000Z';
const SPAN = Date.parse(TO) - Date.parse(FROM);
const DISPOSITIONS = ['answered', 'answered', 'answered', 'answered', 'no_answer', 'busy', 'failed', 'cancelled', 'limit', 'rejected'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function call(i) {
  const startedAt = Date.parse(FROM) + Math.floor(rand() * SPAN);
  const disposition = DISPOSITIONS[Math.floor(rand() * DISPOSITIONS.length)];
  const talk = disposition === 'answered' ? Math.floor(rand() * 600) : 0;
  const answeredAt = disposition === 'answered' ? startedAt + 4000 : null;
  const endedAt = (answeredAt ?? startedAt + 4000) + talk * 1000;
  return {
    id: `cal_${String(endedAt).padStart(14, '0')}${String(i).padStart(12, '0')}`,
    callId: `bench-${i}`,
    from: '101',
    to: '102',
    direction: 'internal',
    startedAt: new Date(startedAt).toISOString(),
    answeredAt: answeredAt === null ? null : new Date(answeredAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationSeconds: talk,
    disposition,
    sipStatus: null,
  };
}

async function createTenants(dataDir) {
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY });
  const ids = [];
  try {
    for (let i = 0; i < TENANTS; i++) {
      const r = await fetch(`${platform.url}/v1/tenants`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Bench ${i}`, slug: `bench-${i}` }),
      });
      if (r.status !== 201) throw new Error(`tenant ${i}: ${r.status} ${await r.text()}`);
      ids.push((await r.json()).tenant.id);
    }
  } finally {
    await platform.close();
  }
  return ids;
}

async function ingest(dataDir, tenantIds) {
  const store = await openKyselyStore({ sqlite: { dataDir } });
  const insert = (i) => store.tenant(tenantIds[i % TENANTS]).calls.insert(call(i));
  try {
    const half = INGESTED / 2;
    let started = performance.now();
    for (let i = 0; i < half; i++) await insert(i);
    const single = half / ((performance.now() - started) / 1000);
    started = performance.now();
    for (let i = half; i < INGESTED; i += INGEST_BURST) {
      await store.transaction(async () => {
        for (let j = i; j < Math.min(i + INGEST_BURST, INGESTED); j++) await insert(j);
      });
    }
    const burst = (INGESTED - half) / ((performance.now() - started) / 1000);
    return { single, burst };
  } finally {
    await store.close();
  }
}

function bulkLoad(dataDir, tenantIds) {
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  // Ids arrive in random order: a large page cache keeps the primary key's pages in memory.
  db.pragma('cache_size = -1000000');
  try {
    const insert = db.prepare(
      `INSERT INTO calls (id, tenant_id, call_id, from_number, to_number, direction, started_at, answered_at, ended_at, duration_seconds, disposition, sip_status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = INGESTED; i < RECORDS; i++) {
        const c = call(i);
        insert.run(c.id, tenantIds[i % TENANTS], c.callId, c.from, c.to, c.direction, c.startedAt, c.answeredAt, c.endedAt, c.durationSeconds, c.disposition, c.sipStatus);
      }
      const before = db.prepare('SELECT COUNT(*) FROM call_rollups').pluck().get();
      db.exec('DELETE FROM call_rollups');
      // Migration 0013's own statement, rebuilding every hour from every record.
      const rebuild = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'call_rollups'").pluck().get();
      if (!rebuild || before === 0) throw new Error('the ingested records left no rollups');
      db.exec(`INSERT INTO call_rollups (tenant_id, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
        SELECT tenant_id, SUBSTR(started_at, 1, 13) || ':00:00.000Z', COUNT(*),
          SUM(CASE WHEN disposition IN ('answered') THEN 1 ELSE 0 END),
          SUM(CASE WHEN disposition IN ('no_answer', 'busy', 'cancelled') THEN 1 ELSE 0 END),
          SUM(CASE WHEN disposition IN ('failed', 'rejected', 'limit') THEN 1 ELSE 0 END),
          SUM(CASE WHEN disposition IN ('limit') THEN 1 ELSE 0 END),
          SUM(duration_seconds)
        FROM calls GROUP BY tenant_id, SUBSTR(started_at, 1, 13)`);
      db.exec(`DELETE FROM owner_call_rollups;
        INSERT INTO owner_call_rollups (owner, hour, calls, answered, missed, failed, refused_channels, duration_seconds)
        SELECT COALESCE(tenants.reseller_id, ''), hour, SUM(calls), SUM(answered), SUM(missed), SUM(failed), SUM(refused_channels), SUM(duration_seconds)
        FROM call_rollups JOIN tenants ON tenants.id = call_rollups.tenant_id GROUP BY COALESCE(tenants.reseller_id, ''), hour`);
    })();
    db.exec('ANALYZE');
    return db.prepare('SELECT COUNT(*) FROM call_rollups').pluck().get();
  } finally {
    db.close();
  }
}

const HAND_RAW = `SELECT SUBSTR(started_at, 1, 10) AS day, COUNT(*) AS calls,
    SUM(CASE WHEN disposition = 'answered' THEN 1 ELSE 0 END) AS answered,
    SUM(CASE WHEN disposition IN ('no_answer', 'busy', 'cancelled') THEN 1 ELSE 0 END) AS missed,
    SUM(CASE WHEN disposition IN ('failed', 'rejected', 'limit') THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN disposition = 'limit' THEN 1 ELSE 0 END) AS refused,
    SUM(duration_seconds) AS seconds
  FROM calls WHERE started_at >= ? AND started_at < ? GROUP BY day ORDER BY day`;
const HAND_ROLLUP = `SELECT SUBSTR(hour, 1, 10) AS day, SUM(calls), SUM(answered), SUM(missed), SUM(failed), SUM(refused_channels), SUM(duration_seconds)
  FROM call_rollups WHERE hour >= ? AND hour < ? GROUP BY day ORDER BY day`;

async function measure(dataDir) {
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY, log: (line) => console.error(line) });
  let db;
  try {
    const url = `${platform.url}/v1/analytics/summary?${new URLSearchParams({ from: FROM, to: TO, interval: 'day', tz: 'Europe/Paris' })}`;
    const api = async () => {
      const t = performance.now();
      // A new connection per request (as a dashboard polling now and then would have): on a reused
      // keep-alive connection the first request was reset here, not investigated further (see the report).
      const r = await fetch(url, { headers: { Authorization: `Bearer ${KEY}`, Connection: 'close' } });
      const body = await r.json();
      if (r.status !== 200) throw new Error(`summary: ${r.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t, body };
    };
    const sqlTimed = (text) => {
      const t = performance.now();
      const rows = db.prepare(text).all(FROM, TO);
      return { ms: performance.now() - t, rows };
    };
    // Warm both paths once; then take turns.
    const first = await api();
    db = openDatabase(join(dataDir, DATABASE_FILE), { readonly: true });
    sqlTimed(HAND_RAW);
    sqlTimed(HAND_ROLLUP);
    const apiMs = [];
    const rawMs = [];
    const rollupMs = [];
    for (let i = 0; i < ROUNDS; i++) {
      apiMs.push((await api()).ms);
      rawMs.push(sqlTimed(HAND_RAW).ms);
      rollupMs.push(sqlTimed(HAND_ROLLUP).ms);
    }
    const total = first.body.totals.calls;
    const rawTotal = sqlTimed(HAND_RAW).rows.reduce((s, r) => s + r.calls, 0);
    if (total !== RECORDS || rawTotal !== RECORDS) throw new Error(`the summary counts ${total} calls, the raw query ${rawTotal}; ${RECORDS} were written`);
    if (first.body.buckets.length !== 30) throw new Error(`expected 30 day buckets, got ${first.body.buckets.length}`);
    return { api: median(apiMs), raw: median(rawMs), rollup: median(rollupMs) };
  } finally {
    db?.close();
    await platform.close();
  }
}

const dataDir = process.env.BENCH_ANALYTICS_DIR ?? mkdtempSync(join(tmpdir(), 'highrise-bench-analytics-'));
if (process.env.BENCH_ANALYTICS_PHASE === 'measure') {
  // The queries are measured in a fresh process: the one that generated and loaded a million
  // records carries their garbage, and its first HTTP request was reset while it collected it.
  console.log(JSON.stringify(await measure(dataDir)));
  process.exit(0);
}
try {
  let t = performance.now();
  const tenantIds = await createTenants(dataDir);
  console.log(`${TENANTS} tenants created through the API in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const ingestion = await ingest(dataDir, tenantIds);
  const rate = ingestion.burst;
  console.log(`ingestion through the store (record + rollups), one transaction each (a quiet edge): ${Math.round(ingestion.single)} records/s over ${INGESTED / 2}`);
  console.log(`ingestion through the store, ${INGEST_BURST} per transaction (a busy edge's bursts): ${Math.round(rate)} records/s over ${INGESTED / 2} (budget ≥ ${BUDGET_INGEST})`);
  t = performance.now();
  const rollupRows = bulkLoad(dataDir, tenantIds);
  console.log(`bulk-loaded to ${RECORDS} records, ${rollupRows} hourly rollup rows, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_ANALYTICS_PHASE: 'measure', BENCH_ANALYTICS_DIR: dataDir }, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`measuring failed: ${child.stderr}`);
  const m = JSON.parse(child.stdout.trim().split('\n').at(-1));
  report(m, rate);
} finally {
  if (!process.env.BENCH_ANALYTICS_DIR) rmSync(dataDir, { recursive: true, force: true });
}

function report(m, rate) {
  const ratio = m.api / m.raw;
  console.log(`provider summary, 30 days by day, Europe/Paris, over HTTP: median ${m.api.toFixed(1)} ms (budget < ${BUDGET_MS})`);
  console.log(`hand-written SQL over the raw records: median ${m.raw.toFixed(1)} ms; API / SQL = ${ratio.toFixed(2)} (budget ≤ ${BUDGET_RATIO})`);
  console.log(`hand-written SQL over the tenant rollup table: median ${m.rollup.toFixed(1)} ms`);
  const ok = rate >= BUDGET_INGEST && m.api < BUDGET_MS && ratio <= BUDGET_RATIO;
  console.log(ok ? 'within budget' : rate < BUDGET_INGEST ? 'OVER BUDGET (ingestion; see docs/decisions/2026-12-01-analytics.md)' : 'OVER BUDGET');
  process.exitCode = ok ? 0 : 1;
}
