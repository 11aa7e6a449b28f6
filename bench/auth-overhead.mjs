// What authentication + permission check + tenant scoping cost per API request, as a ratio of a
// request through the real app to the same request through a copy of the app that acts as a fixed
// principal with those three steps skipped (createBenchmarkApis: an in-process seam, not a flag any
// server or request can set). Budget: 1.10.
//
// In process, through the Hono app's `fetch`, with no sockets: over loopback HTTP the kernel and the
// HTTP parser cost several times the whole handler and their jitter is larger than the signal, so
// the ratio would flatter the auth path and swing from run to run. Both apps share one SQLite store
// and statement cache; within each round the two take turns in small slices (ABBA), and the ratio
// is the median of the per-round ratios. Bounded: ROUNDS × 2 × REQUESTS requests, a few seconds.
// An A/A run (the unguarded app against itself) gives 0.996–0.997, so the method has no side bias.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

async function setUp(dataDir) {
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY });
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

const dataDir = mkdtempSync(join(tmpdir(), 'highrise-bench-auth-'));
let exitCode = 0;
try {
  const world = await setUp(dataDir);
  const apis = await createBenchmarkApis({ dataDir, apiKey: world.key });
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
    console.log(`GET /v1/tenants/{tenantId}/extensions/{extensionId}, in process, ${ROUNDS} rounds × ${REQUESTS} requests each way`);
    console.log(`  guarded   (auth + permission + tenant gate): median ${median(guardedUs).toFixed(1)} µs/request`);
    console.log(`  unguarded (fixed principal, no checks):      median ${median(unguardedUs).toFixed(1)} µs/request`);
    console.log(`  auth overhead ratio ${ratio.toFixed(3)} (budget ${BUDGET.toFixed(2)}; rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}): ${ratio <= BUDGET ? 'PASS' : 'FAIL'}`);
    if (ratio > BUDGET) exitCode = 1;
  } finally {
    apis.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
