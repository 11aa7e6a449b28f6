/**
 * `highrise kamailio-config`: renders the Kamailio edge's configuration for a deployment whose
 * platform runs on PostgreSQL (docs/decisions/2026-12-01-kamailio-edge.md). The secrets it renders
 * are kept in the platform's settings, so every node renders the same ones and the platform mints
 * softphone credentials with the same key.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from './store/db/connect';
import { schemaVersion } from './store/db/migrate';
import { UsageError } from './cli-command';
import { KamailioConfigError, kamailioDatabaseUrl, parseListen, readTemplate, renderDispatcherList, renderKamailioConfig, type KamailioSecrets } from './kamailio/render';
import { kamailioEdge } from './store/migrations/0012_kamailio_edge';
import { EDGE_SECRET_SETTING } from './domain/sip-route-decision';
import { EPHEMERAL_SECRET_SETTING } from './domain/edge-credentials';

export const KAMAILIO_USAGE = `usage: highrise kamailio-config --database-url URL --platform-url URL [--platform-url URL …] --listen HOST:PORT --out DIR [--kamailio-database-url URL] [--sip-domain BASE] [--routing-fallback reject|location] [--debug N]

  Renders DIR/kamailio.cfg so that \`kamailio -f DIR/kamailio.cfg\` serves SIP over WebSocket at
  ws://HOST:PORT/ for every tenant domain in the database, tenants created later included.

  --database-url URL  the platform's PostgreSQL database (HIGHRISE_DATABASE_URL), migrated to 0012+
  --kamailio-database-url URL
                      the URL Kamailio itself connects with (its own restricted role, see
                      deploy/kamailio/README.md); default: --database-url
  --platform-url URL  a platform node the edge asks for routing decisions and sends call records to;
                      repeat it for each node (written to DIR/dispatcher.list: each call goes to
                      one node, and to the next when that one does not answer)
  --listen HOST:PORT  the edge's WebSocket listener
  --out DIR           where kamailio.cfg (mode 0600: it holds secrets), dispatcher.list and its run
                      directory go
  --sip-domain BASE   tenants' SIP domains are <slug>.BASE (HIGHRISE_SIP_DOMAIN, default sip.localhost);
                      must equal the platform's
  --routing-fallback reject|location
                      when the routing endpoint is unreachable: 503 (reject, the default), or dial
                      the registered AOR without the dial plan (location: tests and bring-up only)
  --children N        Kamailio's worker processes (children and tcp_children, default 4): about one
                      per core
  --pike-density N    requests per 2 s from one source address before pike drops it (default 200;
                      raise it when a balancer or a load generator sends from one address)
  --dialog-keepalive S
                      seconds between the in-dialog OPTIONS each answered call sends both parties
                      (30 to 3600, default 30)
  --dialog-keepalive-failures N
                      keepalives a party fails in a row before its call is hung up and the
                      channel given back (default 2)
  --debug N           Kamailio's log level (default 2)
`;

export interface KamailioConfigCommand {
  databaseUrl: string;
  /** What Kamailio connects with; the platform's URL when not given. */
  kamailioDatabaseUrl: string;
  /** The platform nodes, in the order given (node i is http_client connection platform_<i>). */
  platformUrls: string[];
  routingFallback: 'reject' | 'location';
  listen: { host: string; port: number };
  outDir: string;
  sipDomain: string;
  debug: number | undefined;
  children: number | undefined;
  pikeDensity: number | undefined;
  dialogKeepaliveSeconds: number | undefined;
  dialogKeepaliveFailures: number | undefined;
}

