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
// Inside: check that `ip -o addr` lists only `lo`, then run vitest and pass its exit code through.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { locateChromium } from './locate-chromium.mjs';

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

/** @param {string[]} extraArgs */
function inside(extraArgs) {
  const names = interfaceNames();
  if (names.length !== 1 || names[0] !== 'lo') {
    log(`refusing to run: the namespace has interfaces ${names.join(', ')}, expected only lo`);
    return 1;
  }
  log('inside a loopback-only network namespace (ip -o addr: lo only)');
  return runVitest(extraArgs, { ...process.env, HIGHRISE_LOOPBACK_NAMESPACE: '1' });
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
  process.exit(args[0] === INSIDE ? inside(args.slice(1)) : await outside(args));
} catch (error) {
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
