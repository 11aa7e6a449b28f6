#!/usr/bin/env node
// Runs the browser suite (`vitest run --project browser`) inside a network namespace that has
// only the loopback interface, so Chromium gathers 127.0.0.1 ICE candidates and no packet of a
// test can leave the machine. DESIGN.md (Testing) explains why: outside such a namespace
// Chromium offers only the machine's other interfaces.
//
//   node test/browser/run-in-loopback-namespace.mjs [extra vitest args]
//
// Outside: make sure Chromium is installed (apt needs the network), then re-run this script
// inside `unshare -n` (root) or `unshare -rn` (user namespaces) with `--inside`.
// Inside: check that `ip -o addr` lists only `lo`, bridge 127.0.0.1:5432 to the machine's
// PostgreSQL (its Unix socket, see postgres-bridge.mjs) when there is one, then run vitest and
// pass its exit code through.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { locateChromium } from './locate-chromium.mjs';
import { DEFAULT_POSTGRES_SOCKET } from './postgres-bridge.mjs';

const self = fileURLToPath(import.meta.url);
const INSIDE = '--inside';
const args = process.argv.slice(2);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** @param {string} line */
function log(line) {
  console.error(`[browser-tests] ${line}`);
}

/** @param {string[]} extraArgs @param {NodeJS.ProcessEnv} env @returns {number} */
function runVitest(extraArgs, env) {
  const result = spawnSync('npx', ['vitest', 'run', '--project', 'browser', ...extraArgs], { stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Interface names from `ip -o addr`, e.g. ['lo']. */
function interfaceNames() {
  const out = spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ip -o addr failed: ${out.stderr}`);
  return [...new Set(out.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/)[1]))];
}

/**
 * The browser suite through Kamailio needs PostgreSQL, which listens on the root namespace's
 * loopback: a bridge process (vitest runs synchronously here) listens on the namespace's
 * 127.0.0.1:5432 and pipes to the server's Unix socket. Returns its stop function, or undefined
 * when this machine has no such socket (then the PostgreSQL cases fail saying so).
 * @returns {Promise<(() => void) | undefined>}
 */
async function startPostgresBridge() {
  const socketPath = process.env.HIGHRISE_POSTGRES_SOCKET ?? DEFAULT_POSTGRES_SOCKET;
  if (!existsSync(socketPath)) {
    log(`no PostgreSQL socket at ${socketPath}: suites that need PostgreSQL will fail (set HIGHRISE_POSTGRES_SOCKET)`);
    return undefined;
  }
  const bridge = spawn(process.execPath, [fileURLToPath(new URL('./postgres-bridge.mjs', import.meta.url)), socketPath, '5432'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([once(bridge.stdout, 'data'), once(bridge, 'exit').then(() => [''])]);
  if (!String(line).includes('listening')) throw new Error('the PostgreSQL bridge did not start');
  log(`PostgreSQL bridged into the namespace: 127.0.0.1:5432 -> ${socketPath}`);
  return () => bridge.kill();
}

/** @param {string[]} extraArgs */
async function inside(extraArgs) {
  const names = interfaceNames();
  if (names.length !== 1 || names[0] !== 'lo') {
    log(`refusing to run: the namespace has interfaces ${names.join(', ')}, expected only lo`);
    return 1;
  }
  log('inside a loopback-only network namespace (ip -o addr: lo only)');
  const stopBridge = await startPostgresBridge();
  try {
    return runVitest(extraArgs, { ...process.env, HIGHRISE_LOOPBACK_NAMESPACE: '1' });
  } finally {
    stopBridge?.();
  }
}

/** The unshare command line for this user, or undefined when namespaces are not available here. */
function namespaceCommand() {
  const unshareArgs = isRoot ? ['-n'] : ['-rn'];
  const probe = spawnSync('unshare', [...unshareArgs, 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return undefined;
  return unshareArgs;
}

/** @param {string[]} extraArgs */
async function outside(extraArgs) {
  const browser = await locateChromium({ install: true });
  log(`Chromium: ${browser.path} (${browser.source})`);
  const unshareArgs = namespaceCommand();
  if (!unshareArgs) {
    if (process.env.CI) {
      log('FAILED: cannot create a loopback-only network namespace (unshare -n / unshare -rn).');
      log('CI must run the browser suite in the namespace so media stays on 127.0.0.1; aborting.');
      return 1;
    }
    log('WARNING: unshare is not available here; running the browser suite directly.');
    log('WARNING: media may use this machine\'s other interfaces, and the 127.0.0.1 check is relaxed.');
    return runVitest(extraArgs, process.env);
  }
  const script = 'ip link set lo up && exec "$@"';
  const result = spawnSync(
    'unshare',
    [...unshareArgs, 'sh', '-c', script, 'sh', process.execPath, self, INSIDE, ...extraArgs],
    { stdio: 'inherit', env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? browser.path } },
  );
  if (result.error) throw result.error;
  return result.status ?? 1;
}

try {
  process.exit(args[0] === INSIDE ? await inside(args.slice(1)) : await outside(args));
} catch (error) {
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