/** `argv` starts after `kamailio-config`. */
export function parseKamailioConfigCommand(argv: string[], env: NodeJS.ProcessEnv): KamailioConfigCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'database-url': { type: 'string' },
        'kamailio-database-url': { type: 'string' },
        'routing-fallback': { type: 'string' },
        'platform-url': { type: 'string', multiple: true },
        listen: { type: 'string' },
        out: { type: 'string' },
        'sip-domain': { type: 'string' },
        debug: { type: 'string' },
        children: { type: 'string' },
        'pike-density': { type: 'string' },
        'dialog-keepalive': { type: 'string' },
        'dialog-keepalive-failures': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const databaseUrl = values['database-url'] ?? env.HIGHRISE_DATABASE_URL;
  if (!databaseUrl) throw new UsageError('--database-url is required: Kamailio reads the platform from PostgreSQL');
  const platformUrls = values['platform-url'] ?? [];
  if (platformUrls.length === 0) throw new UsageError('--platform-url is required (once per platform node)');
  if (!values.listen) throw new UsageError('--listen HOST:PORT is required');
  if (!values.out) throw new UsageError('--out DIR is required');
  const sipDomain = (values['sip-domain'] ?? env.HIGHRISE_SIP_DOMAIN ?? 'sip.localhost').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(sipDomain)) throw new UsageError(`--sip-domain "${sipDomain}" is not a domain name`);
  const routingFallback = values['routing-fallback'] ?? 'reject';
  if (routingFallback !== 'reject' && routingFallback !== 'location') throw new UsageError('--routing-fallback is reject or location');
  if (values.debug !== undefined && !/^-?[0-3]$/.test(values.debug)) throw new UsageError('--debug is a Kamailio log level, -3..3');
  const count = (name: 'children' | 'pike-density' | 'dialog-keepalive' | 'dialog-keepalive-failures', max: number) => {
    const text = values[name];
    if (text === undefined) return undefined;
    if (!/^[1-9][0-9]*$/.test(text) || Number(text) > max) throw new UsageError(`--${name} is a whole number from 1 to ${max}`);
    return Number(text);
  };
  const children = count('children', 64);
  const pikeDensity = count('pike-density', 1_000_000);
  const dialogKeepaliveSeconds = count('dialog-keepalive', 3600);
  if (dialogKeepaliveSeconds !== undefined && dialogKeepaliveSeconds < 30) throw new UsageError('--dialog-keepalive is at least 30 (Kamailio 5.6 refuses less)');
  const dialogKeepaliveFailures = count('dialog-keepalive-failures', 10);
  try {
    const kamailioUrl = values['kamailio-database-url'] ?? databaseUrl;
    kamailioDatabaseUrl(kamailioUrl);
    renderDispatcherList(platformUrls);
    return { databaseUrl, kamailioDatabaseUrl: kamailioUrl, routingFallback, platformUrls, listen: parseListen(values.listen), outDir: resolve(values.out), sipDomain, debug: values.debug === undefined ? undefined : Number(values.debug), children, pikeDensity, dialogKeepaliveSeconds, dialogKeepaliveFailures };
  } catch (error) {
    if (error instanceof KamailioConfigError) throw new UsageError(error.message);
    throw error;
  }
}

const SETTING = { nonce: 'kamailio.nonce_secret', edge: EDGE_SECRET_SETTING, ephemeral: EPHEMERAL_SECRET_SETTING, sipDomain: 'sip_base_domain' } as const;

export interface KamailioConfigResult {
  configPath: string;
  dispatcherListPath: string;
  runDir: string;
}

export async function runKamailioConfig(command: KamailioConfigCommand, write: (line: string) => void): Promise<KamailioConfigResult> {
  const template = readTemplate();
  const conn = connect({ postgres: { url: command.databaseUrl, poolSize: 1 } });
  let secrets: KamailioSecrets;
  try {
    const version = await schemaVersion(conn);
    if (version < kamailioEdge.version) {
      throw new KamailioConfigError(`the database is at schema version ${version}; the Kamailio edge needs ${kamailioEdge.version}+ (run \`highrise migrate up --database-url …\`)`);
    }
    // Inserted only when absent, then read back: every node, and every re-render, gets the same value.
    const keep = async (key: string, fresh: string) => {
      await conn.db.insertInto('settings').values({ key, value: fresh }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const row = await conn.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    };
    const base = await keep(SETTING.sipDomain, command.sipDomain);
    if (base !== command.sipDomain) {
      throw new KamailioConfigError(`this database's tenants register under <slug>.${base}, not <slug>.${command.sipDomain}; pass --sip-domain ${base}`);
    }
    const fresh = () => randomBytes(32).toString('base64url');
    secrets = { nonce: await keep(SETTING.nonce, fresh()), edge: await keep(SETTING.edge, fresh()), ephemeral: await keep(SETTING.ephemeral, fresh()) };
  } finally {
    await conn.close();
  }
  const runDir = join(command.outDir, 'run');
  const dispatcherListPath = join(command.outDir, 'dispatcher.list');
  const text = renderKamailioConfig(template, {
    databaseUrl: command.kamailioDatabaseUrl,
    routingFallback: command.routingFallback,
    platformUrls: command.platformUrls,
    dispatcherListPath,
    listen: command.listen,
    runDir,
    secrets,
    debug: command.debug,
    children: command.children,
    pikeDensity: command.pikeDensity,
    dialogKeepaliveSeconds: command.dialogKeepaliveSeconds,
    dialogKeepaliveFailures: command.dialogKeepaliveFailures,
  });
  mkdirSync(runDir, { recursive: true });
  const configPath = join(command.outDir, 'kamailio.cfg');
  writeFileSync(configPath, text, { mode: 0o600 });
  chmodSync(configPath, 0o600);
  writeFileSync(dispatcherListPath, renderDispatcherList(command.platformUrls));
  write(`wrote ${configPath}`);
  write(`wrote ${dispatcherListPath} (${command.platformUrls.length} platform node${command.platformUrls.length === 1 ? '' : 's'})`);
  write(`SIP over WebSocket: ws://${command.listen.host}:${command.listen.port}/ for every tenant under *.${command.sipDomain}`);
  write(`run: kamailio -f ${configPath} -DD -E`);
  return { configPath, dispatcherListPath, runDir };
}
