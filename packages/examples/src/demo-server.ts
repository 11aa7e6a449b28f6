// The demo as a function: the platform with the reseller site, the demo directory seeded through
// the SDK, and fresh softphone tokens for the page. `demo.ts` is the `npm start` wrapper around it;
// the browser suite starts it the same way with a temporary data directory.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform, type Platform } from '@highrise/platform';
import { AuthenticationError, Highrise } from '@highrise/sdk';
import { mintDemoPhones, type DemoConfig } from './demo-phones';
import { seedCallHistory } from './call-history';
import { seedDemo, type DemoTenant } from './seed';

const TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** Tokens are re-minted well before they expire, so a demo left running keeps working. */
const TOKEN_REFRESH_MS = 6 * 60 * 60 * 1000;

export interface DemoOptions {
  port: number;
  /** Loopback only, unless `insecurePublic`. */
  host: string;
  /**
   * Serve on a non-loopback interface anyway. The page hands softphone tokens to anyone who can
   * reach it, without asking who they are.
   */
  insecurePublic?: boolean;
  /** Holds the SQLite database and demo.json (the bootstrap key). */
  dataDir: string;
  log?: (line: string) => void;
}

export interface Demo {
  platform: Platform;
  /** The provider owner's API key. */
  bootstrapKey: string;
  tenants: DemoTenant[];
  /** What `/demo-config.json` serves right now. */
  config(): DemoConfig;
  close(): Promise<void>;
}

/** The demo asked to bind beyond loopback without the insecure flag. */
export class DemoPublicBindRefused extends Error {
  constructor(host: string) {
    super(
      `Refusing to serve the demo on ${host}: it hands softphone tokens (/demo-config.json) to anyone who can reach it, without authentication. ` +
        `Leave HIGHRISE_HOST unset to serve on 127.0.0.1, or set HIGHRISE_DEMO_INSECURE_PUBLIC=1 (or pass --insecure-public-demo) ` +
        `if everyone on that network may use the demo's phones.`,
    );
    this.name = 'DemoPublicBindRefused';
  }
}

/** `localhost`, 127.0.0.0/8 and ::1 (also as IPv4-mapped): only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return /^::ffff:127\./.test(h);
}

export class DemoKeyMismatch extends Error {
  constructor(dataDir: string) {
    super(
      `The database in ${dataDir} was created with a different bootstrap key than ${join(dataDir, 'demo.json')} holds. ` +
        `Delete ${dataDir} to start the demo from scratch.`,
    );
    this.name = 'DemoKeyMismatch';
  }
}

interface DemoState {
  bootstrapKey: string;
}

/** The bootstrap key is generated once and kept next to the database it was first used for. */
async function loadOrCreateState(dataDir: string): Promise<DemoState> {
  const file = join(dataDir, 'demo.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const state: DemoState = { bootstrapKey: `hr_test_${randomBytes(24).toString('base64url')}` };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** The directory of the one-file softphone bundle, which `npm run build` makes. */
function softphoneBundleDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@highrise/softphone/bundle'));
  } catch {
    throw new Error('The softphone bundle (packages/softphone/dist/highrise-softphone.js) is not built: run `npm run build` first.');
  }
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  // Before anything is written or bound.
  if (!isLoopbackHost(options.host) && !options.insecurePublic) throw new DemoPublicBindRefused(options.host);
  const state = await loadOrCreateState(options.dataDir);
  const siteRoot = fileURLToPath(new URL('../site/', import.meta.url));
  const softphoneDist = softphoneBundleDir();

  // Tokens are secrets and this file hands them to anyone who can reach the port: fine for a
  // local demo bound to 127.0.0.1. A real reseller mints one token per signed-in user on its backend.
  let config: DemoConfig = { reseller: '', phones: [] };
  const platform = await startPlatform({
    port: options.port,
    host: options.host,
    dataDir: options.dataDir,
    bootstrapKey: state.bootstrapKey,
    // A demo visitor tries webhooks with a receiver on this machine; never the platform's default.
    webhooks: { allowPrivateDestinations: true },
    // The demo's port orders complete by themselves; a real platform has no carrier unless one is configured.
    porting: { carrier: 'simulated' },
    site: {
      root: siteRoot,
      mounts: { '/softphone/': softphoneDist },
      files: { '/demo-config.json': () => JSON.stringify(config) },
    },
    ...(options.log ? { log: options.log } : {}),
  });

  const hr = new Highrise({ baseUrl: platform.url, apiKey: state.bootstrapKey });
  let tenants: DemoTenant[];
  try {
    tenants = await seedDemo(hr);
    const seeded = await seedCallHistory(options.dataDir, tenants);
    if (seeded > 0) options.log?.(`seeded ${seeded} call records of the last weeks for the console's charts`);
    config = await mintDemoPhones(hr, tenants, TOKEN_TTL_SECONDS);
  } catch (e) {
    await platform.close();
    throw e instanceof AuthenticationError ? new DemoKeyMismatch(options.dataDir) : e;
  }

  const refresh = setInterval(() => {
    mintDemoPhones(hr, tenants, TOKEN_TTL_SECONDS).then(
      (fresh) => void (config = fresh),
      (e: unknown) => options.log?.(`could not refresh the demo tokens: ${String(e)}`),
    );
  }, TOKEN_REFRESH_MS);
  refresh.unref();

  return {
    platform,
    bootstrapKey: state.bootstrapKey,
    tenants,
    config: () => config,
    close: async () => {
      clearInterval(refresh);
      await platform.close();
    },
  };
}
