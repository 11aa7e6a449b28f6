// The Kamailio edge's cost (issue 10): in one run, on one fresh PostgreSQL database, the same SIP
// load (bench/sip.mjs's generator: 100 WebSocket connections, every REGISTER challenged and answered
// with digest, then INVITE→180 between registered phones) goes through
//   (a) Highrise-on-Kamailio: the platform on PostgreSQL and Kamailio rendered by
//       `highrise kamailio-config` (tenant wall, limits, routing asked of the platform per INVITE),
//   (b) a bare Kamailio: websocket, auth_db on the same subscriber view, usrloc in the same
//       database, plain lookup and relay, no calls to the platform,
//   (c) our embedded edge (the same platform process's /sip).
// Both Kamailios run with the same number of children. Budget (issue 10): (a) keeps at least 75 % of
// (b)'s REGISTER rates (first registration and refresh); calls/s and INVITE→180 latency are printed
// with their ratios. A target that loses calls fails, and its call figures are compared with nothing. CPU of every process (the load generator's included) is printed per target, so a
// saturated generator shows. Loopback only; every phase bounded in count and time.
import { fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subscribe } from 'node:diagnostics_channel';
import pg from 'pg';

// Fewer phones than bench/sip.mjs by default: each is provisioned through the API on PostgreSQL.
process.env.BENCH_SIP_REGISTRATIONS ??= '2000';
const { CONNECTIONS, KEY, REGISTRATIONS, PACED_RATE, BURST_CONCURRENCY, frames, provision, runLoad } = await import('./sip.mjs');

const KAMAILIO_BIN = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';
const SERVER_URL = process.env.HIGHRISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The same for both Kamailios; about one worker per core plus one waiting on the database. */
const CHILDREN = Number(process.env.BENCH_KAMAILIO_CHILDREN ?? 4);
const BUDGET = 0.75;
/** Where an INVITE's time goes in Highrise-on-Kamailio (timestamps in the cfg and the platform); printed after the figures. */
const PROFILE = Boolean(process.env.BENCH_KAMAILIO_PROFILE);
/** Shared and per-process memory of each Kamailio, in MiB (the same for both). */
const SHM_MB = process.env.BENCH_KAMAILIO_SHM_MB ?? '256';
const PKG_MB = process.env.BENCH_KAMAILIO_PKG_MB ?? '16';
/** Kamailio's memory manager (`-x`: qm, fm or tlsf), the same for both; unset: Kamailio's default (qm). */
const MEM_MANAGER = process.env.BENCH_KAMAILIO_MEM_MANAGER;
const DEADLINE_MS = 600_000;
const cli = fileURLToPath(new URL('../packages/platform/dist/cli.js', import.meta.url));
const TICK = 100; // USER_HZ on Linux

// ---------------------------------------------------------------------------------------------
// The platform (a child process, so its CPU is its own)

