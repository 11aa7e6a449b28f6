// Rollback on a populated database (issue 9): on SQLite and on PostgreSQL, the newest schema filled
// with 10,000 tenants, 100,000 extensions, 1,000,000 call records over 30 days and a sprinkle of
// every other table; per-table checksums; `migrateDown` to the schema before this release's
// migrations, `migrateUp` back; the checksums must be equal and each direction under 60 s.
//
// Baseline, same run, same database: copying every table once (CREATE TABLE … AS SELECT * of each,
// in a transaction that is rolled back), so a slow figure on a loaded machine can be told from a
// slow migration by the ratio. On SQLite `migrateUp` first takes an online backup of the whole file:
// it is counted in the up time (the operator waits for it) and its share is printed.
//
// Population is bulk SQL (INSERT … SELECT over generate_series / a recursive CTE, one transaction).
// The checksum of a table is its column list, its row count and two order-free sums of 32-bit words
// of each row's md5 (computed in SQL on PostgreSQL, streamed in JS on SQLite).
//
// BENCH_MIGRATE_SCALE=0.1 scales every row count down for a quick run; BENCH_MIGRATE_DATABASES=sqlite
// (or postgres) runs one database. PostgreSQL: HIGHRISE_TEST_DATABASE_URL, else 127.0.0.1:5432;
// the bench creates its own database and drops it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect, latestVersion, migrateDown, migrateUp, schemaVersion } from '../packages/platform/dist/index.js';

