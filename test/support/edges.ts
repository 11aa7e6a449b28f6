/**
 * "An edge" for a SIP suite (issue 10): the same test code runs against the embedded edge of a
 * platform on port 0, or against Kamailio 5.6 rendered by `highrise kamailio-config` in front of a
 * platform on PostgreSQL. A test speaks SIP to `edge.wsUrl` and provisions through `edge.tp` only.
 *
 * The Kamailio variant needs PostgreSQL, so it runs in the `integration-postgres` project (where
 * every platform is on PostgreSQL anyway); `edgeKinds()` says which edges the current project runs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { PlatformOptions } from '@highrise/platform';
import { startTestPlatform, type TestPlatform } from './platform';
import { createTestPostgresDatabase, testStoreIsPostgres, type TestPostgresDatabase } from './postgres';
import { freePort, KAMAILIO_BIN, startKamailio, type RunningKamailio } from './kamailio';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../packages/platform/dist/cli.js', import.meta.url));

export type EdgeKind = 'embedded' | 'kamailio';

/** The edges this project runs: Kamailio only where the platform is on PostgreSQL (integration-postgres). */
export function edgeKinds(): EdgeKind[] {
  return testStoreIsPostgres() ? ['embedded', 'kamailio'] : ['embedded'];
}

export interface KamailioNode {
  wsUrl: string;
  kamailio: RunningKamailio;
  stop(): Promise<void>;
}

export interface TestEdge {
  kind: EdgeKind;
  /** Where phones connect: the platform's own WebSocket, or Kamailio's. */
  wsUrl: string;
  tp: TestPlatform;
  /** The platform's database URL (Kamailio variant only). */
  databaseUrl: string | undefined;
  /** Kamailio's log so far ('' on the embedded edge), for a failing test to print. */
  log(): string;
  /** Another Kamailio node on the same database and platform (Kamailio variant only). */
  addKamailioNode(): Promise<KamailioNode>;
  close(): Promise<void>;
}

/**
 * Renders `highrise kamailio-config` for `databaseUrl` and starts Kamailio on a free loopback port.
 * Several nodes rendered for one database share its secrets (the settings table). Each node has its
 * own address (127.0.0.N on loopback), as in a real deployment: a node recognises its own Path by host.
 */
export async function startKamailioNode(databaseUrl: string, platformUrls: string | string[], host = '127.0.0.1', listenPort?: number, configArgs: string[] = []): Promise<KamailioNode> {
  if (!existsSync(KAMAILIO_BIN)) throw new Error(`${KAMAILIO_BIN} is missing: apt-get install kamailio kamailio-websocket-modules kamailio-postgres-modules … (see .ci/run)`);
  if (!existsSync(cli)) throw new Error('packages/platform/dist/cli.js is missing: npm run build');
  const outDir = mkdtempSync(join(tmpdir(), 'highrise-edge-kamailio-'));
  try {
    // A port chosen beforehand lets a platform name the node in its tokens before the node exists.
    const port = listenPort ?? (await freePort(host));
    const debug = process.env.KAMAILIO_DEBUG ? ['--debug', process.env.KAMAILIO_DEBUG] : [];
    const platforms = (Array.isArray(platformUrls) ? platformUrls : [platformUrls]).flatMap((url) => ['--platform-url', url]);
    await run(process.execPath, [cli, 'kamailio-config', '--database-url', databaseUrl, ...platforms, '--listen', `${host}:${port}`, '--out', outDir, ...debug, ...configArgs], { timeout: 30_000 });
    const kamailio = await startKamailio(join(outDir, 'kamailio.cfg'), port, 20_000, host);
    return {
      wsUrl: `ws://${host}:${port}/`,
      kamailio,
      async stop() {
        await kamailio.stop();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A platform (started like startTestPlatform) and the edge its phones talk to. `kamailioArgs` go to
 * `highrise kamailio-config` for every Kamailio node (e.g. a short `--dialog-keepalive`).
 */
export async function startEdge(kind: EdgeKind, name: string, options: PlatformOptions = {}, kamailioArgs: string[] = []): Promise<TestEdge> {
  if (kind === 'embedded') {
    const tp = await startTestPlatform(name, options);
    return { kind, wsUrl: tp.platform.wsUrl, tp, databaseUrl: tp.store.databaseUrl, log: () => '', addKamailioNode: () => Promise.reject(new Error('the embedded edge has no Kamailio nodes')), close: () => tp.close() };
  }
  // Outside integration-postgres the platform would be on SQLite, which Kamailio cannot read.
  let own: TestPostgresDatabase | undefined;
  if (!testStoreIsPostgres()) own = await createTestPostgresDatabase();
  const tp = await startTestPlatform(name, { ...options, ...(own ? { databaseUrl: own.url } : {}) });
  const databaseUrl = own?.url ?? tp.store.databaseUrl!;
  const nodes: KamailioNode[] = [];
  const close = async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await tp.close();
    await own?.drop();
  };
  const addKamailioNode = async () => {
    const node = await startKamailioNode(databaseUrl, tp.platform.url, `127.0.0.${nodes.length + 1}`, undefined, kamailioArgs);
    nodes.push(node);
    return node;
  };
  try {
    const first = await addKamailioNode();
    return { kind, wsUrl: first.wsUrl, tp, databaseUrl, log: () => first.kamailio.log(), addKamailioNode, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The channels the Kamailio nodes hold for a tenant in the shared count (migration 0020), leased or not. */
export async function channelRows(edge: TestEdge, tenantId: string): Promise<number> {
  const client = new pg.Client({ connectionString: edge.databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('SELECT COUNT(*) AS n FROM kamailio_channels WHERE tenant_id = $1', [tenantId])).rows[0].n);
  } finally {
    await client.end();
  }
}
