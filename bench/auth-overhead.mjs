// What authentication + permission check + tenant gate (with its TenantScope) cost per API request,
// as a ratio of a request through the real app to the same request through a copy of the app that
// acts as a fixed principal with those steps skipped (createBenchmarkApis: an in-process seam, not a
// flag any server or request can set). Budget: 1.10, on SQLite and on PostgreSQL (issue 9).
//
// In process, through the Hono app's `fetch`, with no sockets: over loopback HTTP the kernel and the
// HTTP parser cost several times the whole handler and their jitter is larger than the signal, so
// the ratio would flatter the auth path and swing from run to run. Both apps share one store and
// its connections; within each round the two take turns in small slices (ABBA), and the ratio is
// the median of the per-round ratios. Bounded: ROUNDS × 2 × REQUESTS requests per database.
// An A/A run (the unguarded app against itself) gave 0.996–0.997 on the synchronous SQLite store,
// so the method has no side bias.
//
// PostgreSQL: a fresh database on the server named by HIGHRISE_BENCH_DATABASE_URL (or
// HIGHRISE_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), dropped after.
// HIGHRISE_BENCH_DATABASES=sqlite (or postgres) runs one of the two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createBenchmarkApis, startPlatform } from '../packages/platform/dist/index.js';

const BUDGET = 1.1;
const ROUNDS = 21;
const REQUESTS = 1000;
const SLICES = 20;
const WARMUP = 3000;
const KEY = 'hr_bench_bootstrap_auth_0001';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function setUp(dataDir, databaseUrl) {
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const post = async (path, body, key = KEY) => {
      const r = await fetch(`${platform.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const { tenant, adminKey } = await post('/v1/tenants', { name: 'Bench', slug: 'bench', admin: { email: 'a@bench.test', name: 'Admin' } });
    const ext = await post(`/v1/tenants/${tenant.id}/extensions`, { number: '101', displayName: 'Bench 101' }, adminKey.secret);
    return { tenantId: tenant.id, extensionId: ext.id, key: adminKey.secret };
  } finally {
    await platform.close();
  }
}

async function run(fetchFn, url, headers, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const response = await fetchFn(new Request(url, { headers }));
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    await response.text();
  }
  return Number(process.hrtime.bigint() - start) / n / 1000;
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

async function measure(label, dataDir, databaseUrl) {
  const world = await setUp(dataDir, databaseUrl);
  const apis = await createBenchmarkApis({ dataDir, apiKey: world.key, databaseUrl });
  try {
    // A tenant-scoped read that does little else, so the guard's share is as large as it gets.
    const url = `http://bench.local/v1/tenants/${world.tenantId}/extensions/${world.extensionId}`;
    const headers = { Authorization: `Bearer ${world.key}` };
    await run(apis.guarded, url, headers, WARMUP);
    await run(apis.unguarded, url, headers, WARMUP);
    const ratios = [];
    const guardedUs = [];
    const unguardedUs = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Within a round the two apps take turns in small slices (ABBA…), so a change in machine load
      // during the round hits both sides alike; the round's ratio compares their summed times.
      let g = 0;
      let u = 0;
      for (let slice = 0; slice < SLICES; slice++) {
        if ((round + slice) % 2 === 0) {
          g += await run(apis.guarded, url, headers, REQUESTS / SLICES);
          u += await run(apis.unguarded, url, headers, REQUESTS / SLICES);
        } else {
          u += await run(apis.unguarded, url, headers, REQUESTS / SLICES);
          g += await run(apis.guarded, url, headers, REQUESTS / SLICES);
        }
      }
      guardedUs.push(g / SLICES);
      unguardedUs.push(u / SLICES);
      ratios.push(g / u);
    }
    const ratio = median(ratios);
    console.log(`${label}: GET /v1/tenants/{tenantId}/extensions/{extensionId}, in process, ${ROUNDS} rounds × ${REQUESTS} requests each way`);
    console.log(`  guarded   (auth + permission + tenant gate and scope): median ${median(guardedUs).toFixed(1)} µs/request`);
    console.log(`  unguarded (fixed principal, no checks):                median ${median(unguardedUs).toFixed(1)} µs/request`);
    console.log(`  auth + scope overhead ratio ${ratio.toFixed(3)} (budget ${BUDGET.toFixed(2)}; rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}): ${ratio <= BUDGET ? 'PASS' : 'FAIL'}`);
    return ratio <= BUDGET;
  } finally {
    await apis.close();
  }
}

const only = process.env.HIGHRISE_BENCH_DATABASES?.split(',');
let exitCode = 0;
for (const database of ['sqlite', 'postgres']) {
  if (only && !only.includes(database)) continue;
  const dataDir = mkdtempSync(join(tmpdir(), 'highrise-bench-auth-'));
  const pgDatabase = database === 'postgres' ? await createPostgresDatabase() : undefined;
  try {
    if (!await measure(database === 'sqlite' ? 'SQLite' : 'PostgreSQL', dataDir, pgDatabase?.url)) exitCode = 1;
  } finally {
    await pgDatabase?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
process.exit(exitCode);
