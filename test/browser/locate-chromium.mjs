// Finds the Chromium the browser suite drives, in the order DESIGN.md (Testing) gives:
// CHROME_PATH, Debian's /usr/bin/chromium (installed with apt when absent and we are root on
// Debian), then @sparticuz/chromium if it happens to be installed. Plain JS so the namespace
// runner can call it before any TypeScript tooling starts.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

function isDebian() {
  try {
    return /^ID(_LIKE)?=.*debian/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs Debian's chromium when it is absent and we may (root on Debian). Must run outside the
 * loopback namespace: apt needs to reach its mirror.
 * @param {(line: string) => void} [log]
 * @returns {boolean} whether /usr/bin/chromium exists afterwards
 */
export function installSystemChromium(log = console.error) {
  if (existsSync(SYSTEM_CHROMIUM)) return true;
  if (!isRoot() || !isDebian()) return false;
  log('browser tests: /usr/bin/chromium is missing; installing it with apt-get');
  const apt = spawnSync('sh', ['-c', 'apt-get update && apt-get install -y chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt.status !== 0) log(`browser tests: apt-get install chromium failed (exit ${apt.status})`);
  return existsSync(SYSTEM_CHROMIUM);
}

/**
 * @param {{ install?: boolean }} [options] install: allow the apt-get step (outside the namespace only)
 * @returns {Promise<{ path: string, source: 'CHROME_PATH' | 'system' | '@sparticuz/chromium' }>}
 */
export async function locateChromium({ install = false } = {}) {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, source: 'CHROME_PATH' };
  }
  if (existsSync(SYSTEM_CHROMIUM) || (install && installSystemChromium())) {
    return { path: SYSTEM_CHROMIUM, source: 'system' };
  }
  const sparticuz = await importOptional('@sparticuz/chromium');
  if (sparticuz) return { path: await sparticuz.default.executablePath(), source: '@sparticuz/chromium' };
  throw new Error(
    'No Chromium found for the browser tests. Set CHROME_PATH, install Debian\'s chromium ' +
      '(apt-get install -y chromium), or install @sparticuz/chromium.',
  );
}

/** @param {string} name */
async function importOptional(name) {
  try {
    return await import(/* @vite-ignore */ name);
  } catch {
    return undefined;
  }
}