const BUDGET_S = 60;
/** The schema before this release's migrations (0010, 0011). */
const ROLLBACK_TO = 8;
/** The migration that creates the call rollups and derives them from existing calls. */
const ROLLUPS_VERSION = 13;
const SCALE = Number(process.env.BENCH_MIGRATE_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('BENCH_MIGRATE_SCALE is a number in (0, 1]');
const DATABASES = (process.env.BENCH_MIGRATE_DATABASES ?? 'sqlite,postgres').split(',');
const SERVER_URL = process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const scaled = (n) => Math.max(10, Math.round(n * SCALE));
const TENANTS = scaled(10_000);
const RESELLERS = Math.max(2, Math.round(TENANTS / 200));
const EXTENSIONS_PER_TENANT = 10;
const CALLS = scaled(1_000_000);
const PORT_ORDERS = Math.max(14, Math.floor(TENANTS / 5));
const DAYS = 30;
const EPOCH = Date.UTC(2026, 10, 1) / 1000;

const SQL = {
  sqlite: {
    series: (count) => `(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${count - 1}) SELECT i FROM s) AS g`,
    pad: (e, width) => `printf('%0${width}d', ${e})`,
    ts: (seconds) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${EPOCH} + (${seconds}), 'unixepoch')`,
    hex: (e) => `printf('%032x', ${e})`,
  },
  postgres: {
    // bigint, so products of the counter never overflow int4.
    series: (count) => `generate_series(0::bigint, ${count - 1}) AS g(i)`,
    pad: (e, width) => `lpad((${e})::text, ${width}, '0')`,
    ts: (seconds) => `to_char(to_timestamp(${EPOCH} + (${seconds})) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    hex: (e) => `lpad(to_hex(${e}), 32, '0')`,
  },
};

/** The bulk INSERTs that fill every table at the newest schema, in foreign-key order. */
function population(dialect) {
  const { series, pad, ts, hex } = SQL[dialect];
  const tenant = (e) => `'ten_' || ${pad(e, 6)}`;
  const order = (e) => `'por_' || ${pad(e, 6)}`;
  const T = TENANTS;
  const P = PORT_ORDERS;
  const portStatuses = ['draft', 'submitted', 'in_review', 'foc_scheduled', 'exception', 'completed', 'cancelled'];
  const statusOf = (o) => `CASE (${o}) % 7 ${portStatuses.map((s, k) => `WHEN ${k} THEN '${s}'`).join(' ')} END`;
  const portNumber = (o, pos) => `'+1628' || ${pad(`(${o}) * 2 + (${pos})`, 7)}`;
  const callStart = `(i * ${DAYS * 86_400} / ${CALLS})`;
  return [
    `INSERT INTO settings (key, value) VALUES ('platform.name', 'Highrise'), ('platform.region', 'eu-west')`,
    `INSERT INTO resellers (id, name, status, created_at, updated_at)
       SELECT 'res_' || ${pad('i', 4)}, 'Reseller ' || i, CASE WHEN i % 10 = 9 THEN 'suspended' ELSE 'active' END, ${ts('i * 60')}, ${ts('i * 60')} FROM ${series(RESELLERS)}`,
    // A fifth of the tenants are the provider's own; some carry limits other than the defaults, and
    // every tenant with dial rules has a dial plan revision past 0.
    `INSERT INTO tenants (id, reseller_id, name, slug, status, limit_extensions, limit_channels, created_at, updated_at, limit_messages_per_minute,
         limit_storage_bytes, limit_open_port_orders, limit_dial_rules, limit_ring_groups, limit_trunks, dial_plan_revision)
       SELECT ${tenant('i')}, CASE WHEN i % 5 = 0 THEN NULL ELSE 'res_' || ${pad(`i % ${RESELLERS}`, 4)} END, 'Tenant ' || i, 'tenant-' || i,
         CASE WHEN i % 20 = 19 THEN 'suspended' ELSE 'active' END, 25, 4 + i % 8, ${ts('i')}, ${ts('i + 3600')}, 600,
         104857600 * (1 + i % 3), CASE WHEN i % 10 = 0 THEN 50 ELSE 20 END, CASE WHEN i % 10 = 1 THEN 500 ELSE 200 END,
         CASE WHEN i % 25 = 3 THEN 80 ELSE 50 END, CASE WHEN i % 25 = 4 THEN 40 ELSE 10 END, CASE WHEN i % 2 = 0 THEN 1 + i % 17 ELSE 0 END
       FROM ${series(T)}`,
    `INSERT INTO extensions (id, tenant_id, number, display_name, ha1, created_at, updated_at)
       SELECT 'ext_' || ${pad('i', 7)}, ${tenant(`i / ${EXTENSIONS_PER_TENANT}`)}, '' || (100 + i % ${EXTENSIONS_PER_TENANT}), 'User ' || i, ${hex('i * 7919')}, ${ts('i')}, ${ts('i')}
       FROM ${series(T * EXTENSIONS_PER_TENANT)}`,
    `INSERT INTO tenant_signing_keys (tenant_id, secret, created_at) SELECT ${tenant('i')}, ${hex('i * 104729')}, ${ts('i')} FROM ${series(T)}`,
    `INSERT INTO roles (id, owner_id, level, tenant_id, reseller_id, name, description, permissions, created_at, updated_at)
       SELECT 'rol_t' || ${pad('i', 6)}, ${tenant('i * 4')}, 'tenant', ${tenant('i * 4')}, NULL, 'agents', 'Call agents', '["calls:read","extensions:read"]', ${ts('i')}, ${ts('i')}
       FROM ${series(Math.ceil(T / 4))}`,
    `INSERT INTO api_keys (id, secret_hash, principal, reseller_id, tenant_id, name, created_at, last_used_at, role_id, extension_id, expires_at, revoked_at, previous_secret_hash, previous_expires_at)
       VALUES ('key_provider', 'sh_provider', 'provider', NULL, NULL, 'ops', ${ts(0)}, NULL, 'rol_providerOwner', NULL, NULL, NULL, NULL, NULL)`,
    `INSERT INTO api_keys (id, secret_hash, principal, reseller_id, tenant_id, name, created_at, last_used_at, role_id, extension_id, expires_at, revoked_at, previous_secret_hash, previous_expires_at)
       SELECT 'key_' || ${pad('i', 6)}, 'sh_' || ${hex('i')}, 'tenant', NULL, ${tenant('i')}, 'admin', ${ts('i')}, ${ts('i + 86400')}, 'rol_tenantOwner', NULL, NULL,
         CASE WHEN i % 50 = 7 THEN ${ts('i + 7200')} ELSE NULL END, NULL, NULL
       FROM ${series(T)}`,
    `INSERT INTO idempotency_records (api_key_id, idempotency_key, request_hash, state, response_status, response_body, created_at)
       SELECT 'key_' || ${pad('i * 2', 6)}, 'idem-' || i, ${hex('i')}, 'done', 201, '{"id":"ext_' || i || '"}', ${ts('i')} FROM ${series(Math.ceil(T / 2))}`,
    `INSERT INTO audit_events (id, occurred_at, actor_key_id, tenant_id, action, target_id, request_id, actor_principal, actor_role, target_type, changes, source_address, chain_seq, prev_hash, hash)
       SELECT 'aud_' || ${pad('i', 7)}, ${ts('i * 50')}, 'key_' || ${pad('i / 5', 6)}, ${tenant('i / 5')}, 'extension.created', 'ext_' || ${pad('i * 2', 7)}, 'req_' || i,
         'tenant', 'rol_tenantOwner', 'extension', '{"number":"10' || i % 10 || '"}', '192.0.2.' || i % 250, 1 + i % 5,
         CASE WHEN i % 5 = 0 THEN NULL ELSE ${hex('i - 1')} END, ${hex('i')}
       FROM ${series(T * 5)}`,
    `INSERT INTO calls (id, tenant_id, call_id, from_number, to_number, direction, started_at, answered_at, ended_at, duration_seconds, disposition, sip_status)
       SELECT 'cal_' || ${pad('i', 8)}, ${tenant(`i % ${T}`)}, 'c' || i || '@bench.test', '' || (100 + i % 10),
         CASE WHEN i % 3 = 1 THEN '+1415555' || ${pad('i % 10000', 4)} ELSE '' || (100 + (i + 3) % 10) END,
         CASE i % 3 WHEN 0 THEN 'internal' WHEN 1 THEN 'outbound' ELSE 'inbound' END,
         ${ts(callStart)}, CASE WHEN i % 7 < 4 THEN ${ts(`${callStart} + 4`)} ELSE NULL END, ${ts(`${callStart} + 4 + i % 600`)},
         CASE WHEN i % 7 < 4 THEN i % 600 ELSE 0 END,
         CASE i % 7 WHEN 4 THEN 'no_answer' WHEN 5 THEN 'busy' WHEN 6 THEN 'failed' ELSE 'answered' END,
         CASE i % 7 WHEN 4 THEN 480 WHEN 5 THEN 486 WHEN 6 THEN 503 ELSE 200 END
       FROM ${series(CALLS)}`,
    `INSERT INTO numbers (id, number, tenant_id, route_type, route_target, assigned_at, created_at, updated_at)
       SELECT 'num_' || ${pad('i', 6)}, '+1415' || ${pad('i', 7)}, CASE WHEN i % 2 = 0 THEN ${tenant('i / 2')} ELSE NULL END,
         CASE WHEN i % 2 = 0 THEN 'extension' ELSE NULL END, CASE WHEN i % 2 = 0 THEN '101' ELSE NULL END,
         CASE WHEN i % 2 = 0 THEN ${ts('i')} ELSE NULL END, ${ts('i')}, ${ts('i')}
       FROM ${series(T * 2)}`,
    // Three rules for every even tenant (those with a dial plan revision).
    `INSERT INTO dial_rules (id, tenant_id, name, pattern, position, action, created_at, updated_at)
       SELECT 'dr_' || ${pad('i', 6)}, ${tenant('(i / 3) * 2')}, 'rule ' || i % 3, CASE i % 3 WHEN 0 THEN '9X.' WHEN 1 THEN '011X.' ELSE '911' END, i % 3,
         CASE i % 3 WHEN 2 THEN '{"type":"route","target":"+15555550100"}' ELSE '{"type":"reject","status":403,"reason":null}' END, ${ts('i')}, ${ts('i')}
       FROM ${series(3 * Math.ceil(T / 2))}`,
    `INSERT INTO ring_groups (id, tenant_id, number, name, strategy, member_timeout_seconds, members, created_at, updated_at)
       SELECT 'rg_' || ${pad('i', 6)}, ${tenant('i * 5')}, '600', 'Sales', CASE WHEN i % 2 = 0 THEN 'sequential' ELSE 'simultaneous' END, 20, '["101","102","103"]', ${ts('i')}, ${ts('i')}
       FROM ${series(Math.ceil(T / 5))}`,
    `INSERT INTO trunks (id, tenant_id, name, username, ha1, caller_id, created_at, updated_at)
       SELECT 'trk_' || ${pad('i', 6)}, ${tenant('i * 10')}, 'pbx', 'pbx', ${hex('i * 31')}, CASE WHEN i % 2 = 0 THEN '+14155550000' ELSE NULL END, ${ts('i')}, ${ts('i')}
       FROM ${series(Math.ceil(T / 10))}`,
    `INSERT INTO webhook_endpoints (id, level, reseller_id, tenant_id, url, description, enabled_events, status, secret_sealed, previous_secret_sealed, previous_expires_at, created_at, updated_at)
       VALUES ('we_provider', 'provider', NULL, NULL, 'https://ops.example.test/hooks', 'ops', '["*"]', 'enabled', 'sealed_p', NULL, NULL, ${ts(0)}, ${ts(0)})`,
    `INSERT INTO webhook_endpoints (id, level, reseller_id, tenant_id, url, description, enabled_events, status, secret_sealed, previous_secret_sealed, previous_expires_at, created_at, updated_at)
       SELECT 'we_' || ${pad('i', 6)}, 'tenant', NULL, ${tenant('i * 10')}, 'https://hooks.example.test/' || i, '', '["call.ended","extension.created"]',
         CASE WHEN i % 9 = 0 THEN 'disabled' ELSE 'enabled' END, 'sealed_' || ${hex('i')}, NULL, NULL, ${ts('i')}, ${ts('i')}
       FROM ${series(Math.ceil(T / 10))}`,
    `INSERT INTO webhook_events (id, type, tenant_id, created_at, data)
       SELECT 'evt_' || ${pad('i', 6)}, 'extension.created', ${tenant('i')}, ${ts('i')}, '{"id":"ext_' || i || '"}' FROM ${series(T)}`,
    `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempt_count, next_attempt_at, created_at, updated_at)
       SELECT 'del_' || ${pad('i', 6)}, 'we_' || ${pad('i', 6)}, 'evt_' || ${pad('i * 10', 6)}, CASE i % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'delivered' ELSE 'failed' END,
         1 + i % 3, CASE WHEN i % 3 = 0 THEN ${ts('i + 60')} ELSE NULL END, ${ts('i')}, ${ts('i + 1')}
       FROM ${series(Math.ceil(T / 10))}`,
    `INSERT INTO webhook_attempts (delivery_id, seq, attempted_at, status_code, error, duration_ms)
       SELECT 'del_' || ${pad('i', 6)}, 1, ${ts('i')}, CASE WHEN i % 3 = 1 THEN 200 ELSE NULL END, CASE WHEN i % 3 = 1 THEN NULL ELSE 'connect ECONNREFUSED' END, 5 + i % 90
       FROM ${series(Math.ceil(T / 10))}`,
    // Orders of every status, two numbers each; an order holds its numbers (open = 1) only while
    // submitted, in review or FOC-scheduled. A draft shares a number with the submitted order after
    // it, an exception one with that order and one with the draft before it, which no order holds:
    // the cases 0010's down has to reopen carefully.
    `INSERT INTO port_orders (id, tenant_id, status, carrier_name, account_number, pin, authorised_person, service_address, requested_foc_date, foc_date,
         destination_type, destination_target, exception_reason, exception_message, carrier_ref, created_at, updated_at, submitted_at, completed_at, cancelled_at)
       SELECT ${order('i')}, ${tenant('i * 5')}, ${statusOf('i')}, 'Old Carrier', '12345-' || i, '0000', '{"name":"Pat Doe"}',
         '{"line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}', '2027-01-15',
         CASE WHEN i % 7 IN (3, 5) THEN '2027-01-15' ELSE NULL END, 'extension', '101',
         CASE WHEN i % 7 = 4 THEN 'foc_rejected' ELSE NULL END, CASE WHEN i % 7 = 4 THEN 'Name mismatch' ELSE NULL END,
         CASE WHEN i % 7 IN (1, 2, 3, 4, 5) THEN 'CR-' || i ELSE NULL END, ${ts('i * 100')}, ${ts('i * 100 + 50')},
         CASE WHEN i % 7 IN (1, 2, 3, 4, 5) THEN ${ts('i * 100 + 10')} ELSE NULL END, CASE WHEN i % 7 = 5 THEN ${ts('i * 100 + 50')} ELSE NULL END,
         CASE WHEN i % 7 = 6 THEN ${ts('i * 100 + 50')} ELSE NULL END
       FROM ${series(P)}`,
    `INSERT INTO port_order_numbers (order_id, tenant_id, position, number, open)
       SELECT ${order('i / 2')}, ${tenant('(i / 2) * 5')}, i % 2,
         CASE WHEN (i / 2) % 7 = 0 AND i % 2 = 0 THEN ${portNumber('i / 2 + 1', 0)}
              WHEN (i / 2) % 7 = 4 AND i % 2 = 0 THEN ${portNumber('i / 2 - 3', 0)}
              WHEN (i / 2) % 7 = 4 THEN ${portNumber('i / 2 - 4', 1)}
              ELSE ${portNumber('i / 2', 'i % 2')} END,
         CASE WHEN (i / 2) % 7 IN (1, 2, 3) THEN 1 ELSE 0 END
       FROM ${series(P * 2)}`,
    `INSERT INTO port_documents (id, tenant_id, order_id, kind, filename, content_type, size_bytes, storage_path, created_at)
       SELECT 'doc_' || ${pad('i', 6)}, ${tenant('i * 5')}, ${order('i')}, CASE WHEN i % 2 = 0 THEN 'loa' ELSE 'bill' END, 'doc.pdf', 'application/pdf', 100000 + i, 'port-documents/' || i, ${ts('i * 100 + 5')}
       FROM ${series(P)}`,
    `INSERT INTO port_comments (id, tenant_id, order_id, visibility, body, author_principal, author_key_id, created_at)
       SELECT 'com_' || ${pad('i', 6)}, ${tenant('i * 5')}, ${order('i')}, CASE WHEN i % 3 = 0 THEN 'internal' ELSE 'public' END, 'Please confirm the account number.', 'tenant',
         'key_' || ${pad('i * 5', 6)}, ${ts('i * 100 + 6')}
       FROM ${series(P)}`,
    `INSERT INTO port_order_events (id, tenant_id, order_id, action, from_status, to_status, actor_type, actor_key_id, actor_principal, reason, message, occurred_at)
       SELECT 'poe_' || ${pad('i', 6)}, ${tenant('(i / 2) * 5')}, ${order('i / 2')}, CASE WHEN i % 2 = 0 THEN 'create' ELSE 'transition' END,
         CASE WHEN i % 2 = 0 THEN NULL ELSE 'draft' END, CASE WHEN i % 2 = 0 THEN 'draft' ELSE ${statusOf('i / 2')} END, 'api_key', 'key_' || ${pad('(i / 2) * 5', 6)}, 'tenant',
         NULL, NULL, ${ts('(i / 2) * 100 + i % 2')}
       FROM ${series(P * 2)}`,
  ];
}

/** Runs statements in one transaction and rolls it back or commits. */
async function inTransaction(conn, statements, commit) {
  if (conn.dialect === 'sqlite') {
    conn.sqlite.exec('BEGIN');
    try {
      for (const s of statements) conn.sqlite.exec(s);
    } catch (e) {
      conn.sqlite.exec('ROLLBACK');
      throw e;
    }
    conn.sqlite.exec(commit ? 'COMMIT' : 'ROLLBACK');
    return;
  }
  const client = await conn.pool.connect();
  try {
    await client.query('BEGIN');
    try {
      for (const s of statements) await client.query(s);
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

async function query(conn, text) {
  if (conn.dialect === 'sqlite') return conn.sqlite.prepare(text).all();
  return (await conn.pool.query(text)).rows;
}

async function tables(conn) {
  const rows =
    conn.dialect === 'sqlite'
      ? await query(conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name")
      : await query(conn, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name");
  return rows.map((r) => r.name);
}

/** Per table: columns, row count and order-free sums of two 32-bit words of each row's md5. */
async function checksums(conn) {
  const out = {};
  for (const table of await tables(conn)) {
    if (conn.dialect === 'sqlite') {
      const columns = conn.sqlite.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table);
      let count = 0;
      let a = 0;
      let b = 0;
      for (const row of conn.sqlite.prepare(`SELECT * FROM "${table}"`).raw(true).iterate()) {
        const digest = createHash('md5').update(JSON.stringify(row)).digest();
        a += digest.readUInt32BE(0);
        b += digest.readUInt32BE(4);
        count++;
      }
      out[table] = { columns: columns.join(','), count, hash: `${a}:${b}` };
    } else {
      const columns = (await query(conn, `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`)).map((r) => r.name);
      const word = (from) => `('x' || lpad(substr(h, ${from}, 8), 16, '0'))::bit(64)::bigint`;
      const [row] = await query(conn, `SELECT count(*) AS count, coalesce(sum(${word(1)}), 0)::text AS a, coalesce(sum(${word(9)}), 0)::text AS b FROM (SELECT md5(t::text) AS h FROM "${table}" t) q`);
      out[table] = { columns: columns.join(','), count: Number(row.count), hash: `${row.a}:${row.b}` };
    }
  }
  return out;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, s: seconds(start) };
}

async function withDatabase(name, fn) {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'highrise-bench-migrate-'));
    try {
      return await fn({ sqlite: { dataDir: dir } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const database = `highrise_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (text) => {
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  try {
    const url = new URL(SERVER_URL);
    url.pathname = `/${database}`;
    return await fn({ postgres: { url: url.toString(), poolSize: 2 } });
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

async function bench(name) {
  return withDatabase(name, async (options) => {
    const conn = connect(options);
    try {
      await migrateUp(conn);
      const populate = await timed(async () => {
        await inTransaction(conn, population(conn.dialect), true);
        // The bulk SQL bypasses the store, which keeps the call rollups in step with every insert.
        // Migration 13 derives them from the calls table; going down past it and up again gives
        // the rollups the platform would hold, before the checksums are taken.
        await migrateDown(conn, { to: ROLLUPS_VERSION - 1 });
        await migrateUp(conn);
        if (conn.dialect === 'postgres') await query(conn, 'ANALYZE');
      });
      const before = await checksums(conn);
      const rows = Object.values(before).reduce((sum, t) => sum + t.count, 0);
      const copy = await timed(async () => inTransaction(conn, Object.keys(before).map((t) => `CREATE TABLE "bench_copy_${t}" AS SELECT * FROM "${t}"`), false));

      const down = await timed(() => migrateDown(conn, { to: ROLLBACK_TO }));
      const atRollback = await schemaVersion(conn);

      // The online backup `migrateUp` takes on SQLite, timed where it happens.
      let backupS = 0;
      if (conn.dialect === 'sqlite') {
        const backup = conn.sqlite.backup.bind(conn.sqlite);
        conn.sqlite.backup = async (...args) => {
          const start = process.hrtime.bigint();
          try {
            return await backup(...args);
          } finally {
            backupS = seconds(start);
          }
        };
      }
      const up = await timed(() => migrateUp(conn));
      let backupBytes = 0;
      if (up.value.backupPath) {
        backupBytes = statSync(up.value.backupPath).size;
        rmSync(up.value.backupPath, { force: true });
      }
      const after = await checksums(conn);
      const changed = Object.keys({ ...before, ...after }).filter((t) => JSON.stringify(before[t]) !== JSON.stringify(after[t]));
      return {
        name,
        populateS: populate.s,
        rows,
        counts: Object.fromEntries(Object.entries(before).map(([t, c]) => [t, c.count])),
        copyS: copy.s,
        down: { s: down.s, steps: down.value.steps.map((s) => s.version), version: atRollback },
        up: { s: up.s, steps: up.value.applied.map((s) => s.version), version: up.value.to, slowest: [...up.value.applied].sort((a, b) => b.seconds - a.seconds).slice(0, 3) },
        backupS,
        backupBytes,
        changed,
        before,
        after,
      };
    } finally {
      await conn.close();
    }
  });
}

const fmt = (s) => `${s.toFixed(2)} s`.padStart(9);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

console.log(`scale ${SCALE}: ${TENANTS} tenants (${RESELLERS} resellers), ${TENANTS * EXTENSIONS_PER_TENANT} extensions, ${CALLS} calls over ${DAYS} days, ${PORT_ORDERS} port orders`);
console.log(`schema ${latestVersion} → ${ROLLBACK_TO} → ${latestVersion}; load average at start ${load()}`);
let exitCode = 0;
for (const name of DATABASES) {
  const r = await bench(name);
  console.log(`\n${name}: ${r.rows} rows in ${Object.keys(r.counts).length} tables, populated in ${r.populateS.toFixed(1)} s (calls ${r.counts.calls}, extensions ${r.counts.extensions}, tenants ${r.counts.tenants})`);
  console.log(`  direction   time       × copy   steps`);
  console.log(`  copy       ${fmt(r.copyS)}   1.00     CREATE TABLE … AS SELECT * of every table (baseline)`);
  console.log(`  down       ${fmt(r.down.s)}   ${(r.down.s / r.copyS).toFixed(2).padStart(5)}    ${r.down.steps.join(', ')} → version ${r.down.version}`);
  const backupNote = r.backupBytes ? `; online backup ${r.backupS.toFixed(2)} s (${Math.round((100 * r.backupS) / r.up.s)} %, ${(r.backupBytes / 2 ** 20).toFixed(0)} MiB)` : '';
  console.log(`  up         ${fmt(r.up.s)}   ${(r.up.s / r.copyS).toFixed(2).padStart(5)}    ${r.up.steps.join(', ')} → version ${r.up.version}${backupNote}`);
  console.log(`  slowest up steps: ${r.up.slowest.map((s) => `${s.version} ${s.name} ${s.seconds.toFixed(2)} s`).join('; ')}`);
  const okVersions = r.down.version === ROLLBACK_TO && r.up.version === latestVersion;
  const okDown = r.down.s < BUDGET_S;
  const okUp = r.up.s < BUDGET_S;
  const okChecksums = r.changed.length === 0 && okVersions;
  console.log(`  ${name} down ${r.down.s.toFixed(2)} s (budget ${BUDGET_S} s): ${okDown ? 'PASS' : 'FAIL'}`);
  console.log(`  ${name} up ${r.up.s.toFixed(2)} s (budget ${BUDGET_S} s): ${okUp ? 'PASS' : 'FAIL'}`);
  for (const t of r.changed) console.log(`    ${t}: before ${JSON.stringify(r.before[t])}\n    ${' '.repeat(t.length)}  after  ${JSON.stringify(r.after[t])}`);
  console.log(`  ${name} per-table checksums after up → down → up (${Object.keys(r.before).length} tables): ${okChecksums ? 'PASS' : `FAIL (${okVersions ? '' : 'wrong version; '}changed: ${r.changed.join(', ')})`}`);
  if (!(okDown && okUp && okChecksums)) exitCode = 1;
}
console.log(`\nload average at end ${load()}`);
process.exit(exitCode);