async function runPlatform() {
  const { startPlatform } = await import('../packages/platform/dist/index.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'highrise-bench-kamailio-'));
  const platform = await startPlatform({ port: 0, dataDir, bootstrapKey: KEY, databaseUrl: process.env.BENCH_DATABASE_URL });
  // The routing endpoint's own time, from its request's first byte parsed to its response finished
  // (no connection set-up, no Kamailio): with BENCH_KAMAILIO_PROFILE, reported with the stages.
  const routeTimes = [];
  if (PROFILE) {
    const started = new WeakMap();
    subscribe('http.server.request.start', ({ request }) => started.set(request, performance.now()));
    subscribe('http.server.response.finish', ({ request }) => {
      if (request.url === '/internal/sip/route' && started.has(request)) routeTimes.push(performance.now() - started.get(request));
    });
  }
  process.on('message', async (message) => {
    if (message === 'route-times') process.send({ routeTimes: routeTimes.splice(0) });
    if (message === 'rss') process.send({ rss: process.memoryUsage().rss });
    if (message === 'close') {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ url: platform.url, wsUrl: platform.wsUrl });
}

function startPlatformChild(databaseUrl) {
  const child = fork(fileURLToPath(import.meta.url), ['--platform'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BENCH_DATABASE_URL: databaseUrl } });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`platform child exited with ${code}`)));
    child.once('message', (info) =>
      resolve({
        info,
        pids: () => [child.pid],
        rss: () =>
          new Promise((done) => {
            child.once('message', (m) => done(m.rss));
            child.send('rss');
          }),
        routeTimes: () =>
          new Promise((done) => {
            child.once('message', (m) => done(m.routeTimes));
            child.send('route-times');
          }),
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', done);
            child.send('close');
            setTimeout(() => child.kill(), 5000).unref();
          }),
      }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Kamailio

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Kamailio in the foreground, stopped by its own pid; its log is kept for a failure. */
async function startKamailio(configPath, port) {
  const check = spawnSync(KAMAILIO_BIN, ['-c', '-f', configPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`kamailio -c -f ${configPath}:\n${check.stdout}${check.stderr}`);
  // The same memory for both Kamailios, more than the 64 MiB default: a bare Kamailio under the
  // burst ran out of shared memory with it (tm: out of mem), and lost calls for that alone.
  const child = spawn(KAMAILIO_BIN, ['-f', configPath, '-DD', '-E', '-m', SHM_MB, '-M', PKG_MB, ...(MEM_MANAGER ? ['-x', MEM_MANAGER] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  // BENCH_KAMAILIO_LOG_FILE keeps the whole log; otherwise its tail, printed on a failure.
  const file = process.env.BENCH_KAMAILIO_LOG_FILE;
  const stages = [];
  const keep = (chunk) => {
    const text = chunk.toString();
    log = (log + text).slice(-20_000);
    if (file) appendFileSync(file, chunk);
    if (PROFILE) for (const [, stage, us] of text.matchAll(/kperf (\w+) (-?\d+)/g)) stages.push([stage, Number(us)]);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let gone = false;
  const exited = new Promise((resolve) => child.once('exit', () => resolve((gone = true))));
  const started = Date.now();
  while (!(await accepts(port))) {
    if (gone || Date.now() - started > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`kamailio did not listen on ${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    info: { wsUrl: `ws://127.0.0.1:${port}/` },
    pids: () => descendants(child.pid),
    rss: async () => descendants(child.pid).reduce((sum, pid) => sum + rssOf(pid), 0),
    log: () => log,
    stages: () => stages.splice(0),
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The bare baseline: what any Kamailio doing SIP over WebSocket with digest against this database
 * does, and nothing more (no tenant wall, no limits, no dialog tracking, no routing decision).
 */
function bareConfig({ databaseUrl, port, runDir }) {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=${CHILDREN}
tcp_children=${CHILDREN}
auto_aliases=no
listen=tcp:127.0.0.1:${port}
rundir="${runDir}"
enable_tls=no
disable_sctp=yes
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_max_connections=4096

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "db_postgres.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

modparam("auth", "secret", "${randomBytes(24).toString('base64url')}")
modparam("auth_db", "db_url", "${databaseUrl}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "password_column_2", "ha1b")
modparam("auth_db", "use_domain", 1)
modparam("usrloc", "db_url", "${databaseUrl}")
modparam("usrloc", "db_mode", 3)
modparam("usrloc", "use_domain", 1)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", 0)

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (nat_uac_test("64")) {
		force_rport();
		if (is_method("REGISTER")) fix_nated_register(); else add_contact_alias();
	}
	if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
	if (has_totag()) {
		if (loose_route()) {
			if ($(ru{uri.param,alias}) != "") handle_ruri_alias();
			t_relay();
		} else if (is_method("ACK")) {
			if (t_check_trans()) t_relay();
		} else sl_send_reply("404", "Not Here");
		exit;
	}
	if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
	t_check_trans();
	if (is_method("REGISTER")) {
		if (!auth_check("$fd", "subscriber", "1")) { auth_challenge("$fd", "1"); exit; }
		consume_credentials();
		if (!save("location")) sl_reply_error();
		exit;
	}
	if (!auth_check("$fd", "subscriber", "0")) { auth_challenge("$fd", "1"); exit; }
	consume_credentials();
	record_route();
	if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
	t_relay();
}

onreply_route {
	if (nat_uac_test("64")) add_contact_alias();
}

event_route[xhttp:request] {
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) exit;
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;
}

// ---------------------------------------------------------------------------------------------
// Profiling (BENCH_KAMAILIO_PROFILE): timestamps around each stage of an authenticated INVITE in
// the rendered cfg, logged as `kperf <stage> <µs>`; $TV is the clock now, not the message's.

// $TV(Sn) is the clock now ("sec.usec"; $TV(s) and $TV(u) are the message's, cached), cut in two.
const mark = (v) => `$var(kpt) = $TV(Sn); $var(${v}s) = $(var(kpt){s.select,0,.}{s.int}); $var(${v}u) = $(var(kpt){s.select,1,.}{s.int});`;
const since = (v) => `$var(kpt) = $TV(Sn); $var(kpd) = (($(var(kpt){s.select,0,.}{s.int}) - $var(${v}s)) * 1000000) + ($(var(kpt){s.select,1,.}{s.int}) - $var(${v}u));`;
const log = (stage) => `xlog("L_ERR", "kperf ${stage} $var(kpd)\\n");`;
function profiled(cfg) {
  const edits = [
    ['request_route {\n', `request_route {\n\t${mark('kp0')}\n`],
    ['\troute(AUTH);\n', `\t${mark('kp')}\n\troute(AUTH);\n\tif (is_method("INVITE")) { ${since('kp')} ${log('auth')} }\n`],
    ['\tif (!is_method("REGISTER")) route(TENANT);\n', `\t${mark('kp')}\n\tif (!is_method("REGISTER")) route(TENANT);\n\tif (is_method("INVITE")) { ${since('kp')} ${log('tenant')} }\n`],
    ['\t\troute(CHANNELS);\n', `\t\t${mark('kp')}\n\t\troute(CHANNELS);\n\t\t${since('kp')} ${log('channels')}\n`],
    ['\troute(PLATFORM_POST);\n\t$var(code) = $var(post_code);\n', `\t${mark('kp')}\n\troute(PLATFORM_POST);\n\t${since('kp')} ${log('http')}\n\t${mark('kp')}\n\t$var(code) = $var(post_code);\n`],
    ['\t\t\tif (!lookup_branches("location")) {\n', `\t\t\t${since('kp')} ${log('decision')}\n\t\t\t${mark('kp')}\n\t\t\tif (!lookup_branches("location")) {\n`],
    // The answered call's end: its channel's release and record, one statement (route CALL_END).
    ['\t\troute(CALL_END);\n\t} else route(RELEASE_CHANNEL);\n', `\t\t${mark('kpe')}\n\t\troute(CALL_END);\n\t\t${since('kpe')} ${log('bye_dialog_end')}\n\t} else route(RELEASE_CHANNEL);\n`],
    ['route[RELAY] {\n', `route[RELAY] {\n\tif (is_method("INVITE") && !has_totag()) { ${since('kp')} ${log('lookup')} ${since('kp0')} ${log('request_route')} }\n`],
  ];
  for (const [from, to] of edits) {
    if (!cfg.includes(from)) throw new Error(`BENCH_KAMAILIO_PROFILE: the cfg has no ${JSON.stringify(from)}`);
    cfg = cfg.replace(from, to);
  }
  return cfg;
}

/** p50/p90/p99 of each stage, in ms. */
function printProfile(stages, routeTimes) {
  const byStage = new Map();
  for (const [stage, us] of stages) if (us >= 0) byStage.set(stage, [...(byStage.get(stage) ?? []), us / 1000]);
  byStage.set('platform handling (route)', routeTimes);
  console.log('\nprofile, highrise-kamailio authenticated INVITE (ms)      n     p50     p90     p99');
  for (const [stage, values] of byStage) {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2) : '-');
    console.log(`  ${stage.padEnd(50)} ${String(sorted.length).padStart(6)} ${at(50).padStart(7)} ${at(90).padStart(7)} ${at(99).padStart(7)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// CPU and memory from /proc

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(name);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** Ticks per pid: a process that started during the run counts in full, one that ended is lost. */
const ticksByPid = (pids) => new Map(pids.map((pid) => [pid, statOf(pid)?.ticks ?? 0]));

/** The PostgreSQL backends serving this database (their process title names it). */
function backendsOf(database) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(` ${database} `)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** CPU seconds of each process group over `work`, and the wall time. */
async function measured(groups, work) {
  const before = Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, ticksByPid(f())]));
  const self = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = {};
  for (const [k, f] of Object.entries(groups)) {
    let ticks = 0;
    for (const [pid, now] of ticksByPid(f())) ticks += now - (before[k].get(pid) ?? 0);
    cpu[k] = ticks / TICK;
  }
  const used = process.cpuUsage(self);
  cpu.generator = (used.user + used.system) / 1e6;
  return { ...result, seconds, cpu };
}

/** BENCH_SIP_FRAMES: the generator's frames and bytes per completed call in the burst, and one call's frames. */
async function framesOf(label, work) {
  if (!frames.on) return work();
  const before = { ...frames };
  frames.sample = null;
  frames.trace = [];
  const result = await work();
  const d = (k) => frames[k] - before[k];
  console.log(`frames ${label}: in ${d('in')} (${d('inBytes')} B), out ${d('out')} (${d('outBytes')} B)`);
  console.log(`frames ${label}, one call:\n${frames.trace.join('\n')}`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  const deadline = setTimeout(() => {
    console.error(`FAIL kamailio: over the ${DEADLINE_MS / 1000} s deadline`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  if (!existsSync(KAMAILIO_BIN)) throw new Error(`${KAMAILIO_BIN} is missing: apt-get install kamailio kamailio-websocket-modules kamailio-postgres-modules … (deploy/kamailio/README.md)`);
  if (!existsSync(cli)) throw new Error('packages/platform/dist is missing: npm run build');

  const name = `highrise_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = new pg.Client({ connectionString: databaseUrl });
  const outDir = mkdtempSync(join(tmpdir(), 'highrise-bench-kamailio-'));
  const cleanups = [];
  let failed = false;
  try {
    const platform = await startPlatformChild(databaseUrl);
    cleanups.push(() => platform.stop());
    await db.connect();
    const postgres = () => backendsOf(name);
    const tenants = await provision(platform.info.url, { slugPrefix: 'kbench' });

    // (a) Highrise-on-Kamailio, rendered by the CLI as a deployment would.
    const highrisePort = await freePort();
    const highriseDir = join(outDir, 'highrise');
    const rendered = spawnSync(process.execPath, [cli, 'kamailio-config', '--database-url', databaseUrl, '--platform-url', platform.info.url, '--listen', `127.0.0.1:${highrisePort}`, '--out', highriseDir, '--children', String(CHILDREN), '--pike-density', '1000000', ...(process.env.BENCH_KAMAILIO_DEBUG ? ['--debug', process.env.BENCH_KAMAILIO_DEBUG] : [])], { encoding: 'utf8' });
    if (rendered.status !== 0) throw new Error(`kamailio-config failed:\n${rendered.stdout}${rendered.stderr}`);
    if (PROFILE) writeFileSync(join(highriseDir, 'kamailio.cfg'), profiled(readFileSync(join(highriseDir, 'kamailio.cfg'), 'utf8')), { mode: 0o600 });
    const runs = [];
    let profile;
    const kamailioRun = async (label, configPath, port) => {
      const kamailio = await startKamailio(configPath, port);
      try {
        const groups = { kamailio: kamailio.pids, platform: platform.pids, postgres };
        runs.push(await measured(groups, () => runLoad(kamailio, tenants, label, { measureBurst: (work) => measured(groups, () => framesOf(label, work)) })));
        if (PROFILE && label === 'highrise-kamailio') profile = [kamailio.stages(), await platform.routeTimes()];
      } catch (error) {
        console.error(`--- ${label} log (tail) ---\n${kamailio.log().slice(-4000)}`);
        throw error;
      } finally {
        await kamailio.stop();
        // Registrations live in the shared table: the next edge starts from none.
        await db.query('DELETE FROM location');
        // And the next finds the table as this one did, not full of the dead rows it left.
        await db.query('VACUUM ANALYZE location');
      }
    };
    await kamailioRun('highrise-kamailio', join(highriseDir, 'kamailio.cfg'), highrisePort);

    // (b) bare Kamailio on the same database.
    const barePort = await freePort();
    const bareDir = join(outDir, 'bare');
    rmSync(bareDir, { recursive: true, force: true });
    const runDir = join(bareDir, 'run');
    spawnSync('mkdir', ['-p', runDir]);
    const bareKamailioUrl = `postgres://${url.username || 'postgres'}${url.password ? `:${url.password}` : ''}@${url.hostname}:${url.port || 5432}/${name}`;
    writeFileSync(join(bareDir, 'kamailio.cfg'), bareConfig({ databaseUrl: bareKamailioUrl, port: barePort, runDir }), { mode: 0o600 });
    await kamailioRun('bare-kamailio', join(bareDir, 'kamailio.cfg'), barePort);

    // (c) our embedded edge, the same platform process.
    const edgeGroups = { kamailio: () => [], platform: platform.pids, postgres };
    runs.push(await measured(edgeGroups, () => runLoad(platform, tenants, 'embedded-edge', { measureBurst: (work) => measured(edgeGroups, work) })));

    failed = report(runs);
    if (profile) printProfile(...profile);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await db.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => console.error(`drop ${name}: ${e.message}`));
    await admin.end();
    rmSync(outDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

function report([highrise, bare, edge]) {
  const ms = (v) => `${v.toFixed(2)} ms`;
  const col = (v) => String(v).padStart(17);
  const row = (label, f) => console.log(`${label.padEnd(38)}${col(f(highrise))}${col(f(bare))}${col(f(edge))}`);
  const failuresOf = (r) => Object.entries(r.failures).map(([kind, n]) => `${n}× ${kind}`).join(', ') || 'none';
  console.log(`\n${REGISTRATIONS} phones, ${CONNECTIONS} WebSocket connections, Kamailio children=${CHILDREN} shm ${SHM_MB} MiB, load average ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  console.log(`${''.padEnd(38)}${col('highrise-kamailio')}${col('bare kamailio')}${col('embedded edge')}`);
  row('registrations/s (401 + digest)', (r) => r.registrationsPerSecond.toFixed(0));
  row('digest REGISTERs/s (refresh, 1 RTT)', (r) => r.refreshesPerSecond.toFixed(0));
  row(`INVITE→180 p50 @ ${PACED_RATE} calls/s`, (r) => ms(r.paced.p50));
  row(`INVITE→180 p99 @ ${PACED_RATE} calls/s`, (r) => ms(r.paced.p99));
  row(`calls/s (${BURST_CONCURRENCY} concurrent callers)`, (r) => r.callsPerSecond.toFixed(0));
  row('INVITE→180 p50/p99 under burst', (r) => `${r.burst.p50.toFixed(1)}/${r.burst.p99.toFixed(1)}`);
  row('calls failed, paced/burst', (r) => `${r.pacedFailed}/${r.burstFailed}`);
  row('server RSS', (r) => `${(r.rss / 1024 / 1024).toFixed(0)} MiB`);
  // Share of one core over the whole run of each target: the generator near 100 % would mean it,
  // not the server, set the pace.
  for (const group of ['generator', 'kamailio', 'platform', 'postgres']) row(`CPU ${group} (% of a core)`, (r) => (r.cpu[group] ? ((100 * r.cpu[group]) / r.seconds).toFixed(0) : '-'));
  // The burst alone: what one call cost each process (the platform's includes its outbox drain), and
  // how busy each was meanwhile. On a shared machine the calls/s ratio follows the ratio of the sums.
  for (const group of ['generator', 'kamailio', 'platform', 'postgres']) {
    row(`burst CPU ${group} ms/call, % core`, (r) => (r.burstCpu.cpu[group] ? `${((1000 * r.burstCpu.cpu[group]) / r.completed).toFixed(2)}, ${((100 * r.burstCpu.cpu[group]) / r.burstCpu.seconds).toFixed(0)}%` : '-'));
  }
  row('burst CPU all ms/call', (r) => ((1000 * Object.values(r.burstCpu.cpu).reduce((a, b) => a + b, 0)) / r.completed).toFixed(2));
  for (const r of [highrise, bare, edge]) console.log(`failed calls, ${r.name}: ${failuresOf(r)}`);

  // The verdicts. A target that lost calls did less work than the load asked for: its calls/s and
  // latency compare nothing, and a bare Kamailio that answers 404 must not flatter the ratio.
  let failed = false;
  const verdict = (ok, text) => {
    console.log(`${ok ? 'PASS' : 'FAIL'} kamailio: ${text}`);
    failed ||= !ok;
  };
  const lost = (r) => (r.failedCalls ? `${r.name} lost ${r.failedCalls} calls (${failuresOf(r)})` : undefined);
  for (const r of [highrise, bare, edge]) if (lost(r)) verdict(false, `${lost(r)}: its call figures compare nothing`);
  const callsComparable = !highrise.failedCalls && !bare.failedCalls;
  const budget = (label, key) => {
    const ratio = highrise[key] / bare[key];
    verdict(ratio >= BUDGET, `${label}, highrise-kamailio / bare: ${ratio.toFixed(2)}x (≥ ${BUDGET.toFixed(2)}x; ${highrise[key].toFixed(0)} vs ${bare[key].toFixed(0)}/s)`);
  };
  budget('registrations/s (401 + digest)', 'registrationsPerSecond');
  budget('digest REGISTERs/s (refresh)', 'refreshesPerSecond');
  // Issue 10 budgets the REGISTER rates. Calls/s carries the per-INVITE policy (the platform's
  // decision, dialog tracking, a channel across nodes, a durable record at the BYE), which a bare
  // relay does none of: reported against the 0.75x we aimed for, not a verdict
  // (docs/decisions/2026-12-02-kamailio-policy-cost.md, "Calls/s: where it stands").
  const callsRatio = highrise.callsPerSecond / bare.callsPerSecond;
  console.log(`INFO kamailio: calls/s (${BURST_CONCURRENCY} concurrent callers), highrise-kamailio / bare: ${callsComparable ? `${callsRatio.toFixed(2)}x (${callsRatio >= BUDGET ? 'at or above' : 'below'} the ${BUDGET.toFixed(2)}x aimed for; ${highrise.callsPerSecond.toFixed(0)} vs ${bare.callsPerSecond.toFixed(0)}/s)` : 'not comparable, calls were lost'}`);
  // Latency has no budget in the issue: reported with its ratio, so a change shows.
  console.log(`INFO kamailio: INVITE→180 p50 @ ${PACED_RATE} calls/s, highrise-kamailio / bare: ${(highrise.paced.p50 / bare.paced.p50).toFixed(2)}x (${ms(highrise.paced.p50)} vs ${ms(bare.paced.p50)}); p99 ${(highrise.paced.p99 / bare.paced.p99).toFixed(2)}x`);
  console.log(`INFO kamailio: embedded edge / bare kamailio: registrations ${(edge.registrationsPerSecond / bare.registrationsPerSecond).toFixed(2)}x, refreshes ${(edge.refreshesPerSecond / bare.refreshesPerSecond).toFixed(2)}x, calls/s ${(edge.callsPerSecond / bare.callsPerSecond).toFixed(2)}x, INVITE→180 p50 ${(edge.paced.p50 / bare.paced.p50).toFixed(2)}x (${ms(edge.paced.p50)})`);
  return failed;
}

if (process.argv[2] === '--platform') await runPlatform();
else await main();
